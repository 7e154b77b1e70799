"""Kernels started through the server hold no model key: read from inside real kernels
(`os.environ` and `/proc/self/environ`) started the ways a user or a page can start them: the
kernels API, the sessions API the notebook UI uses, a restart, a restart after a session was
renamed (jupyter_server merges `os.environ` back into the launch arguments then), a kernelspec
whose `env` copies the key, and a terminal opened through the REST API."""

import json
import logging
import sys

import pytest
from traitlets.config import Config

from jupyterlab_code_interpreter.kernel_env import KernelEnvironment
from jupyterlab_code_interpreter.process_guard import (
    PR_SET_DUMPABLE,
    ServerProcessGuard,
    _prctl,
    is_dumpable,
)

OPENAI_KEY = "sk-kernel-env-OPENAI-0123456789"
AZURE_KEY = "azure-kernel-env-KEPT-0123456789"
TEAM_KEY = "team-kernel-env-KEY-0123456789"
DB_PASSWORD = "db-kernel-env-PASSWORD-0123456789"
SECRETS = {
    "OPENAI_API_KEY": OPENAI_KEY,
    "TEAM_LLM_KEY": TEAM_KEY,  # a server-config endpoint's api_key_env
    "DB_PASSWORD": DB_PASSWORD,  # c.CodeInterpreter.kernel_env_strip
    "COPY_OF_THE_KEY": OPENAI_KEY,  # the same key under a name nobody configured
}
TIMEOUT = 60

PROBE = """
import json, os
with open('/proc/self/environ', 'rb') as f:
    raw = f.read().decode('utf-8', 'replace')
print(json.dumps({'environ': dict(os.environ), 'proc': raw.split('\\x00')}))
"""


@pytest.fixture
def jp_server_config(jp_server_config):
    config = json.loads(json.dumps(jp_server_config))
    config["ServerApp"]["jpserver_extensions"]["jupyter_server_terminals"] = True
    config["CodeInterpreter"] = {
        "endpoints": [
            {
                "name": "team",
                "kind": "openai",
                "base_url": "http://127.0.0.1:9/v1",
                "model": "team-model",
                "api_key_env": "TEAM_LLM_KEY",
            }
        ],
        "kernel_env_strip": ["DB_PASSWORD"],
        "kernel_env_keep": ["AZURE_OPENAI_API_KEY"],
        # The server runs inside pytest: leave the test process dumpable (tested on its own).
        "protect_server_process": False,
    }
    return config


@pytest.fixture(autouse=True)
def keys_in_server_environment(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", AZURE_KEY)
    monkeypatch.setenv("HARMLESS_SETTING", "still-here")


async def kernel_environment(serverapp, kernel_id):
    """(os.environ, /proc/self/environ entries) as code in the kernel reads them."""
    manager = serverapp.kernel_manager.get_kernel(kernel_id)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=TIMEOUT)
        printed = []

        def collect(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = await client.execute_interactive(PROBE, output_hook=collect, timeout=TIMEOUT)
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    text = "".join(printed)
    found = json.loads(text)
    return found["environ"], found["proc"], text


def assert_no_key(environ, proc, text):
    for name in SECRETS:
        assert name not in environ, name
        assert not any(entry.startswith(f"{name}=") for entry in proc), name
    for value in (OPENAI_KEY, TEAM_KEY, DB_PASSWORD):
        assert value not in text
    # Kept on purpose, and everything else passes through.
    assert environ["AZURE_OPENAI_API_KEY"] == AZURE_KEY
    assert f"AZURE_OPENAI_API_KEY={AZURE_KEY}" in proc
    assert environ["HARMLESS_SETTING"] == "still-here"


async def post(jp_fetch, *path, body=None):
    response = await jp_fetch(*path, method="POST", body=json.dumps(body or {}))
    return json.loads(response.body)


async def test_kernels_api_start_and_restart(jp_fetch, jp_serverapp):
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    assert_no_key(*await kernel_environment(jp_serverapp, kernel["id"]))

    await post(jp_fetch, "api", "kernels", kernel["id"], "restart")
    assert_no_key(*await kernel_environment(jp_serverapp, kernel["id"]))


async def test_sessions_api_rename_and_restart(jp_fetch, jp_serverapp):
    body = {
        "path": "analysis.ipynb",
        "type": "notebook",
        "name": "analysis.ipynb",
        "kernel": {"name": "python3"},
    }
    session = await post(jp_fetch, "api", "sessions", body=body)
    kernel_id = session["kernel"]["id"]
    environ, proc, text = await kernel_environment(jp_serverapp, kernel_id)
    assert_no_key(environ, proc, text)
    assert environ["JPY_SESSION_NAME"].endswith("analysis.ipynb")

    # A rename sends `{**os.environ, JPY_SESSION_NAME}` into the arguments a restart reuses.
    await jp_fetch(
        "api",
        "sessions",
        session["id"],
        method="PATCH",
        body=json.dumps({"path": "renamed.ipynb", "name": "renamed.ipynb"}),
    )
    await post(jp_fetch, "api", "kernels", kernel_id, "restart")
    environ, proc, text = await kernel_environment(jp_serverapp, kernel_id)
    assert_no_key(environ, proc, text)
    assert environ["JPY_SESSION_NAME"].endswith("renamed.ipynb")


async def test_a_kernelspec_copying_the_key_gets_no_copy(jp_fetch, jp_serverapp, jp_kernel_dir):
    spec = jp_kernel_dir / "python-with-key"
    spec.mkdir()
    kernelspec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (copies the key)",
        "language": "python",
        "env": {"SPEC_KEY": "${OPENAI_API_KEY}"},
    }
    (spec / "kernel.json").write_text(json.dumps(kernelspec))
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python-with-key"})
    environ, proc, text = await kernel_environment(jp_serverapp, kernel["id"])
    assert_no_key(environ, proc, text)
    assert "SPEC_KEY" not in environ


async def test_kernels_started_before_a_key_is_configured_are_filtered_too(
    jp_fetch, jp_serverapp, monkeypatch
):
    """The names are worked out at every launch: a key variable set after the server started
    (an endpoint added to the environment, a restart later) is not inherited either."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kernel-env-LATER-0123456789")
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    environ, proc, text = await kernel_environment(jp_serverapp, kernel["id"])
    assert "OPENAI_API_KEY" not in environ
    assert "sk-kernel-env-LATER" not in text


async def test_a_terminal_opened_through_the_api_gets_no_key(jp_fetch, jp_serverapp):
    """Kernel code holding the server's token (it is in Jupyter's runtime folder) could open
    a terminal and read its environment."""
    terminal = await post(jp_fetch, "api", "terminals")
    manager = jp_serverapp.web_app.settings["terminal_manager"]
    pid = manager.get_terminal(terminal["name"]).ptyproc.pid
    with open(f"/proc/{pid}/environ", "rb") as f:
        raw = f.read().decode("utf-8", "replace")
    proc = raw.split("\x00")
    assert not any(entry.partition("=")[0] in SECRETS for entry in proc)
    for value in (OPENAI_KEY, TEAM_KEY, DB_PASSWORD):
        assert value not in raw
    assert "HARMLESS_SETTING=still-here" in proc


async def test_the_gateway_keeps_using_the_key(jp_fetch, jp_serverapp, gateway, llm_simulator):
    sim = await llm_simulator({"api_key": TEAM_KEY, "default": {"content": "still served"}})
    endpoint = dict(gateway.config.endpoints[0], base_url=f"http://127.0.0.1:{sim.port}/v1")
    gateway.config.endpoints = [endpoint]
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    assert_no_key(*await kernel_environment(jp_serverapp, kernel["id"]))

    body = {"model": "default", "messages": [{"role": "user", "content": "hi"}]}
    response = await jp_fetch(
        "code-interpreter", "v1", "chat/completions", method="POST", body=json.dumps(body)
    )
    answer = json.loads(response.body)
    assert answer["choices"][0]["message"]["content"] == "still served"
    assert TEAM_KEY not in response.body.decode()


@pytest.fixture
def dumpable_process():
    """These servers run inside pytest: start dumpable (an earlier test's server may have
    protected the process) and leave it so."""
    if is_dumpable() is False:
        _prctl(PR_SET_DUMPABLE, 1)
    yield
    if is_dumpable() is False:
        _prctl(PR_SET_DUMPABLE, 1)


def protected_config(jp_server_config):
    config = json.loads(json.dumps(jp_server_config))
    config["CodeInterpreter"]["protect_server_process"] = True
    return Config(config)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
async def test_the_server_process_is_marked_non_dumpable(
    dumpable_process, jp_server_config, jp_configurable_serverapp
):
    """Loading the extension with a key in the environment marks the process non-dumpable
    (its effect on another process of the same user: test_kernel_env_process.py)."""
    jp_configurable_serverapp(config=protected_config(jp_server_config))
    assert is_dumpable() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
async def test_the_guard_says_once_what_it_did(dumpable_process, gateway):
    """Checked at load and before every kernel launch; said once, naming the trait, never
    the key (the server log of a real server: test_kernel_env_process.py)."""
    records = []
    log = logging.getLogger("test_the_guard_says_once_what_it_did")
    collector = logging.Handler()
    collector.emit = lambda record: records.append(record.getMessage())
    log.addHandler(collector)
    log.setLevel(logging.INFO)
    gateway.config.protect_server_process = True
    guard = ServerProcessGuard(gateway, KernelEnvironment(gateway).secret_names, log)
    for _ in range(3):
        guard.ensure()
    assert is_dumpable() is False
    assert len(records) == 1
    assert "marked non-dumpable" in records[0]
    assert "c.CodeInterpreter.protect_server_process = False" in records[0]
    assert OPENAI_KEY not in records[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
async def test_a_server_without_a_key_stays_dumpable(
    dumpable_process, monkeypatch, jp_server_config, jp_configurable_serverapp
):
    for name in [*SECRETS, "AZURE_OPENAI_API_KEY"]:
        monkeypatch.delenv(name)
    config = protected_config(jp_server_config)
    config.CodeInterpreter.endpoints = []
    jp_configurable_serverapp(config=config)
    assert is_dumpable() is True
