"""``Simulator``: one running simulated LLM service, controllable from Python."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .limits import DeploymentLimits
from .matching import Matcher
from .recorder import RequestLog
from .routes import make_app
from .scenario import Deployment, Scenario, load_scenario

# Used when no scenario is given: answer anything, so the product can be clicked through.
DEFAULT_SCENARIO = {
    "default": {
        "content": "Simulated answer. You asked:\n\n> {{last_user}}\n\n"
        "Point the simulator at a scenario file for scripted replies."
    }
}


class Simulator:
    """An OpenAI / Azure OpenAI compatible HTTP server driven by a scenario.

    #### Notes
    Runs on the current asyncio loop; ``start`` and ``stop`` must be awaited on the same loop.
    """

    def __init__(self, scenario: Scenario | dict | str | Path | None = None):
        self.log = RequestLog()
        self.port: int | None = None
        self.host: str | None = None
        self._server: HTTPServer | None = None
        self.set_scenario(DEFAULT_SCENARIO if scenario is None else scenario)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[dict]:
        """Requests received so far (oldest first, at most the last 1000)."""
        return self.log.list()

    def clear_requests(self) -> None:
        self.log.clear()

    def set_scenario(self, scenario: Scenario | dict | str | Path) -> None:
        """Replace the scenario; ``times`` budgets and rate-limit windows start afresh."""
        self.scenario = load_scenario(scenario)
        self.matcher = Matcher(self.scenario)
        self._limits: dict[str, DeploymentLimits] = {}

    def limits_for(self, name: str, deployment: Deployment | None) -> DeploymentLimits | None:
        """The rate-limit state of a deployment that has ``rpm`` or ``tpm``, else None."""
        if deployment is None or not (deployment.rpm or deployment.tpm):
            return None
        if name not in self._limits:
            self._limits[name] = DeploymentLimits(deployment.rpm, deployment.tpm, deployment.burst)
        return self._limits[name]

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 picks a free port) and return the base URL."""
        sockets = bind_sockets(port, host, family=socket.AF_INET if "." in host else 0)
        self._server = HTTPServer(make_app(self), idle_connection_timeout=60)
        self._server.add_sockets(sockets)
        self.host = host
        self.port = sockets[0].getsockname()[1]
        return self.base_url

    async def stop(self) -> None:
        """Stop listening and close every connection, releasing hanging requests."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stop()
        await server.close_all_connections()
        await asyncio.sleep(0)  # let handlers woken by the closes run to their end
