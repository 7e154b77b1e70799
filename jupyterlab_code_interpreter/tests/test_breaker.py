"""The per-deployment circuit breaker, driven by a fake clock."""

from jupyterlab_code_interpreter.gateway.breaker import Breaker, BreakerPolicy

from .fake_time import FakeClock


def answered(breaker: Breaker) -> Breaker:
    """A breaker past its slow start (its deployment has answered once)."""
    breaker.on_send()
    breaker.on_answered()
    breaker.on_release()
    return breaker


def test_429_cools_down_for_retry_after_then_heals():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    breaker.on_rate_limited(7.0)
    assert breaker.state == "cooling" and not breaker.allows()
    assert breaker.until == 1007.0
    clock.now += 6.9
    assert not breaker.allows()
    clock.now += 0.2
    assert breaker.state == "healthy" and breaker.allows()


def test_429_without_retry_after_cools_for_ten_seconds():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    breaker.on_rate_limited(None)
    assert breaker.until == 1010.0


def test_three_failures_in_the_window_open_it_then_a_single_probe():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    for _ in range(2):
        breaker.on_send()
        breaker.on_failure()
    assert breaker.state == "healthy"
    breaker.on_send()
    breaker.on_failure()
    assert breaker.state == "open" and breaker.until == 1030.0
    clock.now += 30
    assert breaker.state == "half_open" and breaker.allows()
    breaker.on_send()
    assert not breaker.allows()  # one probe at a time
    breaker.on_success()
    assert breaker.state == "healthy" and breaker.allows()


def test_failures_spread_beyond_the_window_do_not_open_it():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    for _ in range(5):
        breaker.on_failure()
        clock.now += 16
    assert breaker.state == "healthy"


def test_a_failed_probe_reopens_for_twice_as_long_up_to_five_minutes():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    for _ in range(3):
        breaker.on_failure()
    durations = []
    for _ in range(6):
        durations.append(breaker.until - clock.now)
        clock.now = breaker.until
        assert breaker.state == "half_open"
        breaker.on_send()
        breaker.on_failure()
    assert durations == [30, 60, 120, 240, 300, 300]


def test_half_of_ten_requests_failing_opens_it():
    clock = FakeClock()
    breaker = Breaker(BreakerPolicy(failures_to_open=100), clock=clock)  # the ratio rule alone
    for _ in range(5):
        breaker.on_success()
    for _ in range(4):
        breaker.on_failure()
    assert breaker.state == "healthy"  # 4 of 9
    breaker.on_failure()
    assert breaker.state == "open"  # 5 of 10


def test_auth_failure_opens_for_five_minutes_and_is_marked():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    breaker.on_auth_failure()
    assert breaker.state == "open" and breaker.auth_failed
    assert breaker.until == 1300.0


def test_a_released_probe_lets_another_probe_go():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    for _ in range(3):
        breaker.on_failure()
    clock.now += 31
    breaker.on_send()
    assert not breaker.allows()
    breaker.on_release()
    assert breaker.allows()


def test_a_sole_deployment_is_spared_by_failures_and_bad_keys_but_not_by_429s():
    clock = FakeClock()
    breaker = answered(Breaker(clock=clock))
    for _ in range(3):
        breaker.on_send()
        breaker.on_failure()
    assert breaker.state == "open" and not breaker.allows()
    assert breaker.allows(sole=True)  # the alias has nothing else: keep trying it
    breaker.on_send()
    breaker.on_success()
    assert breaker.state == "healthy"
    breaker.on_rate_limited(5)
    assert not breaker.allows(sole=True)
    clock.now += 6
    breaker.on_auth_failure()
    assert not breaker.allows()  # in a pool, a rejected key keeps the deployment out
    assert breaker.allows(sole=True)  # alone, the next prompt tries again (a fixed key works)
