"""The shared state backend: Redis, for several replicas of the service.

An admission is one Lua script (checked and counted in one step on the server, so replicas
never both take the last unit of a limit); a correction is INCRBY on the same keys. The usage
log keeps per-user, per-day totals in hashes (what the reports read) and the entries in a
capped stream per user.
"""

from __future__ import annotations

import time

from .quota import Plan, Refusal
from .state import UsageEntry, empty_totals

PREFIX = "code-interpreter:"
_LOG_LENGTH = 10000  # entries kept per user (the totals are kept whole)

# KEYS: the plan's keys in order. ARGV: now, stream id, stream expiry, then per check:
# limit (-1: none), amount, expires_in, is_streams (1/0).
# Returns 0 when admitted, else the 1-based index of the first limit reached.
_ADMIT = """
local now = tonumber(ARGV[1])
local n = #KEYS
for i = 1, n do
  local base = 3 + (i - 1) * 4
  local limit = tonumber(ARGV[base + 1])
  local streams = ARGV[base + 4] == '1'
  local used
  if streams then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    used = redis.call('ZCARD', KEYS[i])
  else
    used = tonumber(redis.call('GET', KEYS[i]) or '0')
  end
  if limit >= 0 and used >= limit then
    return i
  end
end
for i = 1, n do
  local base = 3 + (i - 1) * 4
  local ttl = tonumber(ARGV[base + 3])
  if ARGV[base + 4] == '1' then
    redis.call('ZADD', KEYS[i], ARGV[3], ARGV[2])
  else
    redis.call('INCRBY', KEYS[i], ARGV[base + 2])
  end
  redis.call('EXPIRE', KEYS[i], ttl)
end
return 0
"""

_FIELDS = ("requests", "refused", "prompt_tokens", "completion_tokens")


class RedisState:
    def __init__(self, url: str, prefix: str = PREFIX):
        import redis.asyncio as redis

        self.url = url
        self.prefix = prefix
        self._redis = redis.from_url(url, decode_responses=True)
        self._admit = self._redis.register_script(_ADMIT)

    async def admit(self, plan: Plan, now: float) -> Refusal | None:
        keys = [self.prefix + c.key for c in plan.checks]
        args: list = [now, plan.stream_id, plan.stream_expires]
        for check in plan.checks:
            limit = -1 if check.limit is None else check.limit
            args += [limit, check.amount, check.expires_in, 1 if check.streams else 0]
        index = int(await self._admit(keys=keys, args=args))
        if index == 0:
            return None
        check = plan.checks[index - 1]
        return Refusal(check.name, check.limit or 0, check.resets_at, now)

    async def settle(self, plan: Plan, tokens: int, entry: UsageEntry | None = None) -> None:
        """One round trip: the correction, the freed slot and the log entry."""
        delta = tokens - plan.estimate
        async with self._redis.pipeline(transaction=True) as pipe:
            if delta:
                for key in plan.token_keys:
                    pipe.incrby(self.prefix + key, delta)
            for check in plan.checks:
                if check.streams:
                    pipe.zrem(self.prefix + check.key, plan.stream_id)
            if entry is not None:
                self._log(pipe, entry)
            await pipe.execute()

    async def record(self, entry: UsageEntry) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            self._log(pipe, entry)
            await pipe.execute()

    def _log(self, pipe, entry: UsageEntry) -> None:
        day = time.strftime("%Y-%m-%d", time.gmtime(entry.time))
        totals = f"{self.prefix}usage:{entry.user}:{day}"
        refused = entry.status in (403, 429)
        pipe.sadd(f"{self.prefix}usage:users", entry.user)
        pipe.sadd(f"{self.prefix}usage-days:{entry.user}", day)
        pipe.hincrby(totals, "requests", 1 if entry.status < 400 else 0)
        pipe.hincrby(totals, "refused", 1 if refused else 0)
        pipe.hincrby(totals, "prompt_tokens", entry.prompt_tokens)
        pipe.hincrby(totals, "completion_tokens", entry.completion_tokens)
        fields = {k: v for k, v in entry.__dict__.items() if v is not None}
        pipe.xadd(
            f"{self.prefix}log:{entry.user}",
            {k: str(v) for k, v in fields.items()},
            maxlen=_LOG_LENGTH,
            approximate=True,
        )

    async def usage(self, user: str | None = None, since: float = 0.0) -> dict[str, dict]:
        if user is None:
            users = sorted(await self._redis.smembers(f"{self.prefix}usage:users"))
        else:
            users = [user]
        first_day = time.strftime("%Y-%m-%d", time.gmtime(since))
        report = {}
        for name in users:
            recorded = await self._redis.smembers(f"{self.prefix}usage-days:{name}")
            days = [f"{self.prefix}usage:{name}:{d}" for d in sorted(recorded) if d >= first_day]
            if not days:
                continue
            totals = empty_totals()
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in days:
                    pipe.hgetall(key)
                for values in await pipe.execute():
                    for field in _FIELDS:
                        totals[field] += int(values.get(field, 0))
            totals["total_tokens"] = totals["prompt_tokens"] + totals["completion_tokens"]
            report[name] = totals
        return report

    async def entries(self, user: str, since: float = 0.0, limit: int = 100) -> list[dict]:
        rows = await self._redis.xrevrange(f"{self.prefix}log:{user}", count=limit)
        found = []
        for _, fields in rows:
            entry = UsageEntry(
                user=fields["user"],
                time=float(fields["time"]),
                alias=fields.get("alias", ""),
                deployment=fields.get("deployment", ""),
                prompt_tokens=int(fields.get("prompt_tokens", 0)),
                completion_tokens=int(fields.get("completion_tokens", 0)),
                status=int(fields.get("status", 0)),
                prompt=fields.get("prompt"),
            )
            if entry.time >= since:
                found.append(entry.as_dict())
        return found

    async def counters(self, plan: Plan, now: float) -> dict[str, int]:
        values = {}
        for check in plan.checks:
            key = self.prefix + check.key
            if check.streams:
                await self._redis.zremrangebyscore(key, "-inf", now)
                values[check.name] = int(await self._redis.zcard(key))
            else:
                values[check.name] = int(await self._redis.get(key) or 0)
        return values

    async def ping(self) -> None:
        await self._redis.ping()

    async def aclose(self) -> None:
        await self._redis.aclose()
