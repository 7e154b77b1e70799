"""Goodput of the endpoint pool: how much of three rate-limited deployments' capacity reaches
the client, with one deployment in a 429 storm or one dying mid-run.

Three LLM simulators (one Azure deployment each, `rpm` + `tpm` + Azure's burst window) run in
this process. Requests arrive open-loop (Poisson) at 50 %, 90 % and 120 % of the three
deployments' summed RPM and go through:
  - ours: the gateway core (`Gateway.open_chat`: router + breaker + hop loop, no HTTP server in
    front, so the figures are about routing, not tornado),
  - round-robin: the baseline, each request to the next deployment, failures returned as is,
  - LiteLLM's Router (simple-shuffle, its default, with rpm/tpm given) when `--litellm PYTHON`
    names an interpreter that has litellm installed; it runs there and reaches the same
    simulators over HTTP.

    python benchmarks/goodput.py [--seconds 10] [--rpm 1200] [--litellm PYTHON]

Printed per cell: success rate; client-visible 429s, split into those answered while some live
deployment's capacity went unused ("room": its simulator windows had room from just before
the 429 through the next 50 ms; a routing failure) and those beyond the capacity (legitimate
when the offered load exceeds it); "inst", the older, looser count (room seen just before and
50 ms after, two instants, which under overload also counts slots that freed and were taken at
once); capacity used (successes completed within the offered window / min(offered, what the
deployments could admit: the live ones' share, plus what a dying one admitted before it died;
a 10 s run is one burst window, so the capacity is exact there); p95 latency; and for the
dying case how many requests reached the dead deployment after it died and how long until it
was dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from jupyterlab_code_interpreter.simulator import Simulator  # noqa: E402

KEY = "sk-bench-goodput"
NAMES = ("east", "west", "north")
BODY = {
    "model": "default",
    "messages": [{"role": "user", "content": "Say something short."}],
    "max_tokens": 40,
}


def scenario(name: str, rpm: int, storm: bool) -> dict:
    deployment = {"rpm": rpm, "tpm": rpm * 100, "burst": True}
    if storm:
        deployment["fault"] = {"kind": "rate_limit", "retry_after": 5}
    return {
        "api_key": KEY,
        "deployments": {name: deployment},
        "default": {"content": "Short answer."},
    }


class RoomSampler:
    """Every few milliseconds, whether some live simulator deployment would admit one more
    request (its 60 s, 10 s burst and token windows all have room), by wall-clock time so a
    subprocess's 429s can be matched too."""

    def __init__(self, sims: list, live: set[str]):
        self.sims, self.live = sims, live
        self.samples: list[tuple[float, bool]] = []
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            self.samples.append((time.time(), self.any_room()))
            await asyncio.sleep(0.005)

    def any_room(self) -> bool:
        now = time.monotonic()
        for sim, name in zip(self.sims, NAMES, strict=True):
            if name not in self.live:
                continue
            limits = sim._limits.get(name)  # created on the first request
            if limits is None:
                return True
            # The simulator's own windows (private, read-only here: a benchmark's view).
            windows = ((limits._requests, 1), (limits._burst, 1), (limits._tokens, 100))
            if all(w is None or w.wait_for(amount, now) == 0 for w, amount in windows):
                return True
        return False

    def count_with_room(
        self, times: list[float], settle: float = 0.05, continuous: bool = True
    ) -> int:
        """How many of the 429s at `times` (wall clock) came while capacity was left unused:
        the sampler saw room just before and in every sample of the next `settle` s. Under
        overload a slot frees every few ms and is claimed at once (by a request on its way:
        sent, not yet admitted, or by one that was waiting for it); seeing room at two
        instants then says nothing about unused capacity. `continuous=False` is the older,
        looser test: room just before and at `settle` s after (two instants)."""
        stamps = [t for t, _ in self.samples]
        count = 0
        for when in times:
            index = bisect.bisect_right(stamps, when) - 1
            later = bisect.bisect_left(stamps, when + settle)
            if index < 0 or not self.samples[index][1]:
                continue
            if continuous:
                room = all(room for _, room in self.samples[index + 1 : later + 1])
            else:
                room = self.samples[later][1] if later < len(self.samples) else True
            count += room
        return count


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class RoundRobin:
    """The baseline: the next deployment in turn, no health, no retry."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.turn = 0
        self.client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=1000))

    async def send(self) -> tuple[int, str]:
        url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        try:
            response = await self.client.post(url, json=BODY, headers={"api-key": KEY})
            return response.status_code, url
        except httpx.HTTPError:
            return 502, url

    async def aclose(self) -> None:
        await self.client.aclose()


class Ours:
    """The gateway core over the same deployments."""

    def __init__(self, bases: list[str], rpm: int):
        from jupyterlab_code_interpreter.gateway.core import Gateway

        config = SimpleNamespace(
            endpoints=[
                {
                    "name": name,
                    "kind": "azure",
                    "base_url": base,
                    "deployment": name,
                    "rpm": rpm,
                    "tpm": rpm * 100,
                    "api_key_env": "GOODPUT_KEY",
                }
                for name, base in zip(NAMES, bases, strict=True)
            ],
            endpoint={},
            connect_timeout=5.0,
            first_byte_timeout=30.0,
            read_timeout=30.0,
            max_hops=3,
            retry_budget=30.0,
            heartbeat_interval=0.0,
            allow_user_endpoints=True,
            allow_user_key_sources=False,
        )
        settings = SimpleNamespace(
            endpoint=lambda: (None, None), endpoints=lambda: None, stamp=lambda: None
        )
        self.gateway = Gateway(config, settings, {"GOODPUT_KEY": KEY})
        self.raw = json.dumps(BODY).encode()

    async def send(self) -> tuple[int, str]:
        from jupyterlab_code_interpreter.gateway.errors import GatewayError

        try:
            relay = await self.gateway.open_chat(self.raw, {})
        except GatewayError as error:
            return error.status, ""
        await relay.aclose()
        return relay.status, relay.endpoint.name if relay.endpoint else ""

    def requests_to(self, name: str) -> int:
        pool = self.gateway.pool()
        endpoint = next(e for e in pool.endpoints if e.name == name)
        return self.gateway.deployment(endpoint).usage.requests

    def dropped(self, name: str) -> bool:
        pool = self.gateway.pool()
        endpoint = next(e for e in pool.endpoints if e.name == name)
        return self.gateway.deployment(endpoint).breaker.state == "open"

    async def aclose(self) -> None:
        await self.gateway.aclose()


async def offer(router, rate: float, seconds: float, seed: int, on_half=None) -> dict:
    rng = random.Random(seed)
    results: list[tuple[float, int, float]] = []
    times_429: list[float] = []
    tasks = []
    start = time.monotonic()

    async def one(sent: float) -> None:
        status, _ = await router.send()
        results.append((sent - start, status, time.monotonic() - sent))
        if status == 429:
            times_429.append(time.time())

    next_at = start
    half_done = False
    while next_at - start < seconds:
        now = time.monotonic()
        if now < next_at:
            await asyncio.sleep(next_at - now)
        if on_half and not half_done and next_at - start >= seconds / 2:
            half_done = True
            await on_half()
        tasks.append(asyncio.ensure_future(one(next_at)))
        next_at += rng.expovariate(rate)
    await asyncio.gather(*tasks)
    ok = [r for r in results if r[1] == 200]
    return {
        "sent": len(results),
        "ok": len(ok),
        "ok_in_window": sum(1 for r in ok if r[0] + r[2] <= seconds),
        "client_429": len(times_429),
        "times_429": times_429,
        "p95_ms": percentile([r[2] for r in ok], 0.95) * 1000,
    }


async def cell(kind: str, case: str, load: float, args) -> dict:
    sims = [Simulator(scenario(n, args.rpm, case == "storm" and n == "north")) for n in NAMES]
    bases = [await sim.start() for sim in sims]
    urls = [
        f"{base}/openai/deployments/{name}/chat/completions?api-version=2024-10-21"
        for base, name in zip(bases, NAMES, strict=True)
    ]
    total_rpm = args.rpm * len(NAMES)
    rate = load * total_rpm / 60.0
    router = Ours(bases, args.rpm) if kind == "ours" else RoundRobin(urls)
    died: dict = {}
    sampler = RoomSampler(sims, {"east", "west"} if case == "storm" else set(NAMES))
    sampler.start()

    async def kill_west() -> None:
        sampler.live.discard("west")
        died["at"] = time.monotonic()
        died["before"] = router.requests_to("west") if kind == "ours" else 0
        await sims[1].stop()

        async def watch() -> None:
            while kind == "ours" and not router.dropped("west"):
                await asyncio.sleep(0.005)
            died["dropped_after_s"] = time.monotonic() - died["at"]

        if kind == "ours":
            died["watch"] = asyncio.ensure_future(watch())

    try:
        figures = await offer(router, rate, args.seconds, 1, kill_west if case == "dying" else None)
    finally:
        await sampler.stop()
        await router.aclose()
        for sim in sims:
            await sim.stop()
    times_429 = figures.pop("times_429")
    figures["429_room"] = sampler.count_with_room(times_429)
    figures["429_instants"] = sampler.count_with_room(times_429, continuous=False)
    capacity = window_capacity(case, args, sims)
    figures["capacity_used"] = figures["ok_in_window"] / min(figures["sent"], capacity)
    if case == "dying" and kind == "ours":
        figures["to_dead_after_death"] = router.requests_to("west") - died["before"]
        figures["dropped_after_s"] = died.get("dropped_after_s")
    return figures


def print_row(kind: str, case: str, load: float, f: dict) -> None:
    extra = ""
    if "to_dead_after_death" in f:
        extra = f"  dead: {f['to_dead_after_death']} req, dropped in {f['dropped_after_s']:.3f} s"
    print(
        f"{kind:<12}{case:<7}{load * 100:>5.0f}%{f['sent']:>7}{f['ok'] / f['sent'] * 100:>9.2f}%"
        f"{f['client_429']:>6}{f['429_room']:>6}{f['client_429'] - f['429_room']:>7}"
        f"{f['429_instants']:>6}"
        f"{f['capacity_used'] * 100:>9.1f}%{f['p95_ms']:>9.1f}{extra}",
        flush=True,
    )


async def main_async(args) -> None:
    print(
        f"{'router':<12}{'case':<7}{'load':>6}{'sent':>7}{'success':>10}{'429s':>6}{'room':>6}"
        f"{'beyond':>7}{'inst':>6}{'capacity':>10}{'p95 ms':>9}"
    )
    for case in ("storm", "dying"):
        for load in (0.5, 0.9, 1.2):
            for kind in ("ours", "round-robin"):
                print_row(kind, case, load, await cell(kind, case, load, args))
            if args.litellm:
                print_row("litellm", case, load, await litellm_cell(case, load, args))


async def litellm_cell(case: str, load: float, args) -> dict:
    sims = [Simulator(scenario(n, args.rpm, case == "storm" and n == "north")) for n in NAMES]
    bases = [await sim.start() for sim in sims]
    spec = {
        "bases": bases,
        "names": NAMES,
        "rpm": args.rpm,
        "key": KEY,
        "body": BODY,
        "rate": load * args.rpm * len(NAMES) / 60.0,
        "seconds": args.seconds,
    }
    sampler = RoomSampler(sims, {"east", "west"} if case == "storm" else set(NAMES))
    sampler.start()
    runner = Path(__file__).with_name("goodput_litellm.py")
    process = await asyncio.create_subprocess_exec(
        args.litellm,
        str(runner),
        json.dumps(spec),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "LITELLM_LOG": "ERROR"},
    )
    while (await process.stdout.readline()).strip() != b"READY":
        pass
    if case == "dying":
        await asyncio.sleep(args.seconds / 2)
        sampler.live.discard("west")
        await sims[1].stop()
    out, _ = await process.communicate()
    await sampler.stop()
    for sim in sims:
        await sim.stop()
    figures = json.loads(out.decode().strip().splitlines()[-1])
    times_429 = figures.pop("times_429")
    figures["429_room"] = sampler.count_with_room(times_429)
    figures["429_instants"] = sampler.count_with_room(times_429, continuous=False)
    capacity = window_capacity(case, args, sims)
    figures["capacity_used"] = figures["ok_in_window"] / min(figures["sent"], capacity)
    return figures


def window_capacity(case: str, args, sims: list) -> float:
    """Requests the deployments could admit in the run (a 10 s run is one burst window): the
    two live ones' share each, plus, when one dies at half-time, what it admitted before (its
    share after death is no capacity, and no router can know in advance to send it more)."""
    share = args.rpm / 60.0 * args.seconds
    if case == "storm":
        return 2 * share
    admitted = sum(1 for r in sims[1].requests if r["status"] == 200)
    return 2 * share + min(share, admitted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rpm", type=int, default=1200, help="per deployment")
    parser.add_argument("--litellm", help="a Python interpreter with litellm installed")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
