"""End to end through a real JupyterHub (tests/hub_fixtures.py): the README's promises for a
shared hub, attacked as a curious user would. Keys are held by the hub service alone; users
chat through their own servers, are billed for their own calls, and cannot read, borrow or
spend anyone else's key, token or quota."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .hub_fixtures import REPLY, USERS_WITH_SERVERS

PROBE = Path(__file__).with_name("hub_kernel_probe.py").read_text()


@pytest.fixture(scope="module")
def hub(hub_deployment):
    return hub_deployment


@pytest.fixture(scope="module")
def servers(hub):
    return {user: hub.start_server(user) for user in USERS_WITH_SERVERS}


@pytest.fixture(scope="module")
def secrets(hub, servers):
    """Every value a user must not find, read as root from the processes that hold them."""
    ours = {"CODE_INTERPRETER_HUB_CONFIG": str(hub.service_config)}
    service = hub.process_environment("jupyterlab_code_interpreter.hub", **ours)
    found = {"model key": hub.key, "service token": service["JUPYTERHUB_API_TOKEN"]}
    for user in servers:
        server = hub.process_environment(
            "jupyterhub-singleuser",
            JUPYTERHUB_USER=user,
            CODE_INTERPRETER_HUB_SERVICE_URL=hub.service_url,
        )
        found[f"{user}'s server token"] = server["JUPYTERHUB_API_TOKEN"]
    hub_process = hub.process_environment("-m jupyterhub -f", **ours)
    found["proxy token"] = hub_process["CONFIGPROXY_AUTH_TOKEN"]
    found["cookie secret"] = (hub.private / "cookie_secret").read_text().strip()
    return found


def streamed_text(response) -> str:
    assert response.status_code == 200, response.text
    text = []
    for line in response.text.splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:]).get("choices", []):
                text.append(choice.get("delta", {}).get("content") or "")
    return "".join(text)


def error_of(response) -> dict:
    return response.json()["error"]


def outside_minute_end():
    """A per-minute limit's two requests must fall in one calendar minute."""
    if time.gmtime().tm_sec >= 45:
        time.sleep(61 - time.gmtime().tm_sec)


def test_both_users_chat_through_their_own_servers(hub, servers):
    for user, server in servers.items():
        before = len(hub.request("GET", f"{hub.simulator_url}/_simulator/requests", None).json())
        response = hub.chat(f"{server}code-interpreter/", hub.token(user))
        assert streamed_text(response) == REPLY
        recorded = hub.request("GET", f"{hub.simulator_url}/_simulator/requests", None).json()
        assert len(recorded) == before + 1
        # The service sent the key; the user's server has none to send.
        assert recorded[-1]["headers"]["authorization"] == f"Bearer {hub.key}"
        status = hub.request("GET", f"{server}code-interpreter/status", hub.token(user))
        assert status.status_code == 200 and status.json()["mode"] == "hub"
        assert hub.key not in status.text


def test_usage_is_billed_to_the_caller_and_private(hub, servers):
    for user in servers:
        response = hub.request("GET", f"{hub.service_url}usage", hub.token(user))
        assert response.status_code == 200, response.text
        other = next(name for name in servers if name != user)
        assert other not in response.text
        spying = hub.request("GET", f"{hub.service_url}usage?user={other}", hub.token(user))
        assert other not in spying.text
        admin = hub.request("GET", f"{hub.service_url}admin/usage", hub.token(user))
        assert admin.status_code == 403, admin.text
    everyone = hub.request("GET", f"{hub.service_url}admin/usage", hub.token("auditor"))
    assert everyone.status_code == 200, everyone.text
    assert all(user in everyone.text for user in servers)


@pytest.mark.parametrize("user", USERS_WITH_SERVERS)
def test_a_users_kernel_finds_no_key_and_no_one_elses_token(hub, servers, secrets, user):
    if not hub.separate_users:
        pytest.skip(
            "run as root: the users' servers then run as OS users of their own; under the "
            "hub's own user (SimpleLocalProcessSpawner) any kernel reads the service's files"
        )
    other = next(name for name in servers if name != user)
    # Their own server's token is theirs to hold: the control that proves the search finds.
    hidden = {
        ("control" if name == f"{user}'s server token" else name): value[::-1]
        for name, value in secrets.items()
    }
    private = [str(hub.private), str(hub.service_config), str(hub.homes / other)]
    code = PROBE + (
        f"\nprobe({hidden!r}, {private!r}, {hub.url + '/hub/api'!r}, "
        f"{hub.service_url!r}, {other!r})\n"
    )
    report = json.loads(hub.run_in_kernel(servers[user], hub.token(user), code))
    assert "control in os.environ" in report["hits"]
    assert [hit for hit in report["hits"] if not hit.startswith("control in ")] == []
    assert report["files_read"] > 0 and report["had_server_token"]
    answers = report["answers"]
    labels = (
        "other user's tokens",
        "new token for other user",
        "admin usage",
        "other user's server",
    )
    for label in labels:
        assert answers[label]["status"] in (403, 404), (label, answers[label])
    assert other not in answers["own usage"]["body"]
    assert answers["service status"]["status"] == 200
    assert report["uid"] != 0
    assert report["readable_private"] == []
    assert report["foreign_environs"] == []


def test_the_users_servers_hold_no_key(hub, servers):
    """Read as root, so that a server that hides its environment from its kernels (made
    non-dumpable when it holds a key) cannot hide a key from the test."""
    for user in servers:
        server = hub.process_environment(
            "jupyterhub-singleuser",
            JUPYTERHUB_USER=user,
            CODE_INTERPRETER_HUB_SERVICE_URL=hub.service_url,
        )
        assert hub.key not in repr(server)
        home = [path for path in (hub.homes / user).rglob("*") if path.is_file()]
        assert home and all(hub.key.encode() not in path.read_bytes() for path in home)


def test_calls_without_a_valid_token_are_refused(hub, servers):
    chat = f"{hub.service_url}v1/chat/completions"
    body = {"model": "default", "messages": [{"role": "user", "content": "hi"}]}
    missing = hub.request("POST", chat, None, json=body)
    assert missing.status_code == 401, missing.text
    forged = hub.request("POST", chat, "not-a-token", json=body)
    assert forged.status_code == 403, forged.text
    # A real token of a real user, without the service's access scope.
    narrow = hub.request(
        "POST",
        f"{hub.url}/hub/api/users/alice/tokens",
        hub.token("alice"),
        json={"scopes": ["read:users:name!user"]},
    )
    assert narrow.status_code == 201, narrow.text
    unscoped = hub.request("POST", chat, narrow.json()["token"], json=body)
    assert unscoped.status_code == 403, unscoped.text
    # The users' servers refuse strangers too, before anything is forwarded.
    server_chat = f"{servers['alice']}code-interpreter/v1/chat/completions"
    assert hub.request("POST", server_chat, None, json=body).status_code in (401, 403)
    assert hub.request("POST", server_chat, hub.token("bob"), json=body).status_code == 403


def test_a_rate_limit_refuses_the_request_over_it_with_429(hub):
    outside_minute_end()
    assert streamed_text(hub.chat(hub.service_url, hub.token("carol"))) == REPLY
    refused = hub.chat(hub.service_url, hub.token("carol"))
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["x-should-retry"] == "false"  # the panel says it at once
    error = error_of(refused)
    assert error["code"] == "user_rate_limited" and error["limit"] == "requests_per_minute"
    assert "1 request" in error["message"] and "minute" in error["message"]


def test_a_token_quota_refuses_the_request_over_it_with_403(hub):
    assert streamed_text(hub.chat(hub.service_url, hub.token("dave"))) == REPLY
    refused = hub.chat(hub.service_url, hub.token("dave"))
    assert refused.status_code == 403, refused.text
    error = error_of(refused)
    assert error["code"] == "user_quota_exceeded" and error["limit"] == "tokens_per_day"
    assert "5 tokens per day" in error["message"] and error["resets_at"].endswith("Z")
    # Naming someone else in the body or the headers does not move the bill.
    disguised = hub.request(
        "POST",
        f"{hub.service_url}v1/chat/completions",
        hub.token("dave"),
        headers={"X-Forwarded-User": "alice", "X-Remote-User": "alice"},
        json={"model": "default", "messages": [{"role": "user", "content": "hi"}], "user": "alice"},
    )
    assert disguised.status_code == 403, disguised.text


def test_a_refusal_reaches_the_user_through_their_server_unchanged(hub):
    """The panel shows which limit and when it resets from what the user's server forwards."""
    server = hub.start_server("erin")
    outside_minute_end()
    assert streamed_text(hub.chat(f"{server}code-interpreter/", hub.token("erin"))) == REPLY
    refused = hub.chat(f"{server}code-interpreter/", hub.token("erin"))
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["x-should-retry"] == "false"  # the panel says it at once
    error = error_of(refused)
    assert error["code"] == "user_rate_limited" and error["limit"] == "requests_per_minute"
    assert error["resets_at"].endswith("Z")
