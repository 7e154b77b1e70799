"""The hub service against a real JupyterHub (tests/hub_fixtures.py): billing to the caller,
the usage reports (route and CLI), and two external replicas sharing Redis under concurrent
load (start Redis with `redis-server --daemonize yes`)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from .hub_fixtures import free_port, stop
from .test_hub_state import REDIS_URL, require_redis

SERVICE_PREFIX = "/services/code-interpreter/"


def usage_of(response: httpx.Response) -> dict:
    """The usage chunk of a streamed answer."""
    assert response.status_code == 200, response.text
    for line in response.text.splitlines():
        if line.startswith("data: {") and '"usage"' in line:
            usage = json.loads(line[6:]).get("usage")
            if usage:
                return usage
    raise AssertionError(f"no usage chunk in {response.text[:500]}")


def totals_today(hub, url: str, user: str) -> dict:
    response = hub.request("GET", f"{url}usage", hub.token(user))
    assert response.status_code == 200, response.text
    return response.json()["today"] or {"requests": 0, "total_tokens": 0}


def test_usage_is_billed_to_the_caller_from_the_usage_chunk(hub_deployment):
    hub = hub_deployment
    alice, bob = (
        totals_today(hub, hub.service_url, "alice"),
        totals_today(hub, hub.service_url, "bob"),
    )
    # No stream_options asked: the service asks for the usage chunk itself.
    answer = hub.chat(hub.service_url, hub.token("alice"), prompt="mean of the column?")
    usage = usage_of(answer)
    after = totals_today(hub, hub.service_url, "alice")
    assert after["requests"] == alice["requests"] + 1
    assert after["total_tokens"] == alice["total_tokens"] + usage["total_tokens"]
    assert totals_today(hub, hub.service_url, "bob") == bob
    latest = hub.request("GET", f"{hub.service_url}usage", hub.token("alice")).json()
    entry = latest["entries"][0]
    assert (entry["user"], entry["status"], entry["deployment"]) == ("alice", 200, "simulator")
    assert entry["prompt"] is None  # prompt text only when an administrator turns it on


def test_admin_report_and_cli_agree_and_a_user_cannot_read_it(hub_deployment):
    hub = hub_deployment
    hub.chat(hub.service_url, hub.token("bob"))
    report = hub.request("GET", f"{hub.service_url}admin/usage", hub.token("auditor"))
    assert report.status_code == 200, report.text
    users = report.json()["users"]
    assert users["bob"]["requests"] >= 1
    only_bob = hub.request("GET", f"{hub.service_url}admin/usage?user=bob", hub.token("auditor"))
    assert list(only_bob.json()["users"]) == ["bob"]
    refused = hub.request("GET", f"{hub.service_url}admin/usage", hub.token("bob"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "hub_auth_failed"
    printed = subprocess.run(
        [sys.executable, "-m", "jupyterlab_code_interpreter.hub", "usage", "--json"]
        + [f"--config={hub.service_config}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(printed.stdout)["bob"] == users["bob"]


@pytest.fixture(scope="module")
def replicas(hub_deployment, tmp_path_factory):
    """Two external service processes sharing one Redis, authenticating callers with the same
    hub (a caller's token is checked with the hub itself)."""
    asyncio.run(require_redis())
    hub = hub_deployment
    folder = tmp_path_factory.mktemp("replicas")
    state = f"{REDIS_URL}?prefix=test-{uuid.uuid4().hex}:"
    endpoint = {
        "name": "simulator",
        "kind": "openai",
        "base_url": f"{hub.simulator_url}/v1",
        "model": "gpt-4o",
        "api_key_env": "OPENAI_API_KEY",
    }
    quotas = {
        "users": {"alice": {"requests_per_minute": 10}, "dave": {"tokens_per_day": 1}},
        "groups": {"code-interpreter-admins": {"tokens_per_day": 1}},
    }
    config = folder / "code_interpreter_hub_config.py"
    config.write_text(
        f"c.CodeInterpreter.endpoints = [{endpoint!r}]\n"
        f"c.CodeInterpreterHub.state_url = {state!r}\n"
        f"c.CodeInterpreterHub.quotas = {quotas!r}\n"
    )
    processes, urls = [], []
    for _ in range(2):
        port = free_port()
        environment = {
            **os.environ,
            "OPENAI_API_KEY": hub.key,
            "CODE_INTERPRETER_HUB_CONFIG": str(config),
            "JUPYTERHUB_API_URL": f"{hub.url}/hub/api",
            "JUPYTERHUB_API_TOKEN": "",
            "JUPYTERHUB_SERVICE_NAME": "code-interpreter",
            "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
            "JUPYTERHUB_SERVICE_PREFIX": SERVICE_PREFIX,
        }
        environment.pop("JUPYTERHUB_OAUTH_ACCESS_SCOPES", None)
        command = [sys.executable, "-m", "jupyterlab_code_interpreter.hub"]
        processes.append(subprocess.Popen(command, env=environment, cwd=folder))
        urls.append(f"http://127.0.0.1:{port}{SERVICE_PREFIX}")
    try:
        for url in urls:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.3)
        yield urls
    finally:
        for process in processes:
            stop(process)


async def chat_all(hub, calls: list[tuple[str, str]]) -> list[httpx.Response]:
    """Streamed chats, all at once: (service URL, user) each."""
    async with httpx.AsyncClient(timeout=120) as client:

        async def one(url: str, user: str) -> httpx.Response:
            body = {"model": "default", "stream": True}
            body["messages"] = [{"role": "user", "content": "mean?"}]
            headers = {"Authorization": f"token {hub.token(user)}"}
            return await client.post(f"{url}v1/chat/completions", json=body, headers=headers)

        return await asyncio.gather(*(one(url, user) for url, user in calls))


def test_a_rate_limit_holds_exactly_across_two_replicas_under_load(hub_deployment, replicas):
    hub = hub_deployment
    hub.token("alice")
    if time.gmtime().tm_sec >= 45:  # all 30 requests in one calendar minute
        time.sleep(61 - time.gmtime().tm_sec)
    calls = [(replicas[i % 2], "alice") for i in range(30)]
    answers = asyncio.run(chat_all(hub, calls))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 10 + [429] * 20
    for refused in (r for r in answers if r.status_code == 429):
        error = refused.json()["error"]
        assert error["code"] == "user_rate_limited" and error["limit"] == "requests_per_minute"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_usage_counted_by_two_replicas_under_load_drifts_under_five_percent(
    hub_deployment, replicas
):
    hub = hub_deployment
    before = totals_today(hub, replicas[0], "bob")
    calls = [(replicas[i % 2], "bob") for i in range(40)]
    answers = asyncio.run(chat_all(hub, calls))
    spent = sum(usage_of(answer)["total_tokens"] for answer in answers)
    after = totals_today(hub, replicas[1], "bob")
    assert after["requests"] - before["requests"] == 40
    counted = after["total_tokens"] - before["total_tokens"]
    assert abs(counted - spent) <= 0.05 * spent, (counted, spent)


def test_a_group_quota_applies_to_its_members(hub_deployment, replicas):
    hub = hub_deployment
    first, second = asyncio.run(chat_all(hub, [(replicas[0], "auditor")]))[0], None
    assert first.status_code == 200, first.text
    second = asyncio.run(chat_all(hub, [(replicas[1], "auditor")]))[0]
    assert second.status_code == 403, second.text
    error = second.json()["error"]
    assert (error["code"], error["limit"]) == ("user_quota_exceeded", "tokens_per_day")
    assert "1 token per day" in error["message"] and "resets at" in error["message"]


@pytest.fixture
def jp_server_config(replicas):
    """A user's server in forwarding mode, pointed at a replica."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "jupyterlab_code_interpreter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "CodeInterpreter": {"hub_service_url": replicas[0]},
    }


async def test_a_users_server_forwards_with_its_token_and_passes_refusals_through(
    hub_deployment, jp_fetch, monkeypatch
):
    hub = hub_deployment
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.token("dave"))
    body = {"model": "default", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    chat = ("code-interpreter", "v1", "chat", "completions")
    first = await jp_fetch(*chat, method="POST", body=json.dumps(body))
    assert first.code == 200 and first.headers["Content-Type"].startswith("text/event-stream")
    assert b'"usage"' in first.body and first.body.rstrip().endswith(b"data: [DONE]")
    second = await jp_fetch(*chat, method="POST", body=json.dumps(body), raise_error=False)
    assert second.code == 403 and second.headers["x-should-retry"] == "false"
    error = json.loads(second.body)["error"]
    assert (error["code"], error["limit"]) == ("user_quota_exceeded", "tokens_per_day")
    assert error["resets_at"].endswith("T00:00:00Z")
    status = await jp_fetch("code-interpreter", "status")
    assert (
        json.loads(status.body)["mode"] == "hub" and "default" in json.loads(status.body)["models"]
    )
    assert hub.key.encode() not in status.body
    models = await jp_fetch("code-interpreter", "v1", "models")
    assert [m["id"] for m in json.loads(models.body)["data"]][:1] == ["default"]
    keys = await jp_fetch("code-interpreter", "keys", raise_error=False)
    assert keys.code == 404  # this server holds no key, so it has no key routes


async def test_a_server_without_its_hub_token_refuses_before_forwarding(jp_fetch, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    body = json.dumps({"model": "default", "messages": [{"role": "user", "content": "hi"}]})
    answer = await jp_fetch(
        "code-interpreter", "v1", "chat", "completions", method="POST", body=body, raise_error=False
    )
    assert answer.code == 401
    assert json.loads(answer.body)["error"]["code"] == "hub_auth_failed"
