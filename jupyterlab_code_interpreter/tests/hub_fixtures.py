"""pytest plugin: a real JupyterHub with the Code Interpreter hub service, for end-to-end tests.

``hub_deployment`` (session scope) starts, on free ports: the LLM simulator (the upstream,
whose only valid key is ``hub.key``), JupyterHub from PyPI with configurable-http-proxy from
npm, loading jupyter_config/jupyterhub/jupyterhub_config.py as a deployment would, and through
it the hub service (managed). Users log in with DummyAuthenticator; their servers run from this
virtualenv with homes under a temporary folder, each as an OS user of its own when the tests run
as root (tests/hub_user_launcher.py), as a production hub runs them. Everything is stopped after
the session.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import yaml

from .hub_deployment import HubDeployment

REPO = Path(__file__).resolve().parents[2]
HUB_SNIPPET = REPO / "jupyter_config" / "jupyterhub" / "jupyterhub_config.py"
CHP = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
USERS_WITH_SERVERS = ("alice", "bob")
# carol and dave have low quotas and call the service directly, erin through her server;
# auditor reads everyone's usage.
USERS = (*USERS_WITH_SERVERS, "carol", "dave", "erin", "auditor")
FIRST_UID = 23001
REPLY = "The mean of the column is 4.2."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_requirements() -> None:
    """Fail with what to install rather than with a hub that never starts."""
    missing = []
    if shutil.which("jupyterhub-singleuser", path=str(Path(sys.executable).parent)) is None:
        missing.append("jupyterhub (PyPI): `make install` installs the test extra")
    if not CHP.exists():
        missing.append(f"configurable-http-proxy (npm) at {CHP}: `make install` runs npm ci")
    if missing:
        pytest.fail("The hub end-to-end tests need " + "; ".join(missing), pytrace=False)


def service_config(simulator_url: str, state: Path) -> str:
    """The service's own configuration: the simulator as its one endpoint, the key read from
    the service's environment, and the quotas the tests attack."""
    endpoint = {
        "name": "simulator",
        "kind": "openai",
        "base_url": f"{simulator_url}/v1",
        "model": "gpt-4o",
        "api_key_env": "OPENAI_API_KEY",
    }
    quotas = {
        "default": {"requests_per_minute": 1000},
        "users": {
            "carol": {"requests_per_minute": 1},
            "dave": {"tokens_per_day": 5},
            "erin": {"requests_per_minute": 1},
        },
    }
    return (
        f"c.CodeInterpreter.endpoints = [{endpoint!r}]\n"
        f"c.CodeInterpreterHub.state_url = {f'sqlite:///{state}'!r}\n"
        f"c.CodeInterpreterHub.quotas = {quotas!r}\n"
    )


def hub_config(hub: HubDeployment, separate_users: bool) -> str:
    """What an administrator adds around the snippet: authenticator, spawner, ports, files."""
    singleuser = str(Path(sys.executable).parent / "jupyterhub-singleuser")
    database = f"sqlite:///{hub.private / 'jupyterhub.sqlite'}"
    lines = [
        "c = get_config()  # noqa",
        f"load_subconfig({str(HUB_SNIPPET)!r})",
        f"c.JupyterHub.bind_url = {hub.url + '/'!r}",
        f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{free_port()}'",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'",
        f"c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]",
        f"c.JupyterHub.db_url = {database!r}",
        f"c.JupyterHub.cookie_secret_file = {str(hub.private / 'cookie_secret')!r}",
        "c.JupyterHub.authenticator_class = 'dummy'",
        f"c.DummyAuthenticator.password = {hub.password!r}",
        f"c.Authenticator.allowed_users = {set(USERS)!r}",
        "c.JupyterHub.load_groups = {'code-interpreter-admins': {'users': ['auditor']}}",
        "c.JupyterHub.spawner_class = 'simple'",
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(hub.homes) + '/{username}'!r}",
        f"c.Spawner.cmd = [{singleuser!r}]",
        "c.Spawner.start_timeout = 180",
        "c.Spawner.http_timeout = 180",
    ]
    if separate_users:
        lines.append("c.Spawner.pre_spawn_hook = run_as_own_user")
        return "\n".join([run_as_own_user_source(hub.homes), *lines]) + "\n"
    return "\n".join(lines) + "\n"


def run_as_own_user_source(homes: Path) -> str:
    """The hub's pre_spawn_hook, inlined into the hub's config: a home of the user's own and a
    server started through the launcher under the user's own uid."""
    needed = (sys.base_prefix, sys.prefix, REPO, homes)
    exposed = sorted({os.path.realpath(path) for path in needed})
    expose_args = [arg for path in exposed for arg in ("--expose", path)]
    launcher = [sys.executable, "-m", "jupyterlab_code_interpreter.tests.hub_user_launcher"]
    return f"""
import os
USERS = {list(USERS)!r}

def run_as_own_user(spawner):
    uid = {FIRST_UID} + USERS.index(spawner.user.name)
    os.makedirs(spawner.home_dir, mode=0o700, exist_ok=True)
    os.chown(spawner.home_dir, uid, uid)
    spawner.cmd = [*{launcher!r}, str(uid), *{expose_args!r}, "--", *spawner.cmd]
"""


def wait_until_up(hub: HubDeployment, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    urls = (f"{hub.url}/hub/api/", f"{hub.service_url}health")
    for url in urls:
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterHub exited ({process.returncode}).\n{hub.log_tail()}", False)
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer within 120 s.\n{hub.log_tail()}", False)
            time.sleep(0.5)


def start_simulator(folder: Path, key: str) -> tuple[subprocess.Popen, str]:
    scenario = folder / "scenario.yaml"
    scenario.write_text(yaml.safe_dump({"api_key": key, "default": REPLY}))
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab_code_interpreter.simulator", "--port", "0"]
        + ["--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    if not line.startswith("LLM simulator listening on "):
        process.kill()
        pytest.fail(f"The simulator did not start: {line!r}", False)
    return process, line.rsplit(" ", 1)[1]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def hub_deployment():
    """A running JupyterHub with the Code Interpreter service (see the module's docstring)."""
    check_requirements()
    separate_users = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="code-interpreter-hub-"))
    root.chmod(0o711)  # users enter their homes below it, nothing else
    private, homes = root / "hub", root / "homes"
    private.mkdir(mode=0o700)
    homes.mkdir(mode=0o711)
    key = "sk-hub-" + secrets.token_hex(16)
    simulator, simulator_url = start_simulator(private, key)
    proxy_port, service_port = free_port(), free_port()
    hub = HubDeployment(
        url=f"http://127.0.0.1:{proxy_port}",
        key=key,
        password=secrets.token_hex(8),
        private=private,
        homes=homes,
        simulator_url=simulator_url,
        separate_users=separate_users,
    )
    hub.service_config.write_text(service_config(simulator_url, private / "state.sqlite"))
    config = private / "jupyterhub_config.py"
    config.write_text(hub_config(hub, separate_users))
    log = private / "jupyterhub.log"
    # The developer's own endpoint variables stay out: the service's one upstream is the simulator.
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "AZURE_OPENAI_"))
    }
    environment = {
        **inherited,
        "OPENAI_API_KEY": key,
        "CODE_INTERPRETER_HUB_CONFIG": str(hub.service_config),
        "CODE_INTERPRETER_SERVICE_PORT": str(service_port),
        "CODE_INTERPRETER_HUB_URL": hub.url,
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=private,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(hub, process)
        yield hub
    finally:
        hub.close()
        stop(process)
        hub.stop_leftovers()
        stop(simulator)
        if os.environ.get("KEEP_HUB_FILES"):
            print(f"hub files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
