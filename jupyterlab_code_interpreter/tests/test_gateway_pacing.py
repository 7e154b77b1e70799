"""Pacing in the gateway core: a deployment gets at most rpm/6 requests in any 10 s; when no
deployment has room a request waits for the first slot, at most PACING_LIMIT (1 s) in all, and
is otherwise answered 429 at once, without calling anyone. The gateway runs on a fake clock:
time moves only when a test or the gateway's own (fake) sleep moves it."""

import asyncio
import json
from types import SimpleNamespace

import pytest

from jupyterlab_code_interpreter.gateway.core import PACING_LIMIT, Gateway
from jupyterlab_code_interpreter.gateway.errors import GatewayError

from .fake_time import FakeClock
from .test_gateway import KEY

BODY = json.dumps({"model": "default", "messages": [{"role": "user", "content": "hi"}]}).encode()


@pytest.fixture
async def paced(llm_simulator):
    """A gateway whose one deployment has rpm 12 (2 per 10 s), over an unlimited simulator: the
    limit is the gateway's own estimate, so every upstream call it makes succeeds."""
    sim = await llm_simulator({"api_key": KEY, "default": {"content": "ok"}})
    endpoint = {
        "name": "east",
        "kind": "azure",
        "base_url": f"http://127.0.0.1:{sim.port}",
        "deployment": "gpt-4o",
        "rpm": 12,
        "api_key_env": "PACED_KEY",
    }
    config = SimpleNamespace(
        endpoints=[endpoint],
        endpoint={},
        connect_timeout=5.0,
        first_byte_timeout=5.0,
        read_timeout=5.0,
        max_hops=3,
        retry_budget=30.0,
        heartbeat_interval=0.0,
        allow_user_endpoints=True,
        allow_user_key_sources=False,
    )
    settings = SimpleNamespace(
        endpoint=lambda: (None, None), endpoints=lambda: None, stamp=lambda: None
    )
    clock = FakeClock()
    gateway = Gateway(config, settings, {"PACED_KEY": KEY}, clock=clock, sleep=clock.sleep)
    yield gateway, sim, clock
    await gateway.aclose()


async def ask(gateway) -> int:
    try:
        relay = await gateway.open_chat(BODY, {})
    except GatewayError as error:
        return error.status
    await relay.aclose()
    return relay.status


async def test_beyond_the_short_window_share_a_request_is_429_at_once(paced):
    gateway, sim, clock = paced
    clock.auto = True  # a sleep would move the clock
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    started = clock()
    with pytest.raises(GatewayError) as raised:
        await gateway.open_chat(BODY, {})
    assert clock() - started < 0.2 and clock.slept == []  # the next slot is 10 s away: no wait
    assert raised.value.status == 429 and raised.value.code == "rate_limit_exceeded"
    assert raised.value.headers["retry-after"] == "10"  # when the first slot frees
    assert len(sim.requests) == 2  # no upstream call spent on it


async def test_a_slot_freeing_within_the_allowance_is_waited_for(paced):
    gateway, sim, clock = paced
    clock.auto = True  # the gateway's sleep moves the clock by what it waits
    first_sent = clock()
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.now += 10.0 - 0.3  # the first slot frees 0.3 s from now
    started = clock()
    assert await ask(gateway) == 200
    waited = clock() - started
    # What is left of the window, and within the pacing allowance.
    assert waited == pytest.approx(first_sent + 10.0 - started) == pytest.approx(0.3)
    assert waited < PACING_LIMIT
    assert len(sim.requests) == 3


async def test_waiting_requests_are_served_first_come_first_served(paced):
    gateway, sim, clock = paced
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.now += 10.0 - 0.3  # both slots free in 0.3 s
    outcomes = {}

    async def waiter(name: str) -> None:
        outcomes[name] = await ask(gateway)

    tasks = []
    for count, name in enumerate(("first", "second", "third"), 1):
        tasks.append(asyncio.ensure_future(waiter(name)))
        await clock.parked(count)  # the first sleeps for the slot, the others wait in line
    clock.advance(0.3)
    await asyncio.gather(*tasks)
    # The third would wait ~10 s for another slot: 429, whatever the timers' order.
    assert outcomes == {"first": 200, "second": 200, "third": 429}
    assert len(sim.requests) == 4


async def test_a_waiting_request_that_is_cancelled_leaves_the_line(paced):
    gateway, sim, clock = paced
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.now += 10.0 - 0.4
    first = asyncio.ensure_future(ask(gateway))
    await clock.parked(1)
    second = asyncio.ensure_future(ask(gateway))  # behind the first
    await clock.parked(2)
    clock.advance(0.1)
    first.cancel()  # the browser went away
    # The second, now first in line, sleeps on its own until the slot frees.
    await clock.until(lambda: clock.sleeping == 1 and len(clock.slept) == 3)
    assert clock.slept[-1] == pytest.approx(0.3) and not second.done()
    clock.advance(0.3)
    assert await second == 200  # served when the slot freed, not stuck behind the first
    assert first.cancelled() and len(sim.requests) == 3
