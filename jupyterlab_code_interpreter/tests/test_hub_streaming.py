"""The hub service streams as the single-user gateway does (heartbeats while the first byte is
late, a broken stream ends with an error event), against a real JupyterHub and the simulator;
and a user's server whose hub service is down says so."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from .hub_fixtures import free_port, stop

KEY = "sk-streaming-test"
SCENARIO = {
    "api_key": KEY,
    "rules": [
        {"match": {"last_user": "slow"}, "reply": "Late but here.", "timing": {"ttft_ms": 1500}},
        {
            "match": {"last_user": "break"},
            "reply": {"content": ["One ", "two ", "three ", "four."]},
            "fault": {"kind": "reset_after_first_byte", "after_chunks": 2, "times": 1},
        },
        {"match": {"last_user": "hang"}, "fault": {"kind": "hang"}},
    ],
    "default": "Fine.",
}


async def start_service(hub, upstream: str, folder) -> tuple[subprocess.Popen, str]:
    """One external service process, heartbeating every 0.3 s."""
    endpoint = {"name": "sim", "kind": "openai", "base_url": f"{upstream}/v1"}
    endpoint |= {"model": "gpt-4o", "api_key_env": "OPENAI_API_KEY"}
    config = folder / "code_interpreter_hub_config.py"
    config.write_text(
        f"c.CodeInterpreter.endpoints = [{endpoint!r}]\n"
        "c.CodeInterpreter.heartbeat_interval = 0.3\n"
        f"c.CodeInterpreterHub.state_url = {f'sqlite:///{folder}/state.sqlite'!r}\n"
        "c.CodeInterpreterHub.quotas = {'users': {'carol': {'concurrent_streams': 1}}}\n"
    )
    port = free_port()
    environment = {
        **os.environ,
        "OPENAI_API_KEY": KEY,
        "CODE_INTERPRETER_HUB_CONFIG": str(config),
        "JUPYTERHUB_API_URL": f"{hub.url}/hub/api",
        "JUPYTERHUB_SERVICE_NAME": "code-interpreter",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_SERVICE_PREFIX": "/services/code-interpreter/",
    }
    command = [sys.executable, "-m", "jupyterlab_code_interpreter.hub"]
    process = subprocess.Popen(command, env=environment, cwd=folder)
    url = f"http://127.0.0.1:{port}/services/code-interpreter/"
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"{url}health")).status_code == 200:
                    return process, url
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                stop(process)
                pytest.fail(f"{url} did not start")
            await asyncio.sleep(0.3)


def events(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.strip()]


async def test_the_service_heartbeats_and_ends_a_broken_stream_with_an_error_event(
    hub_deployment, llm_simulator, tmp_path
):
    hub = hub_deployment
    simulator = await llm_simulator(SCENARIO)
    process, url = await start_service(hub, f"http://127.0.0.1:{simulator.port}", tmp_path)
    headers = {"Authorization": f"token {hub.token('bob')}"}
    try:
        async with httpx.AsyncClient(timeout=60) as client:

            async def chat(prompt: str) -> httpx.Response:
                body = {"model": "default", "stream": True}
                body["messages"] = [{"role": "user", "content": prompt}]
                return await client.post(f"{url}v1/chat/completions", json=body, headers=headers)

            slow = await chat("slow please")
            assert slow.status_code == 200
            slow_events = events(slow.text)
            assert slow_events[0] == ": keep-alive"
            assert slow_events[-1] == "data: [DONE]"
            broken = await chat("break it")
            assert broken.status_code == 200
            last = events(broken.text)[-1]
            assert last.startswith("data: {") and "[DONE]" not in broken.text
            assert json.loads(last[6:])["error"]["code"] == "upstream_stream_interrupted"
            assert KEY not in slow.text + broken.text
    finally:
        stop(process)


async def test_a_stream_the_caller_leaves_frees_its_slot(hub_deployment, llm_simulator, tmp_path):
    """carol may have one answer streaming: a second is refused while the first hangs; once
    she leaves it, the service cancels it and settles its bill, and she may ask again."""
    hub = hub_deployment
    simulator = await llm_simulator(SCENARIO)
    process, url = await start_service(hub, f"http://127.0.0.1:{simulator.port}", tmp_path)
    headers = {"Authorization": f"token {hub.token('carol')}"}

    def body(prompt: str) -> dict:
        return {
            "model": "default",
            "stream": True,
            "messages": [{"role": "user", "content": prompt}],
        }

    try:
        async with httpx.AsyncClient(timeout=60) as client:
            chat = f"{url}v1/chat/completions"
            async with client.stream("POST", chat, json=body("hang"), headers=headers) as hanging:
                assert hanging.status_code == 200
                # Held: an abandoned iterator, once collected, would close the response.
                pieces = hanging.aiter_raw()
                assert (await pieces.__anext__()).startswith(b": keep-alive")
                second = await client.post(chat, json=body("hi"), headers=headers)
                assert second.status_code == 429, second.text
                assert second.json()["error"]["limit"] == "concurrent_streams"
                await pieces.aclose()
            deadline = time.monotonic() + 20
            while True:
                again = await client.post(chat, json=body("hi"), headers=headers)
                if again.status_code == 200 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert again.status_code == 200, again.text
    finally:
        stop(process)


@pytest.fixture
def jp_server_config():
    """A user's server in forwarding mode whose hub service is not running."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "jupyterlab_code_interpreter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "CodeInterpreter": {"hub_service_url": f"http://127.0.0.1:{free_port()}/services/ci/"},
    }


async def test_a_server_whose_hub_service_is_down_says_so(jp_fetch, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "some-token")
    body = json.dumps({"model": "default", "messages": [{"role": "user", "content": "hi"}]})
    answer = await jp_fetch(
        "code-interpreter", "v1", "chat", "completions", method="POST", body=body, raise_error=False
    )
    assert answer.code == 502
    error = json.loads(answer.body)["error"]
    assert error["code"] == "upstream_unreachable" and "hub service 127.0.0.1:" in error["message"]
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    assert status["configured"] is False and status["mode"] == "hub"
    assert "hub service 127.0.0.1:" in status["message"]
