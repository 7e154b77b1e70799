"""Field checks for scenario loading: each returns the value or raises ScenarioError naming
where in the file the bad value is."""

from __future__ import annotations

import re
from typing import Any


class ScenarioError(ValueError):
    """A scenario is invalid; the message names the field (e.g. ``rules[2].match.turn``)."""


def only_fields(data: dict, where: str, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}.{unknown[0]}: unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def expect_mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    return value


def expect_list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list")
    return value


def expect_str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where}: expected a non-empty string")
    return value


def expect_str_list(value: Any, where: str) -> list[str]:
    return [expect_str(v, f"{where}[{i}]") for i, v in enumerate(expect_list(value, where))]


def expect_names(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (
        (expect_str(value, where),)
        if isinstance(value, str)
        else tuple(expect_str_list(value, where))
    )


def expect_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: expected true or false")
    return value


def expect_positive_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ScenarioError(f"{where}: expected an integer >= 1")
    return value


def expect_regex(value: Any, where: str) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(expect_str(value, where), re.DOTALL)
    except re.error as error:
        raise ScenarioError(f"{where}: invalid regular expression: {error}") from error
