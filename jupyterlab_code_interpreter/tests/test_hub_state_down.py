"""The hub service when its state store fails, against a real JupyterHub (tests/hub_fixtures.py)
and the simulator: a Redis nobody listens on, a private redis-server killed mid-run and started
again, a SQLite file whose directory is removed or holds a non-database. Requests are refused
before the gateway (503 hub_state_unavailable, naming the store, never its password), an answer
already sent is kept whole and its usage logged for an administrator, and the failure is logged
once."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from .hub_fixtures import free_port, stop

KEY = "sk-state-down-test"
PASSWORD = "s3cret-redis-pw"
SCENARIO = {
    "api_key": KEY,
    "rules": [
        {"match": {"last_user": "slow"}, "reply": "Late but whole.", "timing": {"ttft_ms": 1500}}
    ],
    "default": "Fine.",
}
PREFIX = "/services/code-interpreter/"


class Service:
    """One external hub service process, its URL and its log (stderr)."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log

    def lines(self, *needles: str) -> list[str]:
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if all(n in line for n in needles)]


def launch(hub, upstream: str, folder: Path, state_url: str) -> Service:
    endpoint = {"name": "sim", "kind": "openai", "base_url": f"{upstream}/v1"}
    endpoint |= {"model": "gpt-4o", "api_key_env": "OPENAI_API_KEY"}
    config = folder / "code_interpreter_hub_config.py"
    config.write_text(
        f"c.CodeInterpreter.endpoints = [{endpoint!r}]\n"
        "c.CodeInterpreter.heartbeat_interval = 0.3\n"
        f"c.CodeInterpreterHub.state_url = {state_url!r}\n"
    )
    port = free_port()
    environment = {
        **os.environ,
        "OPENAI_API_KEY": KEY,
        "CODE_INTERPRETER_HUB_CONFIG": str(config),
        "JUPYTERHUB_API_URL": f"{hub.url}/hub/api",
        "JUPYTERHUB_API_TOKEN": "",
        "JUPYTERHUB_SERVICE_NAME": "code-interpreter",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
    }
    environment.pop("JUPYTERHUB_OAUTH_ACCESS_SCOPES", None)
    log = folder / "service.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab_code_interpreter.hub"],
            env=environment,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}{PREFIX}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}health", timeout=5).status_code == 200:
                return Service(process, url, log)
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"{url} did not start:\n{log.read_text()}", False)
        time.sleep(0.3)


async def chat(client: httpx.AsyncClient, service: Service, token: str, prompt="hi", stream=True):
    body = {"model": "default", "stream": stream, "messages": [{"role": "user", "content": prompt}]}
    headers = {"Authorization": f"token {token}"}
    return await client.post(f"{service.url}v1/chat/completions", json=body, headers=headers)


async def get(client: httpx.AsyncClient, service: Service, path: str, token: str):
    return await client.get(f"{service.url}{path}", headers={"Authorization": f"token {token}"})


def assert_state_unavailable(answer: httpx.Response, store: str) -> None:
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "hub_state_unavailable", error
    assert store in error["message"] and "administrator" in error["message"], error["message"]
    assert answer.headers["Retry-After"] == "3"
    assert PASSWORD not in answer.text and PASSWORD not in str(answer.headers)


class RedisServer:
    """A private redis-server on a free port, without persistence: a restart starts empty."""

    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            probe = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if probe.stdout.strip() == "PONG":
                return
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def test_a_redis_nobody_listens_on_refuses_chat_and_usage_with_503(
    hub_deployment, llm_simulator, tmp_path
):
    hub = hub_deployment
    simulator = await llm_simulator(SCENARIO)
    port = free_port()
    state = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    service = launch(hub, f"http://127.0.0.1:{simulator.port}", tmp_path, state)
    store = f"Redis at 127.0.0.1:{port}/0"
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            bob = hub.token("bob")
            assert_state_unavailable(await chat(client, service, bob), store)
            assert_state_unavailable(await chat(client, service, bob, stream=False), store)
            assert_state_unavailable(await get(client, service, "usage", bob), store)
            report = await get(client, service, "admin/usage", hub.token("auditor"))
            assert_state_unavailable(report, store)
            status = await get(client, service, "status", bob)
            assert status.status_code == 200
            assert status.json()["state"] == {"store": store, "answers": False}
        assert simulator.requests == []  # fail closed: nothing went upstream
        failed = service.lines("ERROR", "Chat requests are refused")
        assert len(failed) == 1 and store in failed[0] and "ConnectionError" in failed[0], failed
        log = service.log.read_text()
        assert "Traceback" not in log and PASSWORD not in log
    finally:
        stop(service.process)


@pytest.fixture(scope="module")
def redis_down_service(hub_deployment, tmp_path_factory):
    """A service whose Redis does not answer (its upstream is never reached)."""
    folder = tmp_path_factory.mktemp("redis-down")
    state = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    service = launch(hub_deployment, f"http://127.0.0.1:{free_port()}", folder, state)
    yield service
    stop(service.process)


@pytest.fixture
def jp_server_config(redis_down_service):
    """A user's server in forwarding mode, pointed at that service."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "jupyterlab_code_interpreter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "CodeInterpreter": {"hub_service_url": redis_down_service.url},
    }


async def test_a_users_server_passes_the_503_through_unchanged(
    hub_deployment, redis_down_service, jp_fetch, monkeypatch
):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub_deployment.token("alice"))
    body = {"model": "default", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    answer = await jp_fetch(
        "code-interpreter",
        "v1",
        "chat",
        "completions",
        method="POST",
        body=json.dumps(body),
        raise_error=False,
    )
    assert answer.code == 503
    assert answer.headers["Retry-After"] == "3" and answer.headers["retry-after-ms"] == "3000"
    error = json.loads(answer.body)["error"]
    assert error["code"] == "hub_state_unavailable" and "Redis at 127.0.0.1:" in error["message"]
    assert PASSWORD.encode() not in answer.body


async def test_a_redis_killed_mid_run_refuses_until_it_is_back_and_keeps_the_answer(
    hub_deployment, llm_simulator, tmp_path
):
    hub = hub_deployment
    redis = RedisServer(tmp_path)
    redis.start()
    simulator = await llm_simulator(SCENARIO)
    state = f"redis://127.0.0.1:{redis.port}/0?prefix=test-{uuid.uuid4().hex}:"
    service = launch(hub, f"http://127.0.0.1:{simulator.port}", tmp_path, state)
    store = f"Redis at 127.0.0.1:{redis.port}/0"
    carol = hub.token("carol")
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            assert (await chat(client, service, carol)).status_code == 200
            # Admitted, then the store dies before the answer comes: the user gets it whole.
            url, body = f"{service.url}v1/chat/completions", {"model": "default", "stream": True}
            body["messages"] = [{"role": "user", "content": "slow please"}]
            headers = {"Authorization": f"token {carol}"}
            async with client.stream("POST", url, json=body, headers=headers) as answer:
                pieces = answer.aiter_raw()
                assert (await pieces.__anext__()).startswith(b": keep-alive")
                redis.kill()
                rest = b"".join([piece async for piece in pieces]).decode()
            assert answer.status_code == 200
            assert streamed_text(rest) == "Late but whole." and rest.rstrip().endswith("[DONE]")
            unrecorded = await wait_for_lines(service, "ERROR", "usage NOT recorded")
            entry = json.loads(unrecorded[0].rsplit("by hand: ", 1)[1])
            assert (entry["user"], entry["alias"], entry["deployment"]) == (
                "carol",
                "default",
                "sim",
            )
            assert entry["status"] == 200 and entry["completion_tokens"] > 0
            assert entry["billed_tokens"] == entry["prompt_tokens"] + entry["completion_tokens"]

            assert_state_unavailable(await chat(client, service, carol), store)
            status = (await get(client, service, "status", carol)).json()
            assert status["state"] == {"store": store, "answers": False}

            redis.start()  # empty: no persistence
            again = await chat(client, service, carol)
            assert again.status_code == 200, again.text
            usage = (await get(client, service, "usage", carol)).json()
            assert usage["today"]["requests"] == 1  # the one admitted since the restart
            status = (await get(client, service, "status", carol)).json()
            assert status["state"]["answers"] is True
        assert simulator.requests and len(simulator.requests) == 3
        assert len(service.lines("ERROR", "Chat requests are refused")) == 1
        assert len(service.lines("WARNING", "answers again")) == 1
        assert "Traceback" not in service.log.read_text()
    finally:
        stop(service.process)
        redis.kill()


def streamed_text(events: str) -> str:
    """The answer's text, from its event stream's deltas."""
    text = []
    for line in events.splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices", []):
                text.append(choice.get("delta", {}).get("content") or "")
    return "".join(text)


async def wait_for_lines(service: Service, *needles: str) -> list[str]:
    """The log lines holding `needles`, once there are some (the bill is settled after the
    answer's last byte left)."""
    deadline = time.monotonic() + 10
    while not (found := service.lines(*needles)):
        assert time.monotonic() < deadline, service.log.read_text()
        await asyncio.sleep(0.1)
    return found


async def test_a_sqlite_file_gone_or_not_a_database_refuses_and_keeps_the_answer(
    hub_deployment, llm_simulator, tmp_path
):
    """As root file modes stop nothing, so the store fails as a volume does: its directory is
    removed under the open file, then comes back holding a file that is not a database."""
    hub = hub_deployment
    simulator = await llm_simulator(SCENARIO)
    folder = tmp_path / "state"
    path = folder / "state.sqlite"
    service = launch(hub, f"http://127.0.0.1:{simulator.port}", tmp_path, f"sqlite:///{path}")
    store = f"the SQLite file {path}"
    bob = hub.token("bob")
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            assert (await chat(client, service, bob)).status_code == 200
            url, body = f"{service.url}v1/chat/completions", {"model": "default", "stream": True}
            body["messages"] = [{"role": "user", "content": "slow please"}]
            headers = {"Authorization": f"token {bob}"}
            async with client.stream("POST", url, json=body, headers=headers) as answer:
                pieces = answer.aiter_raw()
                assert (await pieces.__anext__()).startswith(b": keep-alive")
                shutil.rmtree(folder)
                rest = b"".join([piece async for piece in pieces]).decode()
            assert streamed_text(rest) == "Late but whole." and rest.rstrip().endswith("[DONE]")
            unrecorded = await wait_for_lines(service, "ERROR", "usage NOT recorded")
            entry = json.loads(unrecorded[0].rsplit("by hand: ", 1)[1])
            assert (entry["user"], entry["deployment"], entry["status"]) == ("bob", "sim", 200)

            assert_state_unavailable(await chat(client, service, bob), store)
            assert_state_unavailable(await get(client, service, "usage", bob), store)
            folder.mkdir()
            path.write_text("these are not the counters you are looking for\n" * 100)
            assert_state_unavailable(await chat(client, service, bob), store)
        assert len(simulator.requests) == 2
        failed = service.lines("ERROR", "Chat requests are refused")
        assert len(failed) == 1 and "disappeared" in failed[0], failed
        assert "Traceback" not in service.log.read_text()
    finally:
        stop(service.process)
