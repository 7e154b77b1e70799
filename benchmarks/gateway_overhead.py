"""What the gateway adds: the same requests sent straight to the LLM simulator and through a
real Jupyter Server running our extension, in one run.

Starts the simulator (`python -m jupyterlab_code_interpreter.simulator`) and `jupyter server`
(with a token, the extension enabled, pointed at the simulator through OPENAI_BASE_URL, and
baseline_handler.py's trivial authenticated route) as subprocesses, then measures with httpx
(async):
  - non-streaming latency (request sent -> whole JSON answer read),
  - streaming time to first token (request sent -> first SSE chunk),
closed-loop at concurrency 1, 32 and 128 (fewer requests at 128), and open-loop at a fixed
rate (default 200 requests/s), p50, p95 and p99; absolute figures and gateway/direct ratios.
The baseline row is the trivial route of the same server: jupyter_server's own floor.
`cpu µs` is the CPU time the serving process (the simulator for `direct`, the Jupyter server
otherwise) spent per request during the measurement, from /proc: on a busy shared machine it
moves far less than the latencies. `--before DIR` also starts a second Jupyter server whose
extension is imported from DIR (e.g. `git archive HEAD~1 jupyterlab_code_interpreter | tar -x
-C DIR`) and measures it as the `before` path in the same run. `--clients N` only compares
candidate upstream HTTP clients' CPU per request in this process (N requests per round).
`--floor` adds baseline_handler.py's `sleep`, `raw` and `passthrough` routes (see there;
`raw` and `passthrough` are also measured streamed). `--rounds K` measures the paths in turn, K
blocks each, instead of one after the other.

    python benchmarks/gateway_overhead.py [--requests 500] [--concurrency 1 32 128]
                                          [--rate 200] [--rate-seconds 5] [--before DIR]
    python benchmarks/gateway_overhead.py --clients 1000

The simulator answers at once (ttft 0, no pacing), so the figures are the gateway's overhead
plus the simulator's own cost, not a model's. Nothing is asserted; it only prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-bench-" + secrets.token_hex(8)
SCENARIO = {
    "api_key": KEY,
    "default": {"content": "The quick brown fox jumps over the lazy dog. " * 4},
    "timing": {"ttft_ms": 0, "tokens_per_second": 0},
}
BODY = {"model": "default", "messages": [{"role": "user", "content": "Say something short."}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(scenario_file: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab_code_interpreter.simulator",
            "--scenario",
            scenario_file,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        sys.exit(f"the simulator did not start: {line!r}")
    return process, line.strip().rsplit(" ", 1)[-1]


def start_server(
    home: str, simulator_url: str, token: str, source: Path = REPO
) -> tuple[subprocess.Popen, str]:
    """A Jupyter Server whose extension is imported from `source`."""
    os.makedirs(home, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((str(source), str(REPO / "benchmarks"))),
        "OPENAI_BASE_URL": f"{simulator_url}/v1",
        "OPENAI_API_KEY": KEY,
        "OPENAI_MODEL": "gpt-4o-mini",
        "JUPYTER_CONFIG_DIR": os.path.join(home, "config"),
        "JUPYTER_RUNTIME_DIR": os.path.join(home, "runtime"),
        "JUPYTER_DATA_DIR": os.path.join(home, "data"),
    }
    for name in ("AZURE_OPENAI_ENDPOINT", "JUPYTERLAB_SETTINGS_DIR"):
        env.pop(name, None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--port={port}",
            "--port-retries=0",
            "--no-browser",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={home}",
            "--ServerApp.jpserver_extensions="
            "{'jupyterlab_code_interpreter': True, 'baseline_handler': True}",
            "--ServerApp.log_level=WARN",
        ],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status = httpx.get(
                f"{url}/code-interpreter/status",
                headers={"Authorization": f"token {token}"},
                timeout=1,
            )
            if status.status_code == 200 and status.json()["configured"]:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit("jupyter server did not answer /code-interpreter/status within 60 s")


async def one_request(client: httpx.AsyncClient, url: str, headers: dict, stream: bool) -> float:
    """Seconds to the whole answer (stream=False) or to the first chunk (stream=True)."""
    body = {**BODY, "stream": True} if stream else BODY
    start = time.perf_counter()
    if not stream:
        response = await client.post(url, json=body, headers=headers)
        response.raise_for_status()
        response.json()
        return time.perf_counter() - start
    async with client.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        first = None
        async for _ in response.aiter_raw():
            if first is None:
                first = time.perf_counter() - start
        return first


async def measure(target: dict, stream: bool, concurrency: int, total: int) -> list[float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for _ in range(3):  # open all `concurrency` connections and warm the code paths
            await asyncio.gather(
                *(
                    one_request(client, target["url"], target["headers"], stream)
                    for _ in range(concurrency)
                )
            )
        queue = iter(range(total))
        timings: list[float] = []

        async def worker() -> None:
            for _ in queue:
                timings.append(await one_request(client, target["url"], target["headers"], stream))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return timings


async def measure_rate(target: dict, stream: bool, rate: float, seconds: float) -> list[float]:
    """Open loop: a request every 1/rate s whatever the answers do, for `seconds`."""
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(
            *(one_request(client, target["url"], target["headers"], stream) for _ in range(32))
        )
        tasks = []
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(
                asyncio.ensure_future(one_request(client, target["url"], target["headers"], stream))
            )
        return list(await asyncio.gather(*tasks))


def cpu_seconds(pid: int) -> float:
    """CPU time of process `pid` so far, all threads (Linux /proc: the scheduler's runtime in
    ns where available, else utime + stime in clock ticks)."""
    try:
        return (
            sum(
                int((task / "schedstat").read_text().split()[0])
                for task in Path(f"/proc/{pid}/task").iterdir()
            )
            / 1e9
        )
    except (OSError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, simulator: dict, server: dict, before: dict | None) -> None:
    """`simulator`, `server`, `before`: {"url", "pid"} of each process."""
    auth = {"Authorization": f"token {server['token']}"}
    chat = "/code-interpreter/v1/chat/completions"
    targets = {
        "direct": {
            "url": f"{simulator['url']}/v1/chat/completions",
            "headers": {"Authorization": f"Bearer {KEY}"},
            "pid": simulator["pid"],
        },
        "baseline": {
            "url": f"{server['url']}/bench-baseline",
            "headers": auth,
            "pid": server["pid"],
        },
    }
    if args.floor:
        for name in ("sleep", "raw", "passthrough"):
            url = f"{server['url']}/bench-baseline/{name}"
            targets[name] = {"url": url, "headers": auth, "pid": server["pid"]}
    if before is not None:
        targets["before"] = {"url": before["url"] + chat, "headers": auth, "pid": before["pid"]}
    targets["gateway"] = {"url": server["url"] + chat, "headers": auth, "pid": server["pid"]}
    cells = [(stream, c, None) for stream in (False, True) for c in args.concurrency]
    if args.rate:
        cells += [(stream, None, args.rate) for stream in (False, True)]
    rows = []
    for stream, concurrency, rate in cells:
        # Routes that do not stream are left out of the streamed cells.
        names = [name for name in targets if not (stream and name in ("baseline", "sleep"))]
        timings = {name: [] for name in names}
        cpu = dict.fromkeys(names, 0.0)
        sent = dict.fromkeys(names, 0)
        rounds = 1 if rate else args.rounds
        for _ in range(rounds):
            for name in names:
                target = targets[name]
                before_cpu = cpu_seconds(target["pid"])
                if rate:
                    taken = await measure_rate(target, stream, rate, args.rate_seconds)
                else:
                    total = args.requests if concurrency <= 32 else concurrency * 5
                    taken = await measure(target, stream, concurrency, total // rounds)
                cpu[name] += cpu_seconds(target["pid"]) - before_cpu
                # Includes the warm-up requests measure() sends first.
                sent[name] += len(taken) + (3 * concurrency if concurrency else 32)
                timings[name] += taken
        figures = {
            name: [percentile(timings[name], q) * 1000 for q in (50, 95, 99)]
            + [cpu[name] / sent[name] * 1e6]
            for name in names
        }
        mode = f"{rate:g}/s" if rate else f"c={concurrency}"
        total = len(timings["direct"])
        rows.append(("stream TTFT" if stream else "non-stream", mode, total, figures))
    header = (
        f"{'metric':<12}{'load':>7}{'n':>6}  {'path':<12}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"  {'added p50':>9}{'p95':>8}{'p99':>8}  {'ratio p50':>9}{'p99':>7}  {'cpu µs':>7}"
    )
    print(header)
    print("-" * len(header))
    for metric, mode, total, f in rows:
        d50, _, d99, _ = f["direct"]
        for name in ("direct", "baseline", "sleep", "raw", "passthrough", "before", "gateway"):
            if name not in f:
                continue
            p50, p95, p99, cpu = f[name]
            line = f"{metric:<12}{mode:>7}{total:>6}  {name:<12}{p50:>8.2f}{p95:>8.2f}{p99:>8.2f}"
            if name != "direct":
                a50, a95, a99 = (g - d for g, d in zip(f[name][:3], f["direct"][:3], strict=True))
                line += f"  {a50:>9.2f}{a95:>8.2f}{a99:>8.2f}  {p50 / d50:>9.2f}{p99 / d99:>7.2f}"
            else:
                line += " " * 44
            print(f"{line}  {cpu:>7.0f}")
    print(
        "times in ms; added = path - direct; ratio = path / direct; baseline = a trivial "
        "authenticated APIHandler in the same server (jupyter_server's floor, no upstream call); "
        "cpu µs = the serving process's CPU per request (simulator for direct)"
    )


async def compare_clients(simulator_url: str, requests: int) -> None:
    """CPU per request of candidate upstream clients in this process (the simulator runs in its
    own), each used as the gateway uses its client: POST, then the body read piece by piece
    (the `read` of each piece under a deadline where the client allows it). Three alternating
    rounds per client; the median is printed with all three."""
    import importlib.util
    from types import SimpleNamespace

    import aiohttp
    from tornado.httpclient import HTTPRequest
    from tornado.simple_httpclient import SimpleAsyncHTTPClient

    from jupyterlab_code_interpreter.gateway.http_client import UpstreamClient
    from jupyterlab_code_interpreter.gateway.upstream import UpstreamRequest

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        # As the httpx-based gateway did: httpcore looked for the absent sniffio on every request.
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    url = f"{simulator_url}/v1/chat/completions"
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    timeouts = SimpleNamespace(connect_timeout=10.0, first_byte_timeout=60.0, read_timeout=60.0)
    ours = UpstreamClient(timeouts)
    pooled = httpx.AsyncClient(timeout=None, limits=httpx.Limits(max_connections=1000))
    session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
    simple = SimpleAsyncHTTPClient(force_instance=True, max_clients=1000)

    async def with_ours(content: bytes) -> int:
        response = await ours.open("simulator", UpstreamRequest(url, headers, content))
        size = 0
        while piece := await response.next_piece():
            size += len(piece)
        await response.aclose()
        return size

    async def with_httpx(content: bytes) -> int:
        request = pooled.build_request("POST", url, headers=headers, content=content)
        async with asyncio.timeout(60):
            response = await pooled.send(request, stream=True)
        size, pieces = 0, response.aiter_bytes()
        while True:
            async with asyncio.timeout(60):
                piece = await anext(pieces, b"")
            if not piece:
                break
            size += len(piece)
        await response.aclose()
        return size

    async def with_aiohttp(content: bytes) -> int:
        async with asyncio.timeout(60):
            response = await session.post(url, data=content, headers=headers)
        size = 0
        while True:
            async with asyncio.timeout(60):
                piece = await response.content.readany()
            if not piece:
                break
            size += len(piece)
        response.release()
        return size

    def with_tornado(client):
        async def send(content: bytes) -> int:
            pieces: list[bytes] = []  # one timeout for the whole request: no per-chunk deadline
            request = HTTPRequest(url, "POST", headers, content, request_timeout=60)
            request.streaming_callback = pieces.append
            await client.fetch(request)
            return sum(map(len, pieces))

        return send

    candidates = {
        "ours (aiohttp)": with_ours,
        "aiohttp": with_aiohttp,
        "httpx": with_httpx,
        "tornado simple (no keep-alive)": with_tornado(simple),
    }
    try:
        from tornado.curl_httpclient import CurlAsyncHTTPClient

        curl = CurlAsyncHTTPClient(force_instance=True, max_clients=1000)
        candidates["tornado curl"] = with_tornado(curl)
    except ImportError:
        print("(tornado curl: pycurl is not installed, skipped)")
    for stream in (False, True):
        content = json.dumps({**BODY, "model": "gpt-4o-mini", "stream": stream}).encode()
        runs: dict[str, list[float]] = {name: [] for name in candidates}
        for send in candidates.values():
            for _ in range(50):
                await send(content)
        for _ in range(3):
            for name, send in candidates.items():
                cpu = time.process_time()
                for _ in range(requests):
                    await send(content)
                runs[name].append((time.process_time() - cpu) / requests * 1e6)
        for name, values in runs.items():
            shown = ", ".join(f"{v:.0f}" for v in values)
            kind = "streamed" if stream else "whole"
            print(f"{kind:<9}{name:<32}{sorted(values)[1]:>6.0f} µs CPU/request ({shown})")
    await ours.aclose()
    await pooled.aclose()
    await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32, 128])
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests/s; 0: off")
    parser.add_argument("--rate-seconds", type=float, default=5.0)
    parser.add_argument(
        "--before", type=Path, help="also measure a server whose extension is imported from here"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each closed-loop measurement into this many blocks, taken in turn across "
        "the paths, so that a changing load on the machine weighs on all of them alike",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure baseline_handler.py's sleep, raw and passthrough routes",
    )
    parser.add_argument(
        "--clients",
        type=int,
        metavar="N",
        help="only compare upstream HTTP clients' CPU, N requests per round, and exit",
    )
    args = parser.parse_args()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as home:
        scenario_file = Path(home) / "scenario.json"
        scenario_file.write_text(json.dumps(SCENARIO))
        simulator, simulator_url = start_simulator(scenario_file)
        server = previous = None
        try:
            if args.clients:
                asyncio.run(compare_clients(simulator_url, args.clients))
                return
            server, server_url = start_server(home, simulator_url, token)
            print(f"simulator {simulator_url}, jupyter server {server_url} (one process each)")
            old = None
            if args.before:
                previous, previous_url = start_server(
                    os.path.join(home, "before"), simulator_url, token, args.before.resolve()
                )
                old = {"url": previous_url, "pid": previous.pid}
                print(f"before: {previous_url}, extension from {args.before}")
            print(f"load average at start: {os.getloadavg()}")
            started = time.perf_counter()
            sim = {"url": simulator_url, "pid": simulator.pid}
            new = {"url": server_url, "pid": server.pid, "token": token}
            asyncio.run(run(args, sim, new, old))
            print(f"measured in {time.perf_counter() - started:.1f} s")
            print(f"load average at end: {os.getloadavg()}")
        finally:
            for process in (server, previous, simulator):
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        process.kill()


if __name__ == "__main__":
    main()
