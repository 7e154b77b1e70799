"""The error codes are a contract with the browser: errors.CODES lists every code an error
body can carry, and the browser's copy (src/llm/gatewayCodes.ts) is generated from it."""

import ast
import inspect
import subprocess
import sys
from pathlib import Path

from jupyterlab_code_interpreter.gateway import errors

PACKAGE = Path(errors.__file__).resolve().parents[1]
ROOT = PACKAGE.parent
# A value for each parameter type of the factories (a status where one is asked for).
SAMPLES = {"str": "x", "int": 401, "float": 1.5, "list[str]": ["default"]}


def every_error() -> dict[str, errors.GatewayError]:
    """One error from each factory of errors.py, by factory name."""
    made = {}
    for name, factory in inspect.getmembers(errors, inspect.isfunction):
        if factory.__module__ != errors.__name__ or name.startswith("_"):
            continue
        parameters = inspect.signature(factory).parameters.values()
        made[name] = factory(*(SAMPLES[p.annotation] for p in parameters))
    return made


def test_every_code_a_factory_gives_is_listed_and_every_listed_code_is_given():
    made = every_error()
    assert len(made) >= len(errors.CODES)
    assert all(isinstance(error, errors.GatewayError) for error in made.values())
    unlisted = {name: e.code for name, e in made.items() if e.code not in errors.CODES}
    assert unlisted == {}
    assert set(errors.CODES) == {e.code for e in made.values()}, "a listed code nothing gives"


def test_every_error_body_has_a_message_to_show():
    for name, error in every_error().items():
        body = error.body()["error"]
        assert body["message"].strip() and body["code"] == error.code, name
        assert body["type"] and 400 <= error.status < 600, name


def test_gateway_errors_are_made_only_in_errors_py():
    """A GatewayError built elsewhere could carry a code the list does not have."""
    elsewhere = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                callee = node.func
                name = callee.attr if isinstance(callee, ast.Attribute) else ""
                name = callee.id if isinstance(callee, ast.Name) else name
                if name == "GatewayError":
                    elsewhere.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert elsewhere == []


def test_the_browsers_list_is_generated_from_this_one():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "error_codes.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    generated = (ROOT / "src" / "llm" / "gatewayCodes.ts").read_text(encoding="utf-8")
    assert all(f"'{code}'" in generated for code in errors.CODES)
