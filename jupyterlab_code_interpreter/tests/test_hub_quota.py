"""The hub service's quota rules, as pure data (hub/quota.py)."""

import calendar

import pytest

from jupyterlab_code_interpreter.hub.quota import (
    CONCURRENT_STREAMS,
    REQUESTS_PER_MINUTE,
    TOKENS_PER_DAY,
    TOKENS_PER_MINUTE,
    TOKENS_PER_MONTH,
    QuotaConfigError,
    QuotaPolicy,
    first_refusal,
    plan_request,
    refusal_message,
)

NOW = calendar.timegm((2026, 12, 31, 23, 59, 30))  # the last minute of a year


def test_user_entry_wins_then_most_generous_group_then_default():
    policy = QuotaPolicy.from_config(
        {
            "default": {TOKENS_PER_DAY: 100, REQUESTS_PER_MINUTE: 5, TOKENS_PER_MONTH: 1000},
            "groups": {"a": {TOKENS_PER_DAY: 300}, "b": {TOKENS_PER_DAY: 200}, "c": {}},
            "users": {"ann": {TOKENS_PER_DAY: 50, TOKENS_PER_MONTH: None}},
        }
    )
    assert policy.limits_for("bob")[TOKENS_PER_DAY] == 100
    assert policy.limits_for("bob", ["b", "a", "c"])[TOKENS_PER_DAY] == 300
    assert policy.limits_for("bob", ["b"])[REQUESTS_PER_MINUTE] == 5
    ann = policy.limits_for("ann", ["a"])
    assert ann[TOKENS_PER_DAY] == 50 and ann[TOKENS_PER_MONTH] is None
    assert policy.limits_for("bob")[CONCURRENT_STREAMS] is None


def test_a_group_without_limit_is_the_most_generous():
    policy = QuotaPolicy.from_config(
        {"default": {TOKENS_PER_DAY: 1}, "groups": {"x": {TOKENS_PER_DAY: None}, "y": {}}}
    )
    assert policy.limits_for("u", ["x"])[TOKENS_PER_DAY] is None


@pytest.mark.parametrize(
    "config, words",
    [
        ({"default": {"tokens_per_week": 1}}, "unknown limit 'tokens_per_week'"),
        ({"default": {TOKENS_PER_DAY: "10"}}, "quotas.default.tokens_per_day"),
        ({"users": {"a": {TOKENS_PER_DAY: -1}}}, "must not be negative"),
        ({"users": []}, "quotas.users must map"),
        ({"people": {}}, "unknown section"),
    ],
)
def test_bad_configuration_names_the_entry(config, words):
    with pytest.raises(QuotaConfigError, match=words):
        QuotaPolicy.from_config(config)


def test_plan_windows_and_reset_times():
    limits = {TOKENS_PER_MINUTE: 10, TOKENS_PER_DAY: None}
    plan = plan_request("ann", limits, 40, NOW, "s1")
    by_name = {c.name: c for c in plan.checks}
    assert by_name[TOKENS_PER_MONTH].key == "u:ann:tok:mo:2026-12"
    assert by_name[TOKENS_PER_DAY].key == "u:ann:tok:d:2026-12-31"
    new_year = calendar.timegm((2027, 1, 1, 0, 0, 0))
    for name in (TOKENS_PER_MONTH, TOKENS_PER_DAY, TOKENS_PER_MINUTE, REQUESTS_PER_MINUTE):
        assert by_name[name].resets_at == new_year
    assert by_name[TOKENS_PER_MINUTE].amount == 40 and by_name[REQUESTS_PER_MINUTE].amount == 1
    assert by_name[TOKENS_PER_MINUTE].limit == 10 and by_name[TOKENS_PER_DAY].limit is None
    assert set(plan.token_keys) == {
        by_name[n].key for n in (TOKENS_PER_MONTH, TOKENS_PER_DAY, TOKENS_PER_MINUTE)
    }


def test_refused_at_the_limit_not_before_quotas_first():
    limits = {REQUESTS_PER_MINUTE: 2, TOKENS_PER_DAY: 100}
    plan = plan_request("ann", limits, 10, NOW, "s1")
    key = {c.name: c.key for c in plan.checks}
    assert first_refusal(plan, {key[REQUESTS_PER_MINUTE]: 1, key[TOKENS_PER_DAY]: 99}, NOW) is None
    both = {key[REQUESTS_PER_MINUTE]: 2, key[TOKENS_PER_DAY]: 100}
    refusal = first_refusal(plan, both, NOW)
    assert (refusal.limit, refusal.status, refusal.value) == (TOKENS_PER_DAY, 403, 100)
    refusal = first_refusal(plan, {key[REQUESTS_PER_MINUTE]: 2}, NOW)
    assert (refusal.limit, refusal.status, refusal.retry_after) == (REQUESTS_PER_MINUTE, 429, 30)


def test_messages_say_which_limit_and_when():
    plan = plan_request("ann", {TOKENS_PER_MONTH: 5, TOKENS_PER_MINUTE: 7}, 1, NOW, "s")
    key = {c.name: c.key for c in plan.checks}
    month = refusal_message(first_refusal(plan, {key[TOKENS_PER_MONTH]: 5}, NOW))
    assert (
        month
        == "Your quota of 5 tokens per month is used up; it resets at 2027-01-01 00:00:00 UTC."
    )
    minute = refusal_message(first_refusal(plan, {key[TOKENS_PER_MINUTE]: 9}, NOW))
    assert "7 tokens per minute; try again in 30 s" in minute
    streams = plan_request("ann", {CONCURRENT_STREAMS: 1}, 1, NOW, "s")
    refusal = first_refusal(streams, {streams.checks[2].key: 1}, NOW)
    assert refusal.status == 429 and refusal.retry_after == 1
    assert "1 answer streaming" in refusal_message(refusal)
