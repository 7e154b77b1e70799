"""What the gateway adds: the same requests sent straight to the LLM simulator and through a
real Jupyter Server running our extension, in one run.

Starts the simulator (`python -m jupyterlab_code_interpreter.simulator`) and `jupyter server`
(with a token, the extension enabled, pointed at the simulator through OPENAI_BASE_URL) as
subprocesses, then measures with httpx (async):
  - non-streaming latency (request sent -> whole JSON answer read),
  - streaming time to first token (request sent -> first SSE chunk),
at concurrency 1 and 32, p50 and p99, and prints absolute figures and gateway/direct ratios.

    python benchmarks/gateway_overhead.py [--requests 500] [--concurrency 1 32]

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
import statistics
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


def start_server(home: str, simulator_url: str, token: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
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
            "--ServerApp.jpserver_extensions={'jupyterlab_code_interpreter': True}",
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, simulator_url: str, server_url: str, token: str) -> None:
    targets = {
        "direct": {
            "url": f"{simulator_url}/v1/chat/completions",
            "headers": {"Authorization": f"Bearer {KEY}"},
        },
        "gateway": {
            "url": f"{server_url}/code-interpreter/v1/chat/completions",
            "headers": {"Authorization": f"token {token}"},
        },
    }
    rows = []
    for stream in (False, True):
        for concurrency in args.concurrency:
            total = max(args.requests, concurrency * 20)
            figures = {}
            for name, target in targets.items():
                timings = await measure(target, stream, concurrency, total)
                figures[name] = (
                    statistics.median(timings) * 1000,
                    percentile(timings, 99) * 1000,
                )
            rows.append(("stream TTFT" if stream else "non-stream", concurrency, total, figures))
    header = (
        f"{'metric':<12}{'conc':>5}{'n':>6}  {'direct p50':>10}{'p99':>8}  "
        f"{'gateway p50':>11}{'p99':>8}  {'added p50':>9}{'p99':>8}  {'ratio p50':>9}{'p99':>7}"
    )
    print(header)
    print("-" * len(header))
    for metric, concurrency, total, f in rows:
        (d50, d99), (g50, g99) = f["direct"], f["gateway"]
        print(
            f"{metric:<12}{concurrency:>5}{total:>6}  {d50:>10.2f}{d99:>8.2f}  {g50:>11.2f}"
            f"{g99:>8.2f}  {g50 - d50:>9.2f}{g99 - d99:>8.2f}  {g50 / d50:>9.2f}{g99 / d99:>7.2f}"
        )
    print("times in ms; added = gateway - direct; ratio = gateway / direct")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    args = parser.parse_args()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as home:
        scenario_file = Path(home) / "scenario.json"
        scenario_file.write_text(json.dumps(SCENARIO))
        simulator, simulator_url = start_simulator(scenario_file)
        server = None
        try:
            server, server_url = start_server(home, simulator_url, token)
            print(f"simulator {simulator_url}, jupyter server {server_url} (one process each)")
            started = time.perf_counter()
            asyncio.run(run(args, simulator_url, server_url, token))
            print(f"measured in {time.perf_counter() - started:.1f} s")
        finally:
            for process in (server, simulator):
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        process.kill()


if __name__ == "__main__":
    main()
