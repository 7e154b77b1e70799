"""What the hub end-to-end tests do with a running hub (tests/hub_fixtures.py starts it): log
users in for their own tokens, start their servers, chat, run code in their kernels, and, as
root, look at the secrets the processes hold so the tests can search for them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

SERVICE = "code-interpreter"


@dataclass
class HubDeployment:
    url: str  # the proxy's public URL
    key: str  # the only key the upstream accepts; held by the service alone
    password: str  # every user's (DummyAuthenticator)
    private: Path  # the hub's and the service's files: the hub's OS user only
    homes: Path
    simulator_url: str
    separate_users: bool  # users' servers run as OS users of their own
    _tokens: dict[str, str] = field(default_factory=dict)
    _client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60))

    @property
    def service_url(self) -> str:
        return f"{self.url}/services/{SERVICE}/"

    @property
    def service_config(self) -> Path:
        return self.private / "code_interpreter_hub_config.py"

    def close(self) -> None:
        self._client.close()

    def token(self, user: str) -> str:
        """The user's own API token, asked for with their password as a script would."""
        if user not in self._tokens:
            response = self._client.post(
                f"{self.url}/hub/api/users/{user}/tokens",
                json={"auth": {"username": user, "password": self.password}, "note": "e2e"},
            )
            response.raise_for_status()
            self._tokens[user] = response.json()["token"]
        return self._tokens[user]

    def request(self, method: str, url: str, token: str | None, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"token {token}"
        return self._client.request(method, url, headers=headers, **kwargs)

    def start_server(self, user: str) -> str:
        """Start the user's server (if it is not running) and return its URL."""
        token = self.token(user)
        api = f"{self.url}/hub/api/users/{user}"
        response = self.request("POST", f"{api}/server", token)
        if response.status_code not in (201, 202, 400):  # 400: already running
            raise AssertionError(f"{user}'s server: {response.status_code}\n{self.log_tail()}")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            server = self.request("GET", api, token).json()["servers"].get("")
            if server is None:  # the spawn failed and the hub forgot it
                break
            if server.get("ready"):
                return f"{self.url}/user/{user}/"
            time.sleep(1)
        raise AssertionError(f"{user}'s server did not start\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        log = (self.private / "jupyterhub.log").read_text(errors="replace").splitlines()
        return "The hub's log ends:\n" + "\n".join(log[-lines:])

    def chat(self, url: str, token: str | None, prompt: str = "mean?", **body) -> httpx.Response:
        """One streamed chat completion, read to its end."""
        payload = {
            "model": "default",
            "messages": [{"role": "user", "content": prompt}],
            "stream": True,
            **body,
        }
        return self.request("POST", f"{url}v1/chat/completions", token, json=payload)

    def process_environment(self, command: str, **variables: str) -> dict[str, str]:
        """As root: the environment of the one process whose command line holds `command` and
        whose environment has these `variables` (so other hubs on the machine do not count)."""
        found = [
            environment
            for _, line, environment in _processes()
            if command in line and variables.items() <= environment.items()
        ]
        assert len(found) == 1, f"{len(found)} processes match {command!r} {variables}"
        return found[0]

    def stop_leftovers(self) -> None:
        """End what this hub started and left running (the proxy, the service, servers and
        kernels outlive a hub that crashed): the processes carrying this hub's variables."""
        marks = {
            ("CODE_INTERPRETER_HUB_CONFIG", str(self.service_config)),
            ("CODE_INTERPRETER_HUB_SERVICE_URL", self.service_url),
        }
        pids = [pid for pid, _, env in _processes() if marks & set(env.items())]
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal_number)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
                time.sleep(0.2)

    def run_in_kernel(self, server_url: str, token: str, code: str) -> str:
        """Start a kernel in the user's server through its API, run `code`, return its stdout
        (raising with the traceback if it failed), and shut the kernel down."""
        kernels = f"{server_url}api/kernels"
        kernel = self.request("POST", kernels, token, json={"name": "python3"})
        kernel.raise_for_status()
        kernel_id = kernel.json()["id"]
        try:
            channels = f"{kernels}/{kernel_id}/channels".replace("http", "ws", 1)
            return asyncio.run(_execute(channels, token, code))
        finally:
            self.request("DELETE", f"{kernels}/{kernel_id}", token)


def _processes():
    """(pid, command line, environment) of every process whose environment can be read."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        pairs = (item.partition("=") for item in raw.split("\0") if item)
        yield int(pid), line, {name: value for name, _, value in pairs}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


async def _execute(url: str, token: str, code: str) -> str:
    request = HTTPRequest(url, headers={"Authorization": f"token {token}"})
    socket = await websocket_connect(request)
    msg_id = uuid.uuid4().hex
    socket.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "e2e",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": code, "silent": False, "stop_on_error": True},
                "channel": "shell",
            }
        )
    )
    output, error = [], None
    try:
        while True:
            text = await asyncio.wait_for(socket.read_message(), 120)
            if text is None:
                raise AssertionError("the kernel's websocket closed")
            message = json.loads(text)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind == "error":
                error = "\n".join(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        socket.close()
    if error:
        raise AssertionError(f"the kernel code failed:\n{error}")
    return "".join(output)
