"""The router: tiers, weights, in-flight, RPM/TPM estimates, short-window spreading, headers;
all with a fake clock and a seeded random generator."""

import random
from collections import Counter

from jupyterlab_code_interpreter.gateway.deployment import (
    Deployment,
    parse_duration,
    retry_after_seconds,
)
from jupyterlab_code_interpreter.gateway.router import Router

from .fake_time import FakeClock


def make(clock, name, **kwargs):
    """A deployment past its slow start (it has answered once: test_slow_start.py)."""
    deployment = Deployment(name, clock=clock, **kwargs)
    deployment.breaker.on_answered()
    return deployment


def test_lower_tier_first_and_spill_to_the_next_tier_when_it_cools():
    clock = FakeClock(5000.0)
    ptu, payg = make(clock, "ptu", tier=0), make(clock, "payg", tier=1)
    router = Router(random.Random(1))
    assert {router.pick([ptu, payg], 10).name for _ in range(20)} == {"ptu"}
    ptu.breaker.on_rate_limited(5)
    assert router.pick([ptu, payg], 10).name == "payg"


def test_weighted_choice_within_a_tier():
    clock = FakeClock(5000.0)
    big, small = make(clock, "big", weight=3), make(clock, "small", weight=1)
    router = Router(random.Random(7))
    counts = Counter(router.pick([big, small], 1).name for _ in range(4000))
    assert 2.6 < counts["big"] / counts["small"] < 3.4


def test_requests_in_flight_lower_the_share():
    clock = FakeClock(5000.0)
    busy, idle = make(clock, "busy"), make(clock, "idle")
    busy.in_flight = 9
    router = Router(random.Random(3))
    counts = Counter(router.pick([busy, idle], 1).name for _ in range(2000))
    assert counts["idle"] > 8 * counts["busy"]


def test_rpm_budget_and_short_window_share():
    clock = FakeClock(5000.0)
    limited = make(clock, "limited", rpm=120)  # 20 per 10 s, 120 per minute
    assert limited.burst_share() == 20
    for _ in range(20):
        limited.on_send(1)
        clock.now += 0.1
    assert not limited.has_room(clock(), 1)  # a 21st within 10 s: spread it
    assert limited.next_room(clock()) == 5010.0  # when the first one leaves the window
    clock.now = 5010.01
    assert limited.has_room(clock(), 1)
    for _ in range(100):
        limited.on_send(1)
        clock.now += 0.5
    # 120 sent, but the first one is over 60 s old.
    assert limited.remaining(clock())[0] == 1


def test_a_burst_spreads_over_the_tier_without_waiting():
    clock = FakeClock(5000.0)
    a, b = make(clock, "a", rpm=60), make(clock, "b", rpm=60)  # 10 per 10 s each
    router = Router(random.Random(2))
    picked = []
    for _ in range(20):
        chosen = router.pick([a, b], 1)
        chosen.on_send(1)
        picked.append(chosen.name)
    assert Counter(picked) == {"a": 10, "b": 10}
    assert router.pick([a, b], 1) is None
    assert router.soonest([a, b]) == 10.0


def test_a_cooling_deployment_is_routed_around_at_once():
    clock = FakeClock(5000.0)
    storm, calm = make(clock, "storm", rpm=1200), make(clock, "calm", rpm=1200)
    storm.breaker.on_rate_limited(5)
    router = Router(random.Random(4))
    assert {router.pick([storm, calm], 1).name for _ in range(50)} == {"calm"}


def test_the_only_deployment_of_an_alias_is_spared_by_failures_and_bad_keys_not_by_429s():
    clock = FakeClock(5000.0)
    only = make(clock, "only")
    for _ in range(3):
        only.on_send(1)
        only.breaker.on_failure()
    assert only.breaker.state == "open"
    router = Router()
    assert router.pick([only], 1) is only  # still tried: it is all the alias has
    other = make(clock, "other")
    assert router.pick([only, other], 1) is other  # with a sibling, the breaker holds
    only.breaker.on_success()
    assert only.breaker.state == "healthy"
    only.breaker.on_rate_limited(3)
    assert router.pick([only], 1) is None  # a 429's cooldown is honoured
    only.breaker.on_auth_failure()
    clock.now += 4
    assert router.pick([only], 1) is only  # a rejected key is retried: a fix may have landed
    assert router.pick([only, other], 1) is other  # in a pool, the bad key stays out


def test_tpm_estimate_excludes_a_deployment_without_room():
    clock = FakeClock(5000.0)
    small = make(clock, "small", tpm=1000)
    big = make(clock, "big", tpm=100000)
    small.on_send(900)
    router = Router(random.Random(0))
    assert {router.pick([small, big], 200).name for _ in range(50)} == {"big"}
    clock.now += 61  # the minute's window has passed
    assert small.has_room(clock(), 200)


def test_remaining_headers_correct_the_local_estimate():
    clock = FakeClock(5000.0)
    shared = make(clock, "shared", rpm=600, tpm=100000)
    headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"}
    shared.observe_headers(headers)
    assert not shared.has_room(clock(), 1)
    clock.now += 2.5
    assert shared.has_room(clock(), 1)
    shared.observe_headers({"x-ratelimit-remaining-tokens": "-1"})  # no information
    assert shared.has_room(clock(), 1)


def test_usage_replaces_the_estimate():
    clock = FakeClock(5000.0)
    deployment = make(clock, "d", tpm=10000)
    deployment.on_send(2000)
    deployment.correct_tokens(2000, 300)
    assert deployment.remaining(clock())[1] == 9700


def test_soonest_recovery_and_auth_failures_never_recover_by_themselves():
    clock = FakeClock(5000.0)
    one, two = make(clock, "one"), make(clock, "two")
    one.breaker.on_rate_limited(12)
    two.breaker.on_rate_limited(4)
    router = Router()
    assert router.pick([one, two], 1) is None
    assert router.soonest([one, two]) == 4
    two.breaker.on_auth_failure()
    assert router.soonest([one, two]) == 12
    one.breaker.on_auth_failure()
    assert router.soonest([one, two]) is None


def test_excluded_deployments_are_not_picked():
    clock = FakeClock(5000.0)
    a, b = make(clock, "a"), make(clock, "b")
    assert Router().pick([a, b], 1, exclude=["a"]).name == "b"
    assert Router().pick([a, b], 1, exclude=["a", "b"]) is None


def test_durations_and_retry_after():
    assert parse_duration("120ms") == 0.12
    assert parse_duration("6.5s") == 6.5
    assert parse_duration("1m30s") == 90
    assert parse_duration("2") == 2
    assert parse_duration("soon") is None
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "2"}) == 1.5
    assert retry_after_seconds({"retry-after": "3"}) == 3
    assert retry_after_seconds({"x-ratelimit-reset-requests": "1m"}) == 60
    assert retry_after_seconds({}) is None


def test_a_request_refused_with_429_does_not_count_against_the_budget():
    clock = FakeClock(5000.0)
    deployment = make(clock, "d", rpm=60, tpm=1000)
    deployment.on_send(100)
    deployment.on_send(200)
    deployment.on_rejected(200)
    assert deployment.remaining(clock()) == (59, 900)
    assert deployment.sent_in_burst_window(clock()) == 1


def test_a_429_and_usage_update_their_own_request_not_another_of_the_same_size():
    # Same-size requests are the norm under load; matching by size once removed the newest
    # one's entry, so the short window freed later than the deployment's own.
    clock = FakeClock(5000.0)
    deployment = make(clock, "d", rpm=60, tpm=10_000)
    first = deployment.on_send(100)
    clock.now += 5
    second = deployment.on_send(100)
    deployment.correct_tokens(100, 40, second)
    deployment.on_rejected(100, first)
    assert deployment.remaining(clock()) == (59, 10_000 - 40)
    clock.now += 5.5  # the first would have left the 10 s window by now, the second not
    assert deployment.sent_in_burst_window(clock()) == 1
    assert deployment._sent[0] is second


class Recount:
    """The estimates recounted from scratch from what was sent, as the router defines them:
    the requests and tokens of the last 60 s, those of the last 10 s, and the deployment's
    reported remainder less what was sent after the report."""

    def __init__(self):
        self.sent = []  # [time, tokens, counted]
        self.report = None  # (time seen, requests, tokens, until)

    def remaining(self, now, rpm, tpm):
        alive = [e for e in self.sent if e[2] and e[0] > now - 60]
        requests = rpm - len(alive) if rpm else None
        tokens = tpm - sum(e[1] for e in alive) if tpm else None
        if self.report and now < self.report[3]:
            since = [e[1] for e in alive if e[0] > self.report[0]]
            requests = min(requests, self.report[1] - len(since))
            tokens = min(tokens, self.report[2] - sum(since))
        return requests, tokens

    def in_burst_window(self, now):
        return sum(1 for e in self.sent if e[2] and e[0] > now - 10)


def test_running_totals_match_a_recount_through_sends_429s_usage_and_reports():
    rng = random.Random(7)
    for _ in range(40):
        clock = FakeClock(5000.0)
        deployment = make(clock, "d", rpm=1200, tpm=100000)
        recount, entries = Recount(), []
        for _ in range(300):
            clock.now += rng.choice([0.0, 0.01, 0.4, 3.0, 11.0, 25.0])
            action = rng.random()
            if action < 0.55:
                tokens = rng.choice([40, 300])
                entries.append((deployment.on_send(tokens), [clock.now, tokens, True]))
                recount.sent.append(entries[-1][1])
            elif action < 0.65 and entries:
                entry, mine = entries.pop(rng.randrange(len(entries)))
                deployment.on_rejected(mine[1], entry)  # a 429: not admitted, not counted
                mine[2] = False
            elif action < 0.75 and entries:
                entry, mine = entries[rng.randrange(len(entries))]
                actual = rng.choice([10, 500])
                deployment.correct_tokens(mine[1], actual, entry)  # usage replaces the estimate
                if mine[0] > clock.now - 60:
                    mine[1] = actual
            elif action < 0.85:
                left = (rng.randint(0, 900), rng.randint(0, 90000))
                deployment.observe_headers(
                    {
                        "x-ratelimit-remaining-requests": str(left[0]),
                        "x-ratelimit-remaining-tokens": str(left[1]),
                        "x-ratelimit-reset-requests": "30s",
                    }
                )
                recount.report = (clock.now, *left, clock.now + 30)
            assert deployment.remaining(clock.now) == recount.remaining(clock.now, 1200, 100000)
            assert deployment.sent_in_burst_window(clock.now) == recount.in_burst_window(clock.now)
