"""Breaker transitions are logged at INFO with the deployment's name and, for a rest, its
length and end; never a URL or a key. A deployment on a fake clock, a real logger."""

import logging

from jupyterlab_code_interpreter.gateway.deployment import Deployment, Outcome, Verdict

from .fake_time import FakeClock

WALL_CLOCK = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC
LOGGER = "test.breaker_log"


def make():
    clock = FakeClock()
    log = logging.getLogger(LOGGER)
    deployment = Deployment("east-1", clock=clock, log=log, wall_clock=lambda: WALL_CLOCK)
    deployment.record(Outcome(Verdict.SUCCESS, deployment.on_send(10)))
    return deployment, clock


def lines(caplog):
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_open_half_open_and_closed_are_logged_with_the_name_and_reset_time(caplog):
    caplog.set_level(logging.INFO, LOGGER)
    deployment, clock = make()
    for _ in range(3):
        deployment.record(Outcome(Verdict.FAILED, deployment.on_send(10)))
    clock.now += 30
    assert deployment.breaker.allows()  # the next request's look notices the half-open state
    deployment.record(Outcome(Verdict.SUCCESS, deployment.on_send(10)))
    assert lines(caplog) == [
        (
            logging.INFO,
            "code-interpreter gateway: deployment 'east-1' is open (3 failures in 30 s) for "
            "30 s, until 08:00:30 UTC; then one probe request",
        ),
        (
            logging.INFO,
            "code-interpreter gateway: deployment 'east-1' is half-open: one probe request may go",
        ),
        (
            logging.INFO,
            "code-interpreter gateway: deployment 'east-1' is closed: healthy again "
            "(a request succeeded)",
        ),
    ]


def test_cooling_is_logged_with_its_reset_time_then_its_end(caplog):
    caplog.set_level(logging.INFO, LOGGER)
    deployment, clock = make()
    deployment.record(Outcome(Verdict.RATE_LIMITED, deployment.on_send(10), retry_after=7))
    clock.now += 8
    assert deployment.breaker.state == "healthy"
    assert lines(caplog) == [
        (
            logging.INFO,
            "code-interpreter gateway: deployment 'east-1' is cooling (rate limited) for 7 s, "
            "until 08:00:07 UTC",
        ),
        (
            logging.INFO,
            "code-interpreter gateway: deployment 'east-1' cooled down: it takes requests again",
        ),
    ]


def test_a_rejected_key_and_a_failed_probe_are_logged_and_reads_log_nothing_new(caplog):
    caplog.set_level(logging.INFO, LOGGER)
    deployment, clock = make()
    deployment.record(Outcome(Verdict.AUTH_REJECTED, deployment.on_send(10)))
    for _ in range(5):
        deployment.breaker.allows()  # reading the state logs nothing while it stays
    clock.now += 300
    deployment.breaker.allows()
    deployment.record(Outcome(Verdict.FAILED, deployment.on_send(10)))
    messages = [message for _, message in lines(caplog)]
    assert messages == [
        "code-interpreter gateway: deployment 'east-1' is open (the key was rejected) for "
        "300 s, until 08:05:00 UTC; then one probe request",
        "code-interpreter gateway: deployment 'east-1' is half-open: one probe request may go",
        "code-interpreter gateway: deployment 'east-1' is open (the probe failed) for 30 s, "
        "until 08:00:30 UTC; then one probe request",
    ]


def test_the_server_log_names_the_deployment_never_its_url_or_key(caplog):
    caplog.set_level(logging.INFO)
    deployment = Deployment("pool-a", clock=FakeClock(), log=logging.getLogger("ServerApp"))
    deployment.record(Outcome(Verdict.FAILED, deployment.on_send(10)))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "'pool-a' is open (its first request failed)" in text
    assert "http" not in text and "sk-" not in text


def test_a_sole_deployment_failing_while_open_logs_once(caplog):
    caplog.set_level(logging.INFO, LOGGER)
    deployment, clock = make()
    for _ in range(9):  # the only deployment of its alias: still sent requests while open
        assert deployment.breaker.allows(sole=True)
        deployment.record(Outcome(Verdict.FAILED, deployment.on_send(10)))
    assert deployment.breaker.state == "open"
    assert [message for _, message in lines(caplog)] == [
        "code-interpreter gateway: deployment 'east-1' is open (3 failures in 30 s) for 30 s, "
        "until 08:00:30 UTC; then one probe request"
    ]
