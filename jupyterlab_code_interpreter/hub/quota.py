"""Per-user quotas, as data: which limits apply to a user, which counters a request touches,
and what a refusal says. No I/O and no tornado: the state backends (state_sqlite.py,
state_redis.py) apply a `Plan` atomically, the service turns a `Refusal` into HTTP.

Windows are calendar windows in UTC (this minute, day, month), so a refusal can say exactly
when its limit resets, and replicas sharing one store agree on the window without talking.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

REQUESTS_PER_MINUTE = "requests_per_minute"
TOKENS_PER_MINUTE = "tokens_per_minute"
TOKENS_PER_DAY = "tokens_per_day"
TOKENS_PER_MONTH = "tokens_per_month"
CONCURRENT_STREAMS = "concurrent_streams"
LIMIT_NAMES = (
    REQUESTS_PER_MINUTE,
    TOKENS_PER_MINUTE,
    TOKENS_PER_DAY,
    TOKENS_PER_MONTH,
    CONCURRENT_STREAMS,
)
# A rate frees up within a minute (429, retry); a quota only with the next day or month (403).
QUOTAS = (TOKENS_PER_MONTH, TOKENS_PER_DAY)
# A running request holds its slot at most this long, so a replica that dies mid-stream does
# not keep a user's slot forever.
STREAM_LEASE = 3600.0
# Counters outlive their window a little, so a late correction still finds its key.
_KEY_GRACE = 120


class QuotaConfigError(ValueError):
    """The quota configuration is malformed; the message names the entry."""


Limits = dict[str, int | None]


def parse_limits(entry: object, where: str) -> Limits:
    """One entry of the configuration (`default`, a user's, a group's) as {limit: int or None}."""
    if not isinstance(entry, Mapping):
        raise QuotaConfigError(f"{where} must be a dict of limits, got {type(entry).__name__}.")
    limits: Limits = {}
    for name, value in entry.items():
        if name not in LIMIT_NAMES:
            known = ", ".join(LIMIT_NAMES)
            raise QuotaConfigError(f"{where}: unknown limit {name!r} (known: {known}).")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise QuotaConfigError(f"{where}.{name} must be a whole number or None.")
        if value is not None and value < 0:
            raise QuotaConfigError(f"{where}.{name} must not be negative.")
        limits[name] = value
    return limits


@dataclass
class QuotaPolicy:
    """Defaults plus per-user and per-group overrides (docs/hub-service.md, "Quotas")."""

    default: Limits = field(default_factory=dict)
    users: dict[str, Limits] = field(default_factory=dict)
    groups: dict[str, Limits] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping) -> QuotaPolicy:
        unknown = set(config) - {"default", "users", "groups"}
        if unknown:
            raise QuotaConfigError(f"quotas: unknown section(s) {sorted(unknown)}.")
        policy = cls(default=parse_limits(config.get("default", {}), "quotas.default"))
        for section in ("users", "groups"):
            entries = config.get(section, {})
            if not isinstance(entries, Mapping):
                raise QuotaConfigError(f"quotas.{section} must map names to limits.")
            for name, entry in entries.items():
                parsed = parse_limits(entry, f"quotas.{section}.{name}")
                getattr(policy, section)[str(name)] = parsed
        return policy

    def limits_for(self, user: str, groups: Iterable[str] = ()) -> Limits:
        """For each limit: the user's own entry if it names it, else the most generous of their
        groups' entries that name it (None, no limit, being the most generous), else the
        default."""
        own = self.users.get(user, {})
        granted = [self.groups[g] for g in groups if g in self.groups]
        limits: Limits = {}
        for name in LIMIT_NAMES:
            if name in own:
                limits[name] = own[name]
                continue
            values = [g[name] for g in granted if name in g]
            if values:
                limits[name] = None if None in values else max(v for v in values if v is not None)
            else:
                limits[name] = self.default.get(name)
        return limits


@dataclass(frozen=True)
class Check:
    """One counter a request touches: `key` (the store's name for it) grows by `amount`;
    when `limit` is set, the request is refused if the counter is already at or past it.
    `streams` marks the set of running requests (its size is compared, one member added)."""

    name: str
    key: str
    limit: int | None
    amount: int
    resets_at: float
    expires_in: int
    streams: bool = False


@dataclass(frozen=True)
class Plan:
    """What admitting one request means, in the order the limits are checked (quotas first:
    a used-up day is the news, not the minute's rate)."""

    user: str
    checks: tuple[Check, ...]
    estimate: int
    stream_id: str
    stream_expires: float

    @property
    def token_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.checks if c.name.startswith("tokens_"))


@dataclass(frozen=True)
class Refusal:
    """The first limit a request ran into."""

    limit: str
    value: int
    resets_at: float
    now: float

    @property
    def status(self) -> int:
        return 403 if self.limit in QUOTAS else 429

    @property
    def retry_after(self) -> int:
        """Whole seconds until the limit frees up (at least 1)."""
        return max(1, int(-(-(self.resets_at - self.now) // 1)))


def plan_request(user: str, limits: Limits, estimate: int, now: float, stream_id: str) -> Plan:
    """The counters one request touches at `now` (Unix seconds): all four are always counted
    (so a limit set later starts from what was really used), only set limits are checked."""
    minute = int(now // 60)
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    month = day[:7]
    minute_end = (minute + 1) * 60.0
    day_end = _next_day(now)
    month_end = _next_month(now)
    prefix = f"u:{user}:"

    def check(name: str, key: str, amount: int, resets_at: float) -> Check:
        expires_in = int(resets_at - now) + _KEY_GRACE
        return Check(name, prefix + key, limits.get(name), amount, resets_at, expires_in)

    checks = (
        check(TOKENS_PER_MONTH, f"tok:mo:{month}", estimate, month_end),
        check(TOKENS_PER_DAY, f"tok:d:{day}", estimate, day_end),
        Check(
            CONCURRENT_STREAMS,
            prefix + "streams",
            limits.get(CONCURRENT_STREAMS),
            1,
            now + 1.0,
            int(STREAM_LEASE) + _KEY_GRACE,
            streams=True,
        ),
        check(REQUESTS_PER_MINUTE, f"req:m:{minute}", 1, minute_end),
        check(TOKENS_PER_MINUTE, f"tok:m:{minute}", estimate, minute_end),
    )
    return Plan(user, checks, estimate, stream_id, now + STREAM_LEASE)


def first_refusal(plan: Plan, used: Mapping[str, int], now: float) -> Refusal | None:
    """The first set limit whose counter (`used`, by key; running streams for the streams key)
    is already at or past it, else None: what both backends decide inside their transaction."""
    for check in plan.checks:
        if check.limit is not None and used.get(check.key, 0) >= check.limit:
            return Refusal(check.name, check.limit, check.resets_at, now)
    return None


def refusal_message(refusal: Refusal) -> str:
    """What the panel shows: which limit, and when it frees up."""
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(refusal.resets_at))
    value = refusal.value
    if refusal.limit == CONCURRENT_STREAMS:
        return (
            f"You already have {value} answer{'s' if value != 1 else ''} streaming, the most "
            "allowed at once; wait for one to finish, then send again."
        )
    plural = "s" if value != 1 else ""
    what = {
        REQUESTS_PER_MINUTE: f"{value} request{plural} per minute",
        TOKENS_PER_MINUTE: f"{value} token{plural} per minute",
        TOKENS_PER_DAY: f"{value} token{plural} per day",
        TOKENS_PER_MONTH: f"{value} token{plural} per month",
    }[refusal.limit]
    if refusal.limit in QUOTAS:
        return f"Your quota of {what} is used up; it resets at {when}."
    return (
        f"You reached your limit of {what}; try again in {refusal.retry_after} s "
        f"(it resets at {when})."
    )


def _next_day(now: float) -> float:
    return (int(now // 86400) + 1) * 86400.0


def _next_month(now: float) -> float:
    t = time.gmtime(now)
    year, month = (t.tm_year + 1, 1) if t.tm_mon == 12 else (t.tm_year, t.tm_mon + 1)
    return float(calendar.timegm((year, month, 1, 0, 0, 0)))
