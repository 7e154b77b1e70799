"""The gateway's HTTP client (aiohttp) is imported off the event loop once the server runs: a
real `jupyter server` process whose aiohttp import is held at its start (a `sitecustomize` hook
waits for the test's word) keeps answering other routes meanwhile, and the first chat request,
sent while the import is held, waits for it without blocking the server, then gets its answer
from the simulator."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from jupyterlab_code_interpreter.gateway import core

from .test_gateway import KEY

TOKEN = "warmup-token"
HOLD = '''
import os, sys, threading, time
from pathlib import Path

MARKS = Path(os.environ["WARMUP_MARKS"])


class HoldClientImport:
    """Holds the first import of aiohttp until the test writes `release`."""

    def find_spec(self, name, path=None, target=None):
        if name != "aiohttp":
            return None
        sys.meta_path.remove(self)
        main = threading.current_thread() is threading.main_thread()
        (MARKS / "importing").write_text("main thread" if main else "worker thread")
        deadline = time.monotonic() + 60
        while not (MARKS / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return None


sys.meta_path.insert(0, HoldClientImport())
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Authorization", f"token {TOKEN}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


async def wait_for(path: Path, seconds=90):
    for _ in range(int(seconds * 20)):
        if path.exists():
            return path.read_text()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path.name} did not appear within {seconds} s")


@pytest.fixture
def held_server(tmp_path, llm_simulator):
    marks, hooks, home = tmp_path / "marks", tmp_path / "hooks", tmp_path / "home"
    for folder in (marks, hooks, home):
        folder.mkdir()
    (hooks / "sitecustomize.py").write_text(HOLD)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
        "WARMUP_MARKS": str(marks),
        "OPENAI_API_KEY": KEY,
        "OPENAI_MODEL": "gpt-4o-mini",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
    }
    for name in ("AZURE_OPENAI_ENDPOINT", "JUPYTERLAB_SETTINGS_DIR", "OPENAI_BASE_URL"):
        env.pop(name, None)

    def start(simulator_url):
        env["OPENAI_BASE_URL"] = f"{simulator_url}/v1"
        command = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--port-retries=0"]
        command += ["--no-browser", "--allow-root", f"--IdentityProvider.token={TOKEN}"]
        command += [f"--ServerApp.root_dir={home}", "--ServerApp.log_level=WARN"]
        command += ["--ServerApp.jpserver_extensions={'jupyterlab_code_interpreter': True}"]
        log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=log)
        processes.append(process)
        return f"http://127.0.0.1:{port}", marks

    processes = []
    yield start
    (marks / "release").write_text("")
    for process in processes:
        process.terminate()
        process.wait(30)


async def test_the_client_import_runs_in_a_worker_while_routes_answer(llm_simulator, held_server):
    sim = await llm_simulator({"api_key": KEY, "default": {"content": "Warm answer."}})
    url, marks = held_server(f"http://127.0.0.1:{sim.port}")
    # The server imports aiohttp on its own once it runs, before any chat request.
    assert await wait_for(marks / "importing") == "worker thread"
    chat = {"model": "default", "messages": [{"role": "user", "content": "hi"}]}
    first_chat = asyncio.ensure_future(
        asyncio.to_thread(fetch, f"{url}/code-interpreter/v1/chat/completions", chat)
    )
    # While the import is held (and the first chat request waits for it), other routes answer.
    assert (await asyncio.to_thread(fetch, f"{url}/api/status"))[0] == 200
    status, body = await asyncio.to_thread(fetch, f"{url}/code-interpreter/status")
    assert status == 200 and json.loads(body)["configured"]
    assert not first_chat.done() and sim.requests == []
    (marks / "release").write_text("")
    status, body = await first_chat
    assert status == 200, body
    assert json.loads(body)["choices"][0]["message"]["content"] == "Warm answer."


async def test_a_failed_warmup_is_tried_again_by_the_next_request(monkeypatch):
    settings = SimpleNamespace(endpoint=lambda: (None, None), endpoints=lambda: None)
    gateway = core.Gateway(SimpleNamespace(), settings, {})
    real, calls = core._import_client, []

    def failing_once():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the trust store could not be read")
        return real()

    monkeypatch.setattr(core, "_import_client", failing_once)
    with pytest.raises(OSError):
        await gateway.load_client()
    client = await gateway.load_client()
    assert client is gateway.client and len(calls) == 2
    assert await gateway.load_client() is client  # ready: no third load
    await gateway.aclose()
