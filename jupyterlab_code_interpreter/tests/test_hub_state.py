"""Both state backends of the hub service, real: a SQLite file, and a real Redis (start it with
`redis-server --daemonize yes`). Two backend objects on one store stand for two replicas."""

import asyncio
import random
import uuid

import pytest

from jupyterlab_code_interpreter.hub.quota import (
    CONCURRENT_STREAMS,
    REQUESTS_PER_MINUTE,
    TOKENS_PER_DAY,
    TOKENS_PER_MINUTE,
    plan_request,
)
from jupyterlab_code_interpreter.hub.state import UsageEntry
from jupyterlab_code_interpreter.hub.state_redis import RedisState
from jupyterlab_code_interpreter.hub.state_sqlite import SqliteState

REDIS_URL = "redis://127.0.0.1:6379/0"
NOW = 1_800_000_000.0  # a minute's start


async def require_redis() -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as err:
        pytest.fail(
            f"These tests need Redis at {REDIS_URL} ({err}): start it with "
            "`redis-server --daemonize yes`."
        )
    finally:
        await client.aclose()


@pytest.fixture(params=["sqlite", "redis"])
async def replicas(request, tmp_path):
    """Two backend objects sharing one store."""
    if request.param == "sqlite":
        path = str(tmp_path / "state.sqlite")
        pair = [SqliteState(path), SqliteState(path)]
    else:
        await require_redis()
        prefix = f"test-{uuid.uuid4().hex}:"
        pair = [RedisState(REDIS_URL, prefix), RedisState(REDIS_URL, prefix)]
    yield pair
    if request.param == "redis":
        client = pair[0]._redis
        keys = [k async for k in client.scan_iter(pair[0].prefix + "*")]
        if keys:
            await client.delete(*keys)
    for state in pair:
        await state.aclose()


async def test_requests_per_minute_hold_exactly_across_replicas(replicas):
    limits = {REQUESTS_PER_MINUTE: 3}
    answers = []
    for i in range(5):
        plan = plan_request("ann", limits, 10, NOW + i, f"s{i}")
        answers.append(await replicas[i % 2].admit(plan, NOW + i))
    assert answers[:3] == [None, None, None]
    assert [a.limit for a in answers[3:]] == [REQUESTS_PER_MINUTE] * 2
    assert answers[3].status == 429 and answers[3].retry_after == 57
    # The next minute is a new window; another user never shared this one.
    assert await replicas[0].admit(plan_request("ann", limits, 10, NOW + 60, "x"), NOW + 60) is None
    assert await replicas[1].admit(plan_request("bob", limits, 10, NOW + 5, "y"), NOW + 5) is None


async def test_estimate_reserved_then_corrected_by_the_counted_usage(replicas):
    limits = {TOKENS_PER_DAY: 100}
    first = plan_request("ann", limits, 80, NOW, "a")
    assert await replicas[0].admit(first, NOW) is None
    counters = await replicas[1].counters(first, NOW)
    assert counters[TOKENS_PER_DAY] == 80 and counters[REQUESTS_PER_MINUTE] == 1
    entry = UsageEntry("ann", NOW, "default", "east", 20, 10, 200)
    await replicas[0].settle(first, 30, entry)  # it cost less than feared; logged in the same step
    assert (await replicas[1].counters(first, NOW))[TOKENS_PER_DAY] == 30
    assert [e["completion_tokens"] for e in await replicas[1].entries("ann")] == [10]
    second = plan_request("ann", limits, 80, NOW + 1, "b")
    assert await replicas[1].admit(second, NOW + 1) is None  # 30 < 100
    await replicas[1].settle(second, 75)
    refused = await replicas[0].admit(plan_request("ann", limits, 1, NOW + 2, "c"), NOW + 2)
    assert (refused.limit, refused.status, refused.value) == (TOKENS_PER_DAY, 403, 100)


async def test_concurrent_streams_are_slots_freed_when_settled(replicas):
    limits = {CONCURRENT_STREAMS: 2}
    plans = [plan_request("ann", limits, 5, NOW, f"s{i}") for i in range(3)]
    assert await replicas[0].admit(plans[0], NOW) is None
    assert await replicas[1].admit(plans[1], NOW) is None
    refused = await replicas[0].admit(plans[2], NOW)
    assert refused.limit == CONCURRENT_STREAMS and refused.status == 429
    await replicas[1].settle(plans[0], 5)
    assert await replicas[0].admit(plans[2], NOW) is None


async def test_usage_log_reports_per_user(replicas):
    for i, (user, status, tokens) in enumerate(
        [("ann", 200, (10, 5)), ("ann", 200, (1, 1)), ("bob", 429, (0, 0)), ("bob", 200, (7, 3))]
    ):
        entry = UsageEntry(user, NOW + i, "default", "east", *tokens, status)
        await replicas[i % 2].record(entry)
    report = await replicas[0].usage()
    assert report["ann"] == {
        "requests": 2,
        "refused": 0,
        "prompt_tokens": 11,
        "completion_tokens": 6,
        "total_tokens": 17,
    }
    assert report["bob"]["refused"] == 1 and report["bob"]["total_tokens"] == 10
    assert list(await replicas[1].usage("bob")) == ["bob"]
    entries = await replicas[1].entries("ann")
    assert [e["prompt_tokens"] for e in entries] == [1, 10]
    assert entries[0]["time"] == "2027-01-15T08:00:01Z" and entries[0]["prompt"] is None


async def test_two_replicas_under_concurrent_load_count_within_five_percent(replicas):
    """200 requests from 4 users, half through each replica, all at once: admitted with an
    estimate, corrected with a random actual cost. The counters must equal what was spent
    (the goal allows 5 % drift; atomic updates should leave none), and no limit is passed."""
    rng = random.Random(7)
    limits = {TOKENS_PER_MINUTE: 10**9, REQUESTS_PER_MINUTE: 40}
    spent: dict[str, int] = {}
    admitted: dict[str, int] = {}

    async def one(i: int) -> None:
        user = f"user{i % 4}"
        plan = plan_request(user, limits, 100, NOW, f"r{i}")
        replica = replicas[i % 2]
        if await replica.admit(plan, NOW) is not None:
            return
        admitted[user] = admitted.get(user, 0) + 1
        await asyncio.sleep(rng.random() / 100)
        cost = rng.randint(20, 300)
        spent[user] = spent.get(user, 0) + cost
        await replica.settle(plan, cost)

    await asyncio.gather(*(one(i) for i in range(200)))
    for user, total in spent.items():
        plan = plan_request(user, limits, 0, NOW, "probe")
        counters = await replicas[0].counters(plan, NOW)
        assert admitted[user] == 40 == counters[REQUESTS_PER_MINUTE]
        assert abs(counters[TOKENS_PER_MINUTE] - total) <= 0.05 * total
        assert counters[TOKENS_PER_DAY] == counters[TOKENS_PER_MINUTE]
