"""Secrets go only where the administrator said: the exfiltration attempts a hostile page or
kernel code (say, steered by a prompt injected into a CSV) can make through the user's
settings, against a real server with JupyterLab's settings API, a real kernel, the real
endpoint (a simulator reached through the environment) and an "attacker" simulator that
records everything it receives."""

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from .conftest import cookie_headers
from .test_gateway import chat, post

SERVER_KEY = "sk-test-SERVERKEY-1234567890"  # OPENAI_API_KEY, for the environment's endpoint
VARIABLE_SECRET = "sk-test-VARIABLE-0987654321"  # another server variable
FILE_SECRET = "sk-test-FILESECRET-5555555555"  # a readable file on the server
USER_KEY = "sk-test-USERSOWN-4444444444"  # a variable the user may name when allowed
SECRETS = (SERVER_KEY, VARIABLE_SECRET, FILE_SECRET)
SETTINGS_URL = ("lab", "api", "settings", "jupyterlab-code-interpreter:plugin")
ANSWER = "The real endpoint answers."
SCHEMA = Path(__file__).parents[2] / "schema" / "plugin.json"


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path, jp_config_dir):
    """JupyterLab's server extension as well, for its settings API (`/lab/api/settings`),
    which validates what it saves against our schema: the source's, as the build ships it
    (pytest-jupyter hides the installed extensions' folders). Its settings folder is set
    explicitly: LabApp computes the default once, at import, for the first test's folders."""
    schemas = tmp_path / "schemas"
    (schemas / "jupyterlab-code-interpreter").mkdir(parents=True)
    shutil.copy(SCHEMA, schemas / "jupyterlab-code-interpreter" / "plugin.json")
    extensions = jp_server_config["ServerApp"]["jpserver_extensions"]
    return {
        **jp_server_config,
        "ServerApp": {
            **jp_server_config["ServerApp"],
            "jpserver_extensions": {**extensions, "jupyterlab": True},
        },
        "LabApp": {
            "schemas_dir": str(schemas),
            "user_settings_dir": str(jp_config_dir / "lab" / "user-settings"),
        },
    }


@pytest.fixture
async def upstreams(llm_simulator, monkeypatch, tmp_path):
    """The environment's endpoint (the real one, with the server's key) and the attacker's."""
    real = await llm_simulator({"api_key": SERVER_KEY, "default": {"content": ANSWER}})
    attacker = await llm_simulator({"api_key": USER_KEY, "default": {"content": "pwned"}})
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{real.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", SERVER_KEY)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
    monkeypatch.setenv("SERVER_VARIABLE", VARIABLE_SECRET)
    monkeypatch.setenv("USERS_OWN_KEY", USER_KEY)
    secret_file = tmp_path / "server-secret"
    secret_file.write_text(FILE_SECRET)
    return real, attacker, str(secret_file)


def attacker_entry(attacker, **key_source):
    return {
        "name": "innocent",
        "baseUrl": f"http://127.0.0.1:{attacker.port}/v1",
        "model": "gpt-4o",
        **key_source,
    }


def assert_received_no_secret(simulator):
    """Nothing the simulator received (headers, body) holds a server secret."""
    for request in simulator.requests:
        raw = json.dumps(request)
        for secret in SECRETS:
            assert secret not in raw, f"{simulator.port} received a server secret"


async def put_settings(jp_fetch, cookies, settings: dict):
    """Save the user's settings as the settings editor does: cookie and XSRF header."""
    response = await jp_fetch(
        *SETTINGS_URL,
        method="PUT",
        body=json.dumps({"raw": json.dumps(settings)}),
        headers=cookie_headers(cookies, xsrf=True),
    )
    assert response.code == 204


async def status_of(jp_fetch):
    return json.loads((await jp_fetch("code-interpreter", "status")).body)


ATTEMPTS = {
    "apiKeyEnv: the server's OPENAI_API_KEY": ({"apiKeyEnv": "OPENAI_API_KEY"}, "apiKeyEnv"),
    "apiKeyEnv: another server variable": ({"apiKeyEnv": "SERVER_VARIABLE"}, "apiKeyEnv"),
    "apiKeyFile: a readable secret file": (None, "apiKeyFile"),
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
async def test_a_settings_put_cannot_send_a_server_secret_to_its_url(
    jp_fetch, gateway, upstreams, browser_cookie, user_settings_file, attempt
):
    real, attacker, secret_file = upstreams
    key_source, field = ATTEMPTS[attempt]
    key_source = key_source or {"apiKeyFile": secret_file}
    await put_settings(
        jp_fetch, browser_cookie, {"endpoints": [attacker_entry(attacker, **key_source)]}
    )
    assert "innocent" in user_settings_file.read_text()  # the lab API wrote where we read

    for stream in (False, True):
        response = await post(jp_fetch, chat("summarise data.csv", stream=stream))
        assert response.code == 503
        error = json.loads(response.body)["error"]
        assert error["code"] == "endpoint_config_invalid"
        assert f"endpoints[0] ('innocent').{field} is refused" in error["message"]
        assert "c.CodeInterpreter.allow_user_key_sources = True" in error["message"]
        assert "apiKeyName" in error["message"]
    assert attacker.requests == [] and real.requests == []

    status = await status_of(jp_fetch)
    assert status["configured"] is False and status["source"] == "user_settings"
    assert [(e["endpoint"], e["field"]) for e in status["config_errors"]] == [("innocent", field)]
    assert f"{field} is refused" in status["message"]
    raw = json.dumps(status) + response.body.decode()
    assert not any(secret in raw for secret in SECRETS)


async def test_a_settings_put_naming_no_key_gets_no_default_key(
    jp_fetch, gateway, upstreams, browser_cookie
):
    real, attacker, _ = upstreams
    await put_settings(
        jp_fetch,
        browser_cookie,
        {"endpoint": {"baseUrl": f"http://127.0.0.1:{attacker.port}/v1", "model": "gpt-4o"}},
    )
    response = await post(jp_fetch, chat("hi"))
    # The attacker got a request, but no key with it: it answers 401, and the user is told why.
    assert len(attacker.requests) == 1 and real.requests == []
    headers = attacker.requests[0]["headers"]
    assert "authorization" not in headers and "api-key" not in headers
    assert_received_no_secret(attacker)
    assert response.code == 401
    error = json.loads(response.body)["error"]
    assert "sent without a key" in error["message"] and "apiKeyName" in error["message"]
    assert not any(secret.encode() in response.body for secret in SECRETS)


async def test_kernel_code_writing_the_settings_file_sends_no_secret(
    jp_fetch, jp_serverapp, gateway, upstreams
):
    real, attacker, secret_file = upstreams
    endpoints = [
        attacker_entry(attacker, name="env", apiKeyEnv="OPENAI_API_KEY"),
        attacker_entry(attacker, name="file", apiKeyFile=secret_file),
        attacker_entry(attacker, name="nokey", models=["default"]),
    ]
    # What a generated cell could run: find the settings file as JupyterLab does, write it.
    code = f"""
import json, os
from jupyter_core.paths import jupyter_config_dir
folder = os.path.join(jupyter_config_dir(), "lab", "user-settings", "jupyterlab-code-interpreter")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "plugin.jupyterlab-settings"), "w") as handle:
    json.dump({{"endpoints": {endpoints!r}}}, handle)
print("written")
"""
    await run_in_kernel(jp_fetch, jp_serverapp, code)

    response = await post(jp_fetch, chat("hi"))
    assert response.code == 401  # only "nokey" is left, and it got no key
    assert "sent without a key" in json.loads(response.body)["error"]["message"]
    assert_received_no_secret(attacker)
    assert all("authorization" not in r["headers"] for r in attacker.requests)
    status = await status_of(jp_fetch)
    refused = {(e["endpoint"], e["field"]) for e in status["config_errors"]}
    assert refused == {("env", "apiKeyEnv"), ("file", "apiKeyFile")}
    assert "is refused" in status["message"]
    assert real.requests == []


async def test_allowed_user_key_sources_work_but_bound_ones_stay_bound(
    jp_fetch, gateway, upstreams, user_settings_file
):
    real, attacker, _ = upstreams
    gateway.config.allow_user_key_sources = True
    user_settings_file.write_text(
        json.dumps({"endpoints": [attacker_entry(attacker, apiKeyEnv="USERS_OWN_KEY")]})
    )
    response = await post(jp_fetch, chat("hi"))
    # The test can see a key arrive: the one the administrator let the user name.
    assert response.code == 200, response.body
    assert attacker.requests[-1]["headers"]["authorization"] == f"Bearer {USER_KEY}"

    # OPENAI_API_KEY is bound to the environment's base URL: not to the attacker's.
    user_settings_file.write_text(
        json.dumps(
            {
                "endpoints": [
                    attacker_entry(attacker, name="stolen", apiKeyEnv="OPENAI_API_KEY"),
                    {
                        "name": "real",
                        "baseUrl": f"http://127.0.0.1:{real.port}/v1/",
                        "model": "gpt-4o",
                        "apiKeyEnv": "OPENAI_API_KEY",
                        "tier": 1,
                    },
                ]
            }
        )
    )
    before = len(attacker.requests)
    for _ in range(3):
        response = await post(jp_fetch, chat("hi"))
        assert response.code == 200
        assert json.loads(response.body)["choices"][0]["message"]["content"] == ANSWER
    assert len(attacker.requests) == before
    assert_received_no_secret(attacker)
    status = await status_of(jp_fetch)
    (error,) = status["config_errors"]
    assert (error["endpoint"], error["field"]) == ("stolen", "apiKeyEnv")
    assert f"sent only to http://127.0.0.1:{real.port}/v1" in error["message"]


async def test_a_variable_of_an_administrator_endpoint_never_leaves_it(
    jp_fetch, gateway, upstreams, user_settings_file, monkeypatch
):
    real, attacker, _ = upstreams
    monkeypatch.setenv("ADMIN_KEY", SERVER_KEY)
    gateway.config.allow_user_key_sources = True
    gateway.config.endpoints = [
        {
            "name": "admin",
            "kind": "openai",
            "base_url": f"http://127.0.0.1:{real.port}/v1",
            "model": "gpt-4o",
            "api_key_env": "ADMIN_KEY",
        }
    ]
    user_settings_file.write_text(
        json.dumps({"endpoints": [attacker_entry(attacker, apiKeyEnv="ADMIN_KEY", tier=0)]})
    )
    for _ in range(3):
        response = await post(jp_fetch, chat("hi"))
        assert response.code == 200
    assert attacker.requests == [] and len(real.requests) == 3
    assert (await status_of(jp_fetch))["source"] == "server_config"


async def test_user_endpoints_turned_off_are_ignored_and_the_status_says_so(
    jp_fetch, gateway, upstreams, user_settings_file, monkeypatch
):
    real, attacker, _ = upstreams
    gateway.config.allow_user_endpoints = False
    user_settings_file.write_text(json.dumps({"endpoints": [attacker_entry(attacker)]}))
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 200 and attacker.requests == [] and len(real.requests) == 1
    status = await status_of(jp_fetch)
    assert status["source"] == "environment" and status["config_errors"] == []
    (note,) = status["notes"]
    assert "allow_user_endpoints = False" in note and note in status["message"]

    # With nothing else configured, sending says what happened and who can fix it.
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name)
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 503
    error = json.loads(response.body)["error"]
    assert error["code"] == "no_endpoint_configured"
    assert "allow_user_endpoints = False" in error["message"]
    assert "administrator" in error["message"]
    assert attacker.requests == []


async def run_in_kernel(jp_fetch, jp_serverapp, code: str) -> None:
    """Start a kernel through the server's REST API and run `code` in it, as a cell would."""
    started = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    kernel_id = json.loads(started.body)["id"]
    manager = jp_serverapp.kernel_manager
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await asyncio.wait_for(client.wait_for_ready(), 60)
        outputs = []
        reply = await asyncio.wait_for(
            client.execute_interactive(code, output_hook=outputs.append), 60
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        assert any("written" in str(o["content"].get("text", "")) for o in outputs)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)
