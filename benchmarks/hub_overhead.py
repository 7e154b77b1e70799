"""What the hub service adds, side by side with the single-user gateway and LiteLLM's proxy, in
one run against the same instant upstream (the LLM simulator); then 50 simulated users streaming
through the service under a daily token quota.

    python benchmarks/hub_overhead.py [--requests 1000] [--rounds 5] [--rate 200]
        [--rate-seconds 10] [--users 50] [--litellm PYTHON] [--no-hub]

Processes, each of its own, started here on free ports: the simulator; a real `jupyter server`
with our extension (the single-user gateway, `gateway_overhead.start_server`); LiteLLM's proxy
(`litellm --config`, one worker, a master key) when `--litellm` names an interpreter that has
`litellm[proxy]`; and a real JupyterHub (PyPI) with configurable-http-proxy (npm) loading
jupyter_config/jupyterhub/jupyterhub_config.py, which starts the hub service as the managed
service it declares. Every path is called directly at its own port with the same body: the
simulator (`direct`), the single-user gateway (`gateway`, the server's token), the service
(`hub`, a hub user's API token, checked by the service against the hub: once, then from
HubAuth's cache, as in production), a user's `jupyter server` in forwarding mode in front of
the service (`forward`: the whole hub path, browser to user server to service to endpoint; its
`cpu µs` is the user server's alone) and LiteLLM (`litellm`, its master key).

Cells: c = 1 closed loop and an open loop at `--rate` requests/s, whole answers and streamed
(time to the first chunk), the paths' requests taken in `--rounds` blocks in turn so the
neighbours' load weighs on all alike. `cpu µs` is the serving process's CPU per request (its
threads and children, from /proc). The load generator is one aiohttp client in this process.

Then `--users` hub users stream at once, each sending requests one after the other until the
service refuses one, first straight to the simulator (the same streams, for the reference),
then through the service, whose `tokens_per_day` quota is `--day-tokens`: added time to the
first chunk and to the end (p50/p99), and quota accuracy: the tokens each user received
(the usage chunks), the tokens the service counted, and how far past its limit each went.

Prints the tables, the goals met or not, the load average, and writes
`benchmarks/results/hub-overhead-<time>.json` and `.md`. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
import gateway_overhead as single
from gateway_overhead import KEY, SCENARIO, percentile
from hub_processes import (
    create_users,
    load_average,
    start_forwarding_server,
    start_hub,
    start_litellm,
    stop,
    tree_cpu,
)
from hub_users import USER_RULE, users_cell, users_text

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BODY = {"model": "default", "messages": [{"role": "user", "content": "Say something short."}]}
GOALS = "hub at c = 1: added p50 <= 0.5 ms, p99 <= 2 ms, cpu <= 300 µs; at the rate: p99 <= 5 ms"


async def one(session: aiohttp.ClientSession, target: dict, stream: bool) -> float:
    body = target["stream_body"] if stream else target["body"]
    start = time.perf_counter()
    async with session.post(target["url"], data=body, headers=target["headers"]) as response:
        if response.status != 200:
            raise RuntimeError(f"{target['name']}: HTTP {response.status}")
        if not stream:
            await response.read()
            return time.perf_counter() - start
        first = None
        async for piece in response.content.iter_any():
            # The first event: a relay may send bytes of its own first (a heartbeat comment).
            if first is None and b"data: " in piece:
                first = time.perf_counter() - start
        return first if first is not None else time.perf_counter() - start


async def closed_loop(target: dict, stream: bool, total: int) -> list[float]:
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(5):
            await one(session, target, stream)
        return [await one(session, target, stream) for _ in range(total)]


async def open_loop(target: dict, stream: bool, rate: float, seconds: float) -> list[float]:
    connector = aiohttp.TCPConnector(limit=1000)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(one(session, target, stream) for _ in range(16)))
        tasks, start = [], time.perf_counter()
        for index in range(int(rate * seconds)):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(session, target, stream)))
        return list(await asyncio.gather(*tasks))


async def overhead(targets: list[dict], args) -> list[dict]:
    rows = []
    cells = [(False, None), (True, None)]
    if args.rate:
        cells += [(False, args.rate), (True, args.rate)]
    for stream, rate in cells:
        timings = {t["name"]: [] for t in targets}
        cpu = dict.fromkeys(timings, 0.0)
        sent = dict.fromkeys(timings, 0)
        rounds = 1 if rate else args.rounds
        for _ in range(rounds):
            for target in targets:
                before = tree_cpu(target["pid"])
                if rate:
                    taken = await open_loop(target, stream, rate, args.rate_seconds)
                    sent[target["name"]] += len(taken) + 16
                else:
                    taken = await closed_loop(target, stream, args.requests // rounds)
                    sent[target["name"]] += len(taken) + 5
                cpu[target["name"]] += tree_cpu(target["pid"]) - before
                timings[target["name"]] += taken
        for name, values in timings.items():
            rows.append(
                {
                    "metric": "stream TTFT" if stream else "non-stream",
                    "load": f"{rate:g}/s" if rate else "c=1",
                    "n": len(values),
                    "path": name,
                    "p50": percentile(values, 50) * 1000,
                    "p95": percentile(values, 95) * 1000,
                    "p99": percentile(values, 99) * 1000,
                    "cpu_us": cpu[name] / sent[name] * 1e6,
                }
            )
    for row in rows:
        direct = next(
            r
            for r in rows
            if r["path"] == "direct" and (r["metric"], r["load"]) == (row["metric"], row["load"])
        )
        for q in ("p50", "p95", "p99"):
            row[f"added_{q}"] = None if row is direct else row[q] - direct[q]
    return rows


def overhead_table(rows: list[dict]) -> str:
    header = (
        f"{'metric':<12}{'load':>7}{'n':>6}  {'path':<9}{'p50':>10}{'p95':>10}{'p99':>10}"
        f"  {'added p50':>10}{'p95':>10}{'p99':>10}  {'cpu µs':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        line = f"{r['metric']:<12}{r['load']:>7}{r['n']:>6}  {r['path']:<9}"
        line += f"{r['p50']:>10.2f}{r['p95']:>10.2f}{r['p99']:>10.2f}"
        if r["added_p50"] is None:
            line += " " * 32
        else:
            line += f"  {r['added_p50']:>10.2f}{r['added_p95']:>10.2f}{r['added_p99']:>10.2f}"
        lines.append(f"{line}  {r['cpu_us']:>7.0f}")
    return "\n".join(lines)


def goals(rows: list[dict], rate: float) -> list[str]:
    found = []
    for r in rows:
        if r["path"] != "hub":
            continue
        if r["load"] == "c=1":
            met = r["added_p50"] <= 0.5 and r["added_p99"] <= 2 and r["cpu_us"] <= 300
            what = f"added p50 {r['added_p50']:.2f} ms, p99 {r['added_p99']:.2f} ms, "
            what += f"cpu {r['cpu_us']:.0f} µs"
        else:
            met = r["added_p99"] <= 5
            what = f"added p99 {r['added_p99']:.2f} ms"
        verdict = "met" if met else "NOT met"
        found.append(f"hub {r['metric']} {r['load']}: {what}: {verdict}")
    return found


def target(name, url, headers, pid, model="default") -> dict:
    body = {**BODY, "model": model}
    return {
        "name": name,
        "url": url,
        "headers": {**headers, "Content-Type": "application/json"},
        "pid": pid,
        "body": json.dumps(body).encode(),
        "stream_body": json.dumps({**body, "stream": True}).encode(),
    }


async def run(args) -> None:
    load_start = load_average()
    started = time.strftime("%Y-%m-%d-%H-%M", time.gmtime())
    processes: list[tuple[subprocess.Popen, bool]] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        home = Path(tmp)
        try:
            scenario = {**SCENARIO, "rules": [USER_RULE]}
            (home / "scenario.json").write_text(json.dumps(scenario))
            simulator, simulator_url = single.start_simulator(home / "scenario.json")
            processes.append((simulator, False))
            token = secrets.token_hex(16)
            server, server_url = single.start_server(str(home / "server"), simulator_url, token)
            processes.append((server, False))
            targets = [
                target(
                    "direct",
                    f"{simulator_url}/v1/chat/completions",
                    {"Authorization": f"Bearer {KEY}"},
                    simulator.pid,
                ),
                target(
                    "gateway",
                    f"{server_url}/code-interpreter/v1/chat/completions",
                    {"Authorization": f"token {token}"},
                    server.pid,
                ),
            ]
            hub = None
            if not args.no_hub:
                hub = start_hub(home / "hub", simulator_url, args.day_tokens)
                processes.append((hub["process"], True))
                user_token = (await create_users(hub, ["bench"]))["bench"]
                targets.append(
                    target(
                        "hub",
                        f"{hub['service_url']}v1/chat/completions",
                        {"Authorization": f"token {user_token}"},
                        hub["pid"],
                    )
                )
                user = start_forwarding_server(home / "user", hub["service_url"], user_token)
                processes.append((user["process"], False))
                targets.append(
                    target(
                        "forward",
                        f"{user['url']}/code-interpreter/v1/chat/completions",
                        {"Authorization": f"token {user['token']}"},
                        user["pid"],
                    )
                )
            if args.litellm:
                litellm = start_litellm(args.litellm, home, simulator_url)
                processes.append((litellm["process"], False))
                targets.append(
                    target(
                        "litellm",
                        f"{litellm['url']}/v1/chat/completions",
                        {"Authorization": f"Bearer {litellm['key']}"},
                        litellm["pid"],
                    )
                )
            print(f"paths: {', '.join(t['name'] for t in targets)}; load average {load_start}")
            rows = await overhead(targets, args)
            load_mid = load_average()
            table = overhead_table(rows)
            print(table)
            verdicts = goals(rows, args.rate)
            print("\n".join(verdicts))
            users = None
            if hub is not None and args.users:
                users = await users_cell(hub, simulator_url, args)
                print(users_text(users))
        finally:
            for process, group in reversed(processes):
                stop(process, group)
    load_end = load_average()
    print(f"load average (1, 5, 15 min): start {load_start}, middle {load_mid}, end {load_end}")
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"hub-overhead-{started}"
    record = {
        "started_utc": started,
        "args": vars(args),
        "load_average": {"start": load_start, "middle": load_mid, "end": load_end},
        "overhead": rows,
        "goals": verdicts,
        "users": users,
    }
    stem.with_suffix(".json").write_text(json.dumps(record, indent=1))
    text = [f"# Hub overhead, {started} UTC", "", f"Load average: start {load_start}, "]
    text[-1] += f"middle {load_mid}, end {load_end} (2 shared cores)."
    text += ["", "```", table, "```", "", f"Goals ({GOALS}):", ""]
    text += [f"- {v}" for v in verdicts]
    if users is not None:
        text += ["", "```", users_text(users), "```"]
    stem.with_suffix(".md").write_text("\n".join(text) + "\n")
    print(f"written: {stem}.json, .md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per path, c = 1 cells")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=200.0, help="0: no open-loop cells")
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=50, help="0: no users cell")
    parser.add_argument("--day-tokens", type=int, default=1500)
    parser.add_argument("--litellm", help="a Python interpreter with litellm[proxy] installed")
    parser.add_argument("--no-hub", action="store_true", help="leave the hub service out")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
