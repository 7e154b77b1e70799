"""pytest fixture ``llm_simulator``: start simulators on free ports, stop them after the test.

A plain (sync) fixture returning an async factory, so the simulator starts on whichever loop
runs the test: pytest-asyncio's or pytest-jupyter's (whose ``jp_fetch`` server lives there).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .scenario import Scenario
from .server import Simulator


@pytest.fixture
def llm_simulator():
    """``sim = await llm_simulator(scenario)``: a started ``Simulator`` (dict, path or Scenario)."""
    started: list[tuple[Simulator, asyncio.AbstractEventLoop]] = []

    async def start(scenario: Scenario | dict | str | Path | None = None) -> Simulator:
        simulator = Simulator(scenario)
        await simulator.start()
        started.append((simulator, asyncio.get_running_loop()))
        return simulator

    yield start
    for simulator, loop in started:
        if loop.is_closed():
            continue  # its sockets went with the loop
        if loop.is_running():
            # Torn down from inside the loop (an async-fixture runner): schedule it instead.
            loop.create_task(simulator.stop())
        else:
            loop.run_until_complete(simulator.stop())
