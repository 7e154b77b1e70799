"""RPM/TPM windows with a fake clock."""

from jupyterlab_code_interpreter.simulator.limits import (
    DeploymentLimits,
    format_duration,
    retry_headers,
)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_rpm_refuses_then_recovers_after_the_window():
    clock = FakeClock()
    limits = DeploymentLimits(rpm=2, tpm=None, clock=clock)
    assert limits.admit(10).allowed
    clock.now += 20
    second = limits.admit(10)
    assert second.allowed and second.headers["x-ratelimit-remaining-requests"] == "0"
    refused = limits.admit(10)
    assert not refused.allowed
    assert refused.retry_after == 40  # the first request leaves the window 60 s after it came
    clock.now += 40
    assert limits.admit(10).allowed


def test_tpm_counts_tokens():
    clock = FakeClock()
    limits = DeploymentLimits(rpm=None, tpm=100, clock=clock)
    first = limits.admit(70)
    assert first.allowed and first.headers["x-ratelimit-remaining-tokens"] == "30"
    assert not limits.admit(40).allowed
    assert limits.admit(30).allowed


def test_burst_window_limits_short_bursts():
    clock = FakeClock()
    limits = DeploymentLimits(rpm=60, tpm=None, burst=True, clock=clock)
    assert all(limits.admit(1).allowed for _ in range(10))
    refused = limits.admit(1)
    assert not refused.allowed and 0 < refused.retry_after <= 10
    clock.now += 10
    assert limits.admit(1).allowed


def test_header_formats():
    assert retry_headers(2.2) == {"Retry-After": "3", "retry-after-ms": "2200"}
    assert format_duration(0.12) == "120ms"
    assert format_duration(6.5) == "6.5s"
    assert format_duration(90) == "1m30s"
