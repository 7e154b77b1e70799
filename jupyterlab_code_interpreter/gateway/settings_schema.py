"""The endpoint's fields as the settings schema (schema/plugin.json) defines them.

The JupyterLab settings editor validates the user's `endpoint` and `endpoints` against that
schema; the gateway validates the same settings, and the administrator's `c.CodeInterpreter.
endpoint` / `endpoints` (the same fields in snake_case), against it too, so the fields, their
types and ranges are written in one place. `jsonschema` is imported on the first validation:
jupyter_server has already imported it then, and the simulator and tests that never validate
do not pay for it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PLUGIN = "jupyterlab-code-interpreter"
SINGLE = "endpoint"
POOL = "endpoints"

_PACKAGE = Path(__file__).resolve().parent.parent
_SCHEMA_IN_LABEXTENSION = Path("schemas") / PLUGIN / "plugin.json"
# What a value of each JSON type is called in messages.
_TYPE_NAMES = {
    "string": "string",
    "integer": "whole number",
    "number": "number",
    "boolean": "boolean",
    "array": "list",
    "object": "object",
}
_CAPITALS = re.compile(r"(?<=[a-z0-9])([A-Z])")


@dataclass(frozen=True)
class Field:
    """One field of an endpoint: its names in settings and in server config, and its type."""

    camel: str
    snake: str
    type: str

    def shown(self, camel: bool) -> str:
        return self.camel if camel else self.snake


@dataclass(frozen=True)
class Problem:
    """What is wrong with an endpoint's shape. `field` is the field as written ("" for the
    whole endpoint); `text` ends a sentence that starts with the field's path (`on_field`) or
    with the endpoint's."""

    field: str
    text: str
    on_field: bool = True

    def sentence(self, label: str) -> str:
        return f"{label}.{self.field} {self.text}" if self.on_field else f"{label} {self.text}"


def find_schema(package: Path = _PACKAGE, data_paths: Iterable[str] | None = None) -> Path:
    """Where schema/plugin.json is: the source itself in a source checkout (an editable
    install), else the copy the labextension build made, in the package folder or where a
    wheel puts the labextension (`share/jupyter/labextensions/…`, found as JupyterLab finds
    it)."""
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / "schema" / "plugin.json").is_file():
        return root / "schema" / "plugin.json"
    candidates = [package / "labextension" / _SCHEMA_IN_LABEXTENSION]
    if data_paths is None:
        from jupyter_core.paths import jupyter_path

        data_paths = jupyter_path("labextensions")
    candidates += [Path(folder) / PLUGIN / _SCHEMA_IN_LABEXTENSION for folder in data_paths]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(map(str, candidates))
    raise FileNotFoundError(
        f"The settings schema of {PLUGIN} is missing (looked in {looked}); reinstall the package."
    )


@functools.cache
def definitions() -> dict[str, dict]:
    """The JSON schema of one endpoint, for the single endpoint and for an entry of the pool."""
    schema = json.loads(find_schema().read_text(encoding="utf-8"))["properties"]
    return {SINGLE: schema[SINGLE], POOL: schema[POOL]["items"]}


@functools.cache
def fields(which: str) -> tuple[Field, ...]:
    """The fields of `which` (SINGLE or POOL), in the schema's order; the snake_case name is
    the camelCase one with each capital as `_` and its small letter."""
    properties = definitions()[which]["properties"]
    return tuple(
        Field(name, _CAPITALS.sub(r"_\1", name).lower(), spec["type"])
        for name, spec in properties.items()
    )


def setting_name(snake: str) -> str:
    """How the user's settings spell a field of the pool's endpoints (`api_key_env` ->
    `apiKeyEnv`)."""
    return next(f.camel for f in fields(POOL) if f.snake == snake)


def shape_problems(mapping: object, which: str, camel: bool) -> list[Problem]:
    """What the schema finds wrong with an endpoint mapping, most basic first: not an object,
    unknown fields, wrong types, missing required fields, values outside the allowed ones.

    Unset values (None, blank strings for string fields) are left out first, as the
    gateway treats them as absent. Messages never repeat a value: it might be a key."""
    validator = _validator(which, camel)
    if isinstance(mapping, Mapping):
        mapping = present(mapping, which, camel)
    found = [_problem(error, which, camel) for error in validator.iter_errors(mapping)]
    found.sort(key=lambda pair: pair[0])
    problems: list[Problem] = []
    for _, problem in found:
        if problem not in problems:
            problems.append(problem)
    return problems


def present(mapping: Mapping, which: str, camel: bool) -> dict:
    """The mapping without its unset values: None, and blank strings in string fields."""
    strings = {f.shown(camel) for f in fields(which) if f.type == "string"}

    def unset(key: object, value: object) -> bool:
        return value is None or (key in strings and isinstance(value, str) and not value.strip())

    return {key: value for key, value in mapping.items() if not unset(key, value)}


@functools.cache
def _validator(which: str, camel: bool):
    import jsonschema

    definition = definitions()[which]
    if not camel:
        definition = _snake_case(definition, fields(which))
    # JSON schema counts 1.0 as an integer; a whole number of requests is written without
    # a fraction, so anything else is a slip worth reporting.
    checker = jsonschema.Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, type_checker=checker)
    return cls(definition)


def _snake_case(definition: dict, known: tuple[Field, ...]) -> dict:
    names = {f.camel: f.snake for f in known}
    result = dict(definition)
    result["properties"] = {names[k]: v for k, v in definition["properties"].items()}
    if "required" in definition:
        result["required"] = [names[k] for k in definition["required"]]
    return result


def _problem(error, which: str, camel: bool) -> tuple[tuple[int, int], Problem]:
    """A jsonschema error as a problem, with its rank: problems of the whole endpoint first,
    then by kind, then in the schema's field order."""
    known = [f.shown(camel) for f in fields(which)]
    path = list(error.absolute_path)
    field = str(path[0]) if path else ""
    index = known.index(field) if field in known else len(known)
    kind = error.validator
    if kind == "type" and not path:
        text = f"must be an object, got {type(error.instance).__name__}."
        return (0, 0), Problem("", text, on_field=False)
    if kind == "additionalProperties":
        unknown = sorted(str(k) for k in error.instance if k not in known)
        text = f"has unknown field(s) {', '.join(unknown)}; known fields: {', '.join(known)}."
        return (1, 0), Problem(unknown[0], text, on_field=False)
    if kind == "type" and len(path) == 1:
        return (2, index), Problem(field, f"must be a {_TYPE_NAMES[error.validator_value]}.")
    if kind == "required":
        field = next(name for name in error.validator_value if name not in error.instance)
        text = "is empty; give each endpoint a unique name." if field == "name" else "is missing."
        return (3, known.index(field)), Problem(field, text)
    if kind == "enum":
        allowed = " or ".join(repr(v) for v in error.validator_value)
        return (4, index), Problem(field, f"must be {allowed}.")
    if kind == "exclusiveMinimum":
        return (5, index), Problem(field, f"must be greater than {error.validator_value:g}.")
    if kind == "minimum":
        return (5, index), Problem(field, f"must be {error.validator_value:g} or more.")
    if len(path) > 1:  # an item of a list field: the aliases an endpoint serves
        return (6, index), Problem(field, "must be a list of non-empty alias strings.")
    return (7, index), Problem(field, "is not valid.")
