"""The users cell of benchmarks/hub_overhead.py: many hub users streaming at once through the
hub service under a daily token quota, and the same streams straight to the simulator: added
latency and quota accuracy."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from gateway_overhead import KEY, percentile
from hub_processes import create_users

USER_PROMPT = "stream-user: tell me something"
# The users' streams are paced as a fast model would send them (not instant), so that 50 of
# them overlap; the overhead cells use the simulator's instant default.
USER_RULE = {
    "match": {"last_user": "^stream-user"},
    "reply": {"content": "A streamed answer of about forty tokens, " * 4},
    "timing": {"ttft_ms": 0, "tokens_per_second": 200},
}


async def user_stream(session, url: str, headers: dict, body: bytes) -> dict:
    start = time.perf_counter()
    first, usage, data = None, None, b""
    async with session.post(url, data=body, headers=headers) as response:
        status = response.status
        async for piece in response.content.iter_any():
            if first is None and b"data: " in piece:  # the first event, not a heartbeat
                first = time.perf_counter() - start
            data += piece
    end = time.perf_counter() - start
    if status != 200:
        code = None
        try:
            code = json.loads(data)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            pass
        return {"status": status, "code": code}
    for line in data.split(b"\n"):
        if line.startswith(b"data: {") and b'"usage"' in line:
            found = json.loads(line[6:]).get("usage")
            if found:
                usage = found["prompt_tokens"] + found["completion_tokens"]
    return {"status": 200, "ttft": first, "total": end, "tokens": usage}


async def users_run(url: str, tokens: dict[str, str | None], per_user: int | None) -> dict:
    """Each user streams one request after another: `per_user` of them, or until refused."""
    body = {
        "model": "default",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": USER_PROMPT}],
    }
    raw = json.dumps(body).encode()
    # A connection per stream, on both paths: on a reused connection the simulator's paced
    # first event waits ~40 ms for the client's delayed ACK (Nagle's algorithm: it wrote the
    # headers just before), which would inflate the reference, not the service.
    connector = aiohttp.TCPConnector(limit=len(tokens) + 8, force_close=True)
    results: dict[str, list[dict]] = {name: [] for name in tokens}

    async def user(name: str, token: str | None) -> None:
        auth = f"token {token}" if token else f"Bearer {KEY}"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        while per_user is None or len(results[name]) < per_user:
            outcome = await user_stream(session, url, headers, raw)
            results[name].append(outcome)
            if outcome["status"] != 200 or len(results[name]) > 1000:
                return

    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(user(name, token) for name, token in tokens.items()))
        elapsed = time.perf_counter() - start
    return {"results": results, "seconds": elapsed}


async def usage_of(service_url: str, token: str) -> dict:
    headers = {"Authorization": f"token {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{service_url}usage?entries=0") as response:
            return await response.json()


async def users_cell(hub: dict, simulator_url: str, args) -> dict:
    names = [f"u{index:02d}" for index in range(1, args.users + 1)]
    tokens = await create_users(hub, names, group="bench-quota")
    service = await users_run(f"{hub['service_url']}v1/chat/completions", tokens, None)
    served = [len([o for o in rs if o["status"] == 200]) for rs in service["results"].values()]
    # The same number of streams per user straight to the simulator: the reference.
    per_user = max(1, round(sum(served) / len(served)))
    direct_tokens = {name: None for name in names}
    direct = await users_run(f"{simulator_url}/v1/chat/completions", direct_tokens, per_user)
    report = {"users": len(names), "day_tokens": args.day_tokens, "per_user_direct": per_user}
    for label, run in (("direct", direct), ("hub", service)):
        ok = [o for rs in run["results"].values() for o in rs if o["status"] == 200]
        report[label] = {
            "streams": len(ok),
            "seconds": run["seconds"],
            **{
                f"{what}_{q}": percentile([o[what] for o in ok], q) * 1000
                for what in ("ttft", "total")
                for q in (50, 99)
            },
        }
    for what in ("ttft", "total"):
        for q in (50, 99):
            key = f"{what}_{q}"
            report[f"added_{key}"] = report["hub"][key] - report["direct"][key]
    # Quota accuracy, per user: what the upstream counted for the streams the user received,
    # what the service counted, and how far past the limit the user got.
    received, counted, overshoot, refusals = {}, {}, [], {}
    for name, outcomes in service["results"].items():
        received[name] = sum(o["tokens"] or 0 for o in outcomes if o["status"] == 200)
        usage = await usage_of(hub["service_url"], tokens[name])
        counted[name] = usage["limits"]["tokens_per_day"]["used"]
        overshoot.append(received[name] - args.day_tokens)
        last = outcomes[-1]
        refusals[f"{last['status']} {last.get('code')}"] = (
            refusals.get(f"{last['status']} {last.get('code')}", 0) + 1
        )
    total_received, total_counted = sum(received.values()), sum(counted.values())
    per_request = total_received / max(1, report["hub"]["streams"])
    report["quota"] = {
        "tokens_received": total_received,
        "tokens_counted": total_counted,
        "counted_vs_received_pct": (total_counted - total_received) / total_received * 100,
        "users_with_count_off": sum(1 for n in names if counted[n] != received[n]),
        "overshoot_max": max(overshoot),
        "overshoot_min": min(overshoot),
        "tokens_per_request": per_request,
        "last_answer": refusals,
    }
    return report


def users_text(report: dict) -> str:
    lines = [
        f"{report['users']} users streaming at once, daily quota {report['day_tokens']} tokens "
        f"each (direct: {report['per_user_direct']} streams per user)",
        f"{'path':<8}{'streams':>8}{'s':>7}{'TTFT p50':>10}{'p99':>8}{'total p50':>11}{'p99':>8}",
    ]
    for label in ("direct", "hub"):
        r = report[label]
        lines.append(
            f"{label:<8}{r['streams']:>8}{r['seconds']:>7.1f}{r['ttft_50']:>10.2f}"
            f"{r['ttft_99']:>8.2f}{r['total_50']:>11.2f}{r['total_99']:>8.2f}"
        )
    lines.append(
        f"added   {'':>15}{report['added_ttft_50']:>10.2f}{report['added_ttft_99']:>8.2f}"
        f"{report['added_total_50']:>11.2f}{report['added_total_99']:>8.2f}"
    )
    q = report["quota"]
    lines.append(
        f"quota: tokens received {q['tokens_received']}, counted by the service "
        f"{q['tokens_counted']} ({q['counted_vs_received_pct']:+.2f} %; users whose count differs: "
        f"{q['users_with_count_off']}); past the limit per user: {q['overshoot_min']} to "
        f"{q['overshoot_max']} tokens (one request ~{q['tokens_per_request']:.0f}); last "
        f"answer per user: {q['last_answer']}"
    )
    return "\n".join(lines)
