"""A deployment books what each request came to in one call (`Deployment.record`): breaker,
counters, last error, rate estimates and reported usage together; a relay reports one outcome
per request. All on a fake clock."""

from jupyterlab_code_interpreter.gateway.deployment import Deployment, Outcome, Verdict
from jupyterlab_code_interpreter.gateway.relay import Relay

from .fake_time import FakeClock


def make(**kwargs):
    """A deployment past its slow start (it has answered once: test_slow_start.py)."""
    clock = FakeClock()
    deployment = Deployment("east", clock=clock, **kwargs)
    deployment.breaker.on_answered()
    return deployment, clock


def counters(deployment):
    usage = deployment.usage
    return {
        "requests": usage.requests,
        "errors_429": usage.errors_429,
        "errors_5xx": usage.errors_5xx,
        "tokens": (usage.tokens_prompt, usage.tokens_completion),
        "last_error": usage.last_error,
        "latencies": list(usage.latencies),
    }


def test_a_success_counts_usage_and_latency_and_replaces_the_token_estimate():
    deployment, _ = make(tpm=10_000)
    sent = deployment.on_send(2000)
    deployment.record(Outcome(Verdict.SUCCESS, sent, latency=0.25, usage=(120, 30)))
    assert counters(deployment) == {
        "requests": 1,
        "errors_429": 0,
        "errors_5xx": 0,
        "tokens": (120, 30),
        "last_error": None,
        "latencies": [0.25],
    }
    assert deployment.remaining(deployment.clock())[1] == 10_000 - 150
    assert deployment.breaker.state == "healthy"


def test_a_429_cools_for_its_reset_and_its_request_leaves_the_budget():
    deployment, clock = make(rpm=60, tpm=1000)
    kept = deployment.on_send(100)
    refused = deployment.on_send(100)
    deployment.record(Outcome(Verdict.RATE_LIMITED, refused, "HTTP 429", retry_after=7.0))
    assert deployment.remaining(clock()) == (59, 900)
    assert deployment._sent[0] is kept and len(deployment._sent) == 1
    assert deployment.breaker.state == "cooling" and deployment.breaker.until == clock() + 7.0
    assert (deployment.usage.errors_429, deployment.usage.last_error) == (1, "HTTP 429")
    clock.advance(7.0)
    assert deployment.breaker.state == "healthy"


def test_a_rejected_key_opens_the_breaker_and_is_the_last_error():
    deployment, clock = make()
    sent = deployment.on_send(10)
    deployment.record(Outcome(Verdict.AUTH_REJECTED, sent, "HTTP 401: the key was rejected"))
    assert deployment.breaker.state == "open" and deployment.breaker.auth_failed
    assert deployment.breaker.until == clock() + 300.0
    assert deployment.usage.last_error == "HTTP 401: the key was rejected"
    assert deployment.usage.errors_5xx == deployment.usage.errors_429 == 0


def test_failures_count_as_5xx_and_the_third_opens_the_breaker():
    deployment, _ = make()
    for index in range(3):
        assert deployment.breaker.state == "healthy"
        sent = deployment.on_send(10)
        deployment.record(Outcome(Verdict.FAILED, sent, f"HTTP 50{index}", latency=0.1))
    assert deployment.breaker.state == "open"
    assert deployment.usage.errors_5xx == 3 and deployment.usage.last_error == "HTTP 502"
    assert list(deployment.usage.latencies) == [0.1, 0.1, 0.1]


def test_a_release_frees_a_half_open_probe_and_changes_no_counter():
    deployment, clock = make()
    for _ in range(3):
        deployment.record(Outcome(Verdict.FAILED, deployment.on_send(10)))
    clock.advance(30.0)
    probe = deployment.on_send(10)
    assert not deployment.breaker.allows()  # one probe at a time
    before = counters(deployment)
    deployment.record(Outcome(Verdict.RELEASED, probe))
    assert deployment.breaker.allows() and counters(deployment) == before


def test_a_request_never_sent_only_leaves_its_error():
    deployment, _ = make()
    deployment.record(Outcome(Verdict.NOT_SENT, error="the variable KEY is not set"))
    assert counters(deployment)["last_error"] == "the variable KEY is not set"
    assert deployment.usage.requests == 0 and deployment.in_flight == 0
    assert deployment.breaker.state == "healthy"


async def stream_relay(deployment, pieces):
    queue = list(pieces[1:]) + [b""]

    async def next_piece(_silence: float = 0.0) -> bytes:
        return queue.pop(0)

    sent = deployment.on_send(500)
    return Relay(200, {}, deployment=deployment, first=pieces[0], next_piece=next_piece, sent=sent)


USAGE_EVENT = b'data: {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}\n\n'


async def test_a_relay_reports_one_outcome_with_its_usage_then_frees_the_slot():
    deployment, _ = make(tpm=10_000)
    relay = await stream_relay(deployment, [b'data: {"choices": []}\n\n', USAGE_EVENT])
    relay.latency = 0.5
    recorded = []
    record = deployment.record
    deployment.record = lambda outcome: (recorded.append(outcome), record(outcome))
    async for _ in relay.stream():
        pass
    assert deployment.in_flight == 1  # the handler still writes the end
    await relay.aclose()
    await relay.aclose()
    assert [o.verdict for o in recorded] == [Verdict.SUCCESS]
    assert recorded[0].usage == (7, 3) and recorded[0].latency == 0.5
    assert deployment.in_flight == 0 and deployment.remaining(deployment.clock())[1] == 9990


async def test_a_relay_closed_before_its_end_reports_a_release():
    deployment, _ = make()
    relay = await stream_relay(deployment, [b'data: {"choices": []}\n\n'])
    recorded = []
    deployment.record = recorded.append
    await relay.aclose()  # the browser left before the stream was read
    assert [o.verdict for o in recorded] == [Verdict.RELEASED]
    assert deployment.in_flight == 0
