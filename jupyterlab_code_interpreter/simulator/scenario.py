"""Scenario files: what the simulated model says and how the simulated service misbehaves.

Loading turns a JSON/YAML file (or a dict) into frozen dataclasses and rejects anything it
does not understand, naming the offending field, so a typo in a test scenario fails loudly
instead of silently matching nothing. See docs/simulator.md for the format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .scenario_fields import (
    ScenarioError,
    expect_bool,
    expect_list,
    expect_mapping,
    expect_names,
    expect_positive_int,
    expect_regex,
    expect_str,
    expect_str_list,
    only_fields,
)

DEFAULT_API_KEY = "sim-key"
FINISH_REASONS = ("stop", "tool_calls", "length", "content_filter")
FAULT_KINDS = (
    "http",
    "rate_limit",
    "reset_before_first_byte",
    "reset_after_first_byte",
    "malformed_chunk",
    "hang",
)


@dataclass(frozen=True)
class Timing:
    """Latency to simulate; zeros mean "as fast as possible"."""

    ttft_ms: float = 0
    tokens_per_second: float = 0
    # > 0: the answer goes on the wire in writes of this many bytes, each its own TCP segment
    # (events and UTF-8 characters cut anywhere), as a proxy that re-chunks would send it.
    chunk_bytes: int = 0


@dataclass(frozen=True)
class ToolCallSpec:
    name: str
    arguments: str  # already serialised: real models stream a JSON *string*


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    tool_calls: tuple[ToolCallSpec, ...] = ()
    finish_reason: str | None = None
    pieces: tuple[str, ...] | None = None  # the content's deltas when given as a list


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 500
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    retry_after: float = 1
    after_chunks: int = 0
    then: str = "continue"  # malformed_chunk only: "continue" the stream or "stop" it
    times: int | None = None


@dataclass(frozen=True)
class Match:
    last_user: re.Pattern | None = None
    last_tool: re.Pattern | None = None
    system: re.Pattern | None = None
    model: tuple[str, ...] | None = None
    deployment: tuple[str, ...] | None = None
    has_tools: bool | None = None
    turn: int | None = None


@dataclass(frozen=True)
class Rule:
    index: int
    name: str
    match: Match
    reply: Reply | None
    fault: Fault | None
    timing: Timing | None
    times: int | None


@dataclass(frozen=True)
class Deployment:
    name: str
    model: str
    rpm: int | None = None
    tpm: int | None = None
    burst: bool = False
    fault: Fault | None = None
    timing: Timing | None = None


@dataclass(frozen=True)
class Scenario:
    api_keys: tuple[str, ...]
    models: tuple[str, ...]
    deployments: dict[str, Deployment] | None
    timing: Timing
    rules: tuple[Rule, ...]
    default: Reply | None
    source: dict = field(compare=False, repr=False)


def load_scenario(source: Scenario | dict | str | Path) -> Scenario:
    """Load and validate a scenario from a dict, a ``.json``/``.yaml`` path, or pass one through."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, (str, Path)):
        source = _read_file(Path(source))
    if not isinstance(source, dict):
        raise ScenarioError("scenario: expected a mapping at the top level")
    return _parse_scenario(source)


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"scenario: cannot read {path}: {error}") from error
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ScenarioError(f"scenario: {path} is not valid JSON/YAML: {error}") from error


def _parse_scenario(data: dict) -> Scenario:
    only_fields(
        data, "scenario", {"api_key", "models", "deployments", "timing", "rules", "default"}
    )
    keys = data.get("api_key", DEFAULT_API_KEY)
    keys = [keys] if isinstance(keys, str) else keys
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        raise ScenarioError("api_key: expected a non-empty string or list of strings")
    models = expect_str_list(data.get("models", []), "models")
    deployments = None
    if "deployments" in data:
        raw = expect_mapping(data["deployments"], "deployments")
        deployments = {name: _deployment(name, opts) for name, opts in raw.items()}
    rules = expect_list(data.get("rules", []), "rules")
    default = data.get("default")
    return Scenario(
        api_keys=tuple(keys),
        models=tuple(models),
        deployments=deployments,
        timing=_timing(data.get("timing", {}), "timing"),
        rules=tuple(_rule(i, r) for i, r in enumerate(rules)),
        default=None if default is None else _reply(default, "default"),
        source=data,
    )


def _deployment(name: str, opts: Any) -> Deployment:
    where = f"deployments.{name}"
    opts = expect_mapping(opts if opts is not None else {}, where)
    only_fields(opts, where, {"model", "rpm", "tpm", "burst", "fault", "timing"})
    return Deployment(
        name=name,
        model=expect_str(opts.get("model", name), f"{where}.model"),
        rpm=expect_positive_int(opts.get("rpm"), f"{where}.rpm"),
        tpm=expect_positive_int(opts.get("tpm"), f"{where}.tpm"),
        burst=expect_bool(opts.get("burst", False), f"{where}.burst"),
        fault=_fault(opts["fault"], f"{where}.fault") if "fault" in opts else None,
        timing=_timing(opts["timing"], f"{where}.timing") if "timing" in opts else None,
    )


def _rule(index: int, data: Any) -> Rule:
    where = f"rules[{index}]"
    data = expect_mapping(data, where)
    only_fields(data, where, {"name", "match", "reply", "fault", "timing", "times"})
    reply = _reply(data["reply"], f"{where}.reply") if "reply" in data else None
    fault = _fault(data["fault"], f"{where}.fault") if "fault" in data else None
    if reply is None and fault is None:
        raise ScenarioError(f"{where}: needs a 'reply' or a 'fault'")
    if reply is not None and fault is not None and fault.times is None:
        raise ScenarioError(f"{where}.fault.times: required when a rule has both reply and fault")
    return Rule(
        index=index,
        name=expect_str(data.get("name", where), f"{where}.name"),
        match=_match(data.get("match", {}), f"{where}.match"),
        reply=reply,
        fault=fault,
        timing=_timing(data["timing"], f"{where}.timing") if "timing" in data else None,
        times=expect_positive_int(data.get("times"), f"{where}.times"),
    )


def _match(data: Any, where: str) -> Match:
    data = expect_mapping(data if data is not None else {}, where)
    only_fields(data, where, set(Match.__dataclass_fields__))
    has_tools = data.get("has_tools")
    turn = data.get("turn")
    if turn is not None and (not isinstance(turn, int) or isinstance(turn, bool) or turn < 0):
        raise ScenarioError(f"{where}.turn: expected an integer >= 0")
    return Match(
        last_user=expect_regex(data.get("last_user"), f"{where}.last_user"),
        last_tool=expect_regex(data.get("last_tool"), f"{where}.last_tool"),
        system=expect_regex(data.get("system"), f"{where}.system"),
        model=expect_names(data.get("model"), f"{where}.model"),
        deployment=expect_names(data.get("deployment"), f"{where}.deployment"),
        has_tools=None if has_tools is None else expect_bool(has_tools, f"{where}.has_tools"),
        turn=turn,
    )


def _reply(data: Any, where: str) -> Reply:
    if isinstance(data, str):
        return Reply(content=data)
    data = expect_mapping(data, where)
    only_fields(data, where, {"content", "tool_calls", "finish_reason"})
    content = data.get("content")
    pieces = None
    if isinstance(content, list):
        pieces = tuple(expect_str_list(content, f"{where}.content"))
        content = "".join(pieces)
    if content is not None and not isinstance(content, str):
        raise ScenarioError(f"{where}.content: expected a string or a list of strings")
    calls = tuple(
        _tool_call(c, f"{where}.tool_calls[{i}]")
        for i, c in enumerate(expect_list(data.get("tool_calls", []), f"{where}.tool_calls"))
    )
    finish = data.get("finish_reason")
    if finish is not None and finish not in FINISH_REASONS:
        raise ScenarioError(f"{where}.finish_reason: expected one of {', '.join(FINISH_REASONS)}")
    if content is None and not calls:
        raise ScenarioError(f"{where}: needs 'content' or 'tool_calls'")
    return Reply(content=content, tool_calls=calls, finish_reason=finish, pieces=pieces)


def _tool_call(data: Any, where: str) -> ToolCallSpec:
    data = expect_mapping(data, where)
    only_fields(data, where, {"name", "arguments"})
    arguments = data.get("arguments", {})
    if not isinstance(arguments, str):
        if not isinstance(arguments, dict):
            raise ScenarioError(f"{where}.arguments: expected a mapping or a raw JSON string")
        arguments = json.dumps(arguments, ensure_ascii=False)
    return ToolCallSpec(name=expect_str(data.get("name"), f"{where}.name"), arguments=arguments)


def _fault(data: Any, where: str) -> Fault:
    data = expect_mapping(data, where)
    allowed = {"kind", "status", "message", "headers", "body", "retry_after", "after_chunks"}
    only_fields(data, where, allowed | {"then", "times"})
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise ScenarioError(f"{where}.kind: expected one of {', '.join(FAULT_KINDS)}")
    status = data.get("status", 500)
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ScenarioError(f"{where}.status: expected an HTTP error status (400-599)")
    headers = expect_mapping(data.get("headers", {}), f"{where}.headers")
    retry_after = data.get("retry_after", 1)
    if not isinstance(retry_after, (int, float)) or retry_after < 0:
        raise ScenarioError(f"{where}.retry_after: expected seconds >= 0")
    after = data.get("after_chunks", 0)
    if not isinstance(after, int) or after < 0:
        raise ScenarioError(f"{where}.after_chunks: expected an integer >= 0")
    then = data.get("then", "continue")
    if then not in ("continue", "stop"):
        raise ScenarioError(f"{where}.then: expected 'continue' or 'stop'")
    message = data.get("message")
    return Fault(
        kind=kind,
        status=status,
        message=None if message is None else expect_str(message, f"{where}.message"),
        headers={str(k): str(v) for k, v in headers.items()},
        body=data.get("body"),
        retry_after=retry_after,
        after_chunks=after,
        then=then,
        times=expect_positive_int(data.get("times"), f"{where}.times"),
    )


def _timing(data: Any, where: str) -> Timing:
    data = expect_mapping(data if data is not None else {}, where)
    only_fields(data, where, {"ttft_ms", "tokens_per_second", "chunk_bytes"})
    values = {}
    for key in ("ttft_ms", "tokens_per_second"):
        value = data.get(key, 0) or 0
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ScenarioError(f"{where}.{key}: expected a number >= 0")
        values[key] = value
    chunk_bytes = data.get("chunk_bytes", 0)
    if not isinstance(chunk_bytes, int) or isinstance(chunk_bytes, bool) or chunk_bytes < 0:
        raise ScenarioError(f"{where}.chunk_bytes: expected an integer >= 0")
    return Timing(**values, chunk_bytes=chunk_bytes)
