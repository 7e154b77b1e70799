"""Slow start: a deployment that has not answered yet gets one request in flight until it
answers. Through the real server, real sockets and the simulator, on the real clock: eight
concurrent requests reach a freshly started server whose pool has two good deployments and one
that refuses connections, or one that accepts and never answers."""

import asyncio
import json

import pytest

from jupyterlab_code_interpreter.gateway.breaker import Breaker

from .fake_time import FakeClock
from .test_gateway import KEY, chat, post, socket_closed_port

ANSWER = "A slow-start answer."


@pytest.fixture
async def sim(llm_simulator, monkeypatch):
    monkeypatch.setenv("POOL_KEY", KEY)
    deployments = {
        "good1": {"model": "gpt-4o"},
        "good2": {"model": "gpt-4o"},
        "silent": {"model": "gpt-4o", "fault": {"kind": "hang"}},
    }
    scenario = {"api_key": KEY, "deployments": deployments, "default": {"content": ANSWER}}
    return await llm_simulator(scenario)


def azure(sim, name, **extra):
    entry = {
        "name": name,
        "kind": "azure",
        "base_url": f"http://127.0.0.1:{sim.port}",
        "deployment": name,
        "api_key_env": "POOL_KEY",
        "first_byte_timeout": 2.0,
    }
    return {**entry, **extra}


async def burst(jp_fetch, count=8):
    return await asyncio.gather(*(post(jp_fetch, chat(f"hi {i}")) for i in range(count)))


async def status_of(jp_fetch, name):
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    return next(d for d in status["endpoints"] if d["name"] == name)


async def test_a_refusing_deployment_takes_one_request_of_the_first_burst(jp_fetch, gateway, sim):
    with socket_closed_port() as port:
        dead = azure(sim, "dead", base_url=f"http://127.0.0.1:{port}")
        gateway.config.endpoints = [azure(sim, "good1"), dead, azure(sim, "good2")]
        responses = await burst(jp_fetch)
        dead_status = await status_of(jp_fetch, "dead")
    assert [r.code for r in responses] == [200] * 8
    assert dead_status["requests"] == 1
    assert dead_status["state"] == "open"
    served = [r["deployment"] for r in sim.requests]
    assert len(served) == 8 and set(served) <= {"good1", "good2"}


async def test_a_silent_deployment_holds_only_one_request(jp_fetch, gateway, sim):
    gateway.config.endpoints = [azure(sim, n) for n in ("good1", "silent", "good2")]
    gateway.config.first_byte_timeout = 2.0
    responses = await burst(jp_fetch)
    assert [r.code for r in responses] == [200] * 8
    sent = [r["deployment"] for r in sim.requests]
    assert sent.count("silent") == 1
    assert sent.count("good1") + sent.count("good2") == 8
    assert (await status_of(jp_fetch, "silent"))["state"] == "open"


async def test_the_only_deployment_of_an_alias_is_not_held_back(jp_fetch, gateway, sim):
    # Spared as its breaker spares it (breaker.py): holding requests back would only delay them.
    gateway.config.endpoints = [azure(sim, "good1")]
    responses = await burst(jp_fetch, 4)
    assert [r.code for r in responses] == [200] * 4


def test_a_new_breaker_allows_one_request_until_an_answer():
    breaker = Breaker(clock=FakeClock())
    assert breaker.allows()
    breaker.on_send()
    assert breaker.state == "healthy" and breaker.slow_start and not breaker.allows()
    assert breaker.allows(sole=True)
    breaker.on_answered()
    assert breaker.allows() and not breaker.slow_start
    breaker.on_send()
    breaker.on_send()
    assert breaker.allows()  # proven: no limit of its own


def test_the_first_request_failing_opens_a_new_breaker():
    breaker = Breaker(clock=FakeClock())
    breaker.on_send()
    breaker.on_failure()
    assert breaker.state == "open"


def test_back_from_open_it_is_unproven_again_until_the_probe_succeeds():
    clock = FakeClock()
    breaker = Breaker(clock=clock)
    breaker.on_answered()
    for _ in range(3):
        breaker.on_send()
        breaker.on_failure()
    assert breaker.state == "open" and not breaker.proven
    clock.now += 31
    breaker.on_send()
    breaker.on_answered()  # headers came, but the probe's verdict decides
    assert breaker.state == "half_open" and not breaker.allows()
    breaker.on_success()
    assert breaker.proven and breaker.allows()


def test_a_release_lets_another_first_request_go():
    breaker = Breaker(clock=FakeClock())
    breaker.on_send()
    breaker.on_release()  # the browser left before any answer
    assert breaker.allows() and not breaker.proven


async def test_with_no_deployment_that_answered_the_others_wait_then_get_429(
    jp_fetch, gateway, sim
):
    silent = [{**azure(sim, "silent", first_byte_timeout=3.0), "name": n} for n in ("s1", "s2")]
    gateway.config.endpoints = silent
    responses = await burst(jp_fetch, 3)
    refused = [r for r in responses if r.code == 429]
    assert len(refused) == 1
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert json.loads(refused[0].body)["error"]["code"] == "rate_limit_exceeded"
    assert [r["deployment"] for r in sim.requests] == ["silent", "silent"]
