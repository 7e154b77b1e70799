"""The pool through the real server against simulator deployments: one in a 429 storm, one
dead, one slow, one cutting streams midway, one sending a malformed body, one rejecting our
key; routing, no duplicated output, clear errors, and no key anywhere. The gateway's breakers
and cooldowns run on a fake clock (only the upstream connection's own timeouts are real)."""

import json
import os
import stat

import pytest

from .fake_time import FakeClock
from .test_gateway import KEY, chat, post, socket_closed_port, sse_payloads

ANSWER = "Pooled answer in several streamed chunks."
CUT_REPLY = "This reply is cut short by a simulated fault before it ends."
FAULTS = {
    "good": {},
    "storm": {"fault": {"kind": "rate_limit", "retry_after": 30}},
    "slow": {"timing": {"ttft_ms": 3000}},
    "cut": {"fault": {"kind": "reset_after_first_byte", "after_chunks": 3}},
    "malformed": {"fault": {"kind": "malformed_chunk", "after_chunks": 0, "then": "stop"}},
    "wrongkey": {},
}


@pytest.fixture
async def sim(llm_simulator, monkeypatch):
    monkeypatch.setenv("POOL_KEY", KEY)
    monkeypatch.setenv("WRONG_KEY", "sk-test-WRONG-0987654321")
    scenario = {
        "api_key": KEY,
        "deployments": {name: {"model": "gpt-4o", **extra} for name, extra in FAULTS.items()},
        "default": {"content": ANSWER},
    }
    return await llm_simulator(scenario)


@pytest.fixture(autouse=True)
def clock(gateway):
    """The server's gateway on a fake clock, set before its first request resolves the pool
    (its deployments and breakers take the clock then)."""
    clock = FakeClock(auto=True)
    gateway.clock, gateway.sleep = clock, clock.sleep
    gateway.wall_clock = lambda: WALL_CLOCK
    return clock


WALL_CLOCK = 1_800_000_000.0  # the Unix time the status dates clock times from


def azure(sim, name, **extra):
    entry = {
        "name": name,
        "kind": "azure",
        "base_url": f"http://127.0.0.1:{sim.port}",
        "deployment": name,
        "api_key_env": "WRONG_KEY" if name == "wrongkey" else "POOL_KEY",
        "first_byte_timeout": 0.5,
    }
    return {**entry, **extra}


def sent_to(sim):
    return [r["deployment"] for r in sim.requests]


async def status_of(jp_fetch):
    return json.loads((await jp_fetch("code-interpreter", "status")).body)


async def test_requests_avoid_storm_dead_slow_and_rejected_deployments(jp_fetch, gateway, sim):
    with socket_closed_port() as port:
        dead = azure(sim, "dead", base_url=f"http://127.0.0.1:{port}")
        gateway.config.endpoints = [
            azure(sim, n) for n in ("good", "storm", "slow", "wrongkey", "malformed")
        ] + [dead]
        for index in range(24):
            response = await post(jp_fetch, chat(f"hi {index}"))
            assert response.code == 200, response.body
            assert json.loads(response.body)["choices"][0]["message"]["content"] == ANSWER
    seen = sent_to(sim)
    assert seen.count("storm") == 1  # then cooling for its Retry-After (30 s)
    assert seen.count("wrongkey") == 1  # then open: only an administrator can fix a key
    assert seen.count("slow") <= 3 and seen.count("malformed") <= 3
    status = await status_of(jp_fetch)
    states = {e["name"]: e for e in status["endpoints"]}
    assert states["good"]["state"] == "healthy"
    assert states["storm"]["state"] == "cooling" and states["storm"]["errors_429"] == 1
    assert states["storm"]["cooling_until"] == WALL_CLOCK + 30  # its Retry-After, dated
    assert states["wrongkey"]["state"] == "open"
    assert "POOL_KEY" not in states["wrongkey"]["last_error"]
    assert (
        "WRONG_KEY" in states["wrongkey"]["last_error"]
        or "rejected" in (states["wrongkey"]["last_error"])
    )
    assert states["dead"]["requests"] <= 3
    assert states["good"]["tokens_completion"] > 0
    raw = json.dumps(status)
    assert KEY not in raw and "WRONG-0987654321" not in raw and "SECRET" not in raw


async def test_a_stream_cut_midway_is_never_replayed_or_duplicated(jp_fetch, gateway, sim):
    gateway.config.endpoints = [azure(sim, "cut"), azure(sim, "good")]
    for index in range(12):
        before = len(sim.requests)
        response = await post(jp_fetch, chat(f"stream {index}", stream=True))
        assert response.code == 200
        events = sse_payloads(response.body)
        assert len(sim.requests) - before == 1  # one upstream request per answer
        starts = [e for e in events if isinstance(e, dict) and _delta(e).get("role")]
        assert len(starts) == 1
        text = "".join(_delta(e).get("content") or "" for e in events if isinstance(e, dict))
        if events[-1] == "[DONE]":
            assert text == ANSWER
        else:
            assert events[-1]["error"]["code"] == "upstream_stream_interrupted"
            # The simulator's cut reply (its filler text), stopped partway, nothing repeated.
            assert CUT_REPLY.startswith(text) and 0 < len(text) < len(CUT_REPLY)


async def test_failures_before_the_first_byte_move_to_another_deployment(jp_fetch, gateway, sim):
    gateway.config.endpoints = [azure(sim, "malformed", tier=0), azure(sim, "good", tier=1)]
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 200  # the malformed body was never shown
    assert sent_to(sim)[-2:] == ["malformed", "good"]
    gateway.config.endpoints = [azure(sim, "slow"), azure(sim, "good", tier=1)]
    response = await post(jp_fetch, chat("hi", stream=True))
    assert response.code == 200 and sse_payloads(response.body)[-1] == "[DONE]"


async def test_all_deployments_cooling_is_one_429_with_the_soonest_retry(jp_fetch, gateway, sim):
    gateway.config.endpoints = [azure(sim, "storm")]
    first = await post(jp_fetch, chat("hi"))
    assert first.code == 429 and first.headers["Retry-After"] == "30"
    calls = len(sim.requests)
    second = await post(jp_fetch, chat("hi"))
    assert second.code == 429 and len(sim.requests) == calls  # no wasted upstream call
    assert second.headers["Retry-After"] == "30"  # the clock has not moved
    assert "x-should-retry" not in second.headers
    gateway.deployment(gateway.pool().endpoints[0]).breaker.on_rate_limited(600)
    third = await post(jp_fetch, chat("hi"))
    assert third.headers["x-should-retry"] == "false"
    assert "rate-limited or unavailable" in json.loads(third.body)["error"]["message"]


async def test_a_rejected_key_names_the_endpoint_and_the_variable_never_the_key(
    jp_fetch, gateway, sim
):
    gateway.config.endpoints = [azure(sim, "wrongkey")]
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 401
    assert response.headers["x-should-retry"] == "false"
    error = json.loads(response.body)["error"]
    assert error["code"] == "upstream_auth_failed"
    assert "'wrongkey'" in error["message"] and "WRONG_KEY" in error["message"]
    assert "was rejected (HTTP 401)" in error["message"]
    assert b"WRONG-0987654321" not in response.body and KEY.encode() not in response.body
    calls = len(sim.requests)
    # Alone in its alias it is tried again (a key fixed meanwhile would work), with the
    # same clear answer while the key is still wrong.
    again = await post(jp_fetch, chat("hi"))
    assert again.code == 401 and len(sim.requests) == calls + 1
    assert json.loads(again.body)["error"]["code"] == "upstream_auth_failed"


async def test_invalid_endpoint_is_named_and_the_valid_one_serves(jp_fetch, gateway, sim):
    gateway.config.endpoints = [azure(sim, "good"), {"name": "typo", "kind": "azure"}]
    status = await status_of(jp_fetch)
    assert status["configured"] is True
    (error,) = status["config_errors"]
    assert (error["endpoint"], error["field"]) == ("typo", "base_url")
    assert "typo" in status["message"]
    assert [e["state"] for e in status["endpoints"]] == ["healthy", "invalid"]
    assert (await post(jp_fetch, chat("hi"))).code == 200


async def test_aliases_choose_endpoints_and_models_lists_them(jp_fetch, gateway, sim):
    gateway.config.endpoints = [
        azure(sim, "good", models=["default", "chat"]),
        azure(sim, "cut", models=["fix"]),
    ]
    models = json.loads((await jp_fetch("code-interpreter", "v1", "models")).body)
    assert [m["id"] for m in models["data"]] == ["default", "chat", "fix"]
    await post(jp_fetch, chat("hi", model="chat"))
    await post(jp_fetch, chat("hi", model="fix"))
    assert sent_to(sim)[-2:] == ["good", "cut"]
    body = {**chat("hi"), "model": "http://evil.example/v1"}
    assert (await post(jp_fetch, body)).code == 404


async def test_key_store_is_write_only_and_used_by_name(jp_fetch, gateway, sim, jp_data_dir):
    put = await jp_fetch(
        "code-interpreter", "keys", "team", method="PUT", body=json.dumps({"key": KEY})
    )
    assert put.code == 204 and put.body == b""
    listed = json.loads((await jp_fetch("code-interpreter", "keys")).body)
    assert listed == {"keys": [{"name": "team", "set": True}]}
    path = gateway.keys.store.directory / "team"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    gateway.config.endpoints = [azure(sim, "good", api_key_env="", api_key_name="team")]
    assert (await post(jp_fetch, chat("hi"))).code == 200
    assert sim.requests[-1]["headers"]["api-key"] == KEY
    bad = await jp_fetch(
        "code-interpreter", "keys", "..", method="PUT", body="{}", raise_error=False
    )
    assert bad.code in (400, 404)
    deleted = await jp_fetch("code-interpreter", "keys", "team", method="DELETE")
    assert deleted.code == 204
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 503 and KEY.encode() not in response.body


def _delta(event):
    choices = event.get("choices") or [{}]
    return choices[0].get("delta") or {}
