"""``code-interpreter-simulator``: run the LLM simulator as its own process.

Prints ``LLM simulator listening on http://HOST:PORT`` once ready, so a parent process
(Playwright, a benchmark, a shell script) can wait for that line and read the port from it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from .scenario import ScenarioError
from .server import Simulator


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="code-interpreter-simulator",
        description="A simulated OpenAI / Azure OpenAI service driven by a scenario file.",
    )
    parser.add_argument("--scenario", help="scenario file (.yaml or .json); default: echo")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks one")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    simulator = Simulator(args.scenario)
    url = await simulator.start(args.host, args.port)
    print(f"LLM simulator listening on {url}", flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await simulator.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except ScenarioError as error:
        sys.exit(f"code-interpreter-simulator: {error}")


if __name__ == "__main__":
    main()
