"""Pacing in the gateway core: a deployment gets at most rpm/6 requests in any 10 s; when no
deployment has room a request waits for the first slot, at most PACING_LIMIT (1 s) in all, and
is otherwise answered 429 at once, without calling anyone."""

import asyncio
import json
import time
from types import SimpleNamespace

import pytest

from jupyterlab_code_interpreter.gateway.core import PACING_LIMIT, Gateway
from jupyterlab_code_interpreter.gateway.errors import GatewayError

from .test_gateway import KEY

BODY = json.dumps({"model": "default", "messages": [{"role": "user", "content": "hi"}]}).encode()


class Clock:
    """Monotonic time that the test can move forward (the 10 s window passes in an instant);
    it still runs, so the gateway's real sleeps advance it too."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


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
    clock = Clock()
    gateway = Gateway(config, settings, {"PACED_KEY": KEY}, clock=clock)
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
    gateway, sim, _ = paced
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    started = time.monotonic()
    with pytest.raises(GatewayError) as raised:
        await gateway.open_chat(BODY, {})
    assert time.monotonic() - started < 0.2  # the next slot is ~10 s away: no wait
    assert raised.value.status == 429 and raised.value.code == "rate_limit_exceeded"
    assert int(raised.value.headers["retry-after"]) in (9, 10)
    assert len(sim.requests) == 2  # no upstream call spent on it


async def test_a_slot_freeing_within_the_allowance_is_waited_for(paced):
    gateway, sim, clock = paced
    first_sent = time.monotonic()
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.offset += 10.0 - 0.3  # the first slot frees 0.3 s after it was taken
    started = time.monotonic()
    assert await ask(gateway) == 200
    waited = time.monotonic() - started
    # At least what is left of those 0.3 s (less on a loaded machine, where the first two
    # requests took a while), and within the pacing allowance.
    assert first_sent + 0.3 - started - 0.02 < waited < PACING_LIMIT
    assert len(sim.requests) == 3


async def test_waiting_requests_are_served_first_come_first_served(paced):
    gateway, sim, clock = paced
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.offset += 10.0 - 0.3  # both slots free in ~0.3 s, a few ms apart
    outcomes = {}

    async def waiter(name: str) -> None:
        outcomes[name] = await ask(gateway)

    tasks = []
    for name in ("first", "second", "third"):
        tasks.append(asyncio.ensure_future(waiter(name)))
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    # The third would wait ~10 s for another slot: 429, whatever the timers' order.
    assert outcomes == {"first": 200, "second": 200, "third": 429}
    assert len(sim.requests) == 4


async def test_a_waiting_request_that_is_cancelled_leaves_the_line(paced):
    gateway, sim, clock = paced
    assert [await ask(gateway), await ask(gateway)] == [200, 200]
    clock.offset += 10.0 - 0.4
    first = asyncio.ensure_future(ask(gateway))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(ask(gateway))  # behind the first
    await asyncio.sleep(0.05)
    first.cancel()  # the browser went away
    assert await second == 200  # served when the slot freed, not stuck behind the first
    assert first.cancelled() and len(sim.requests) == 3
