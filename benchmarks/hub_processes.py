"""The processes of benchmarks/hub_overhead.py that are not in gateway_overhead.py: LiteLLM's
proxy and a real JupyterHub whose managed hub service is the one under test, with its users and
their API tokens; and the CPU time of a process tree."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from gateway_overhead import KEY, cpu_seconds, free_port

REPO = Path(__file__).resolve().parent.parent
HUB_SNIPPET = REPO / "jupyter_config" / "jupyterhub" / "jupyterhub_config.py"
CHP = REPO / "node_modules" / ".bin" / "configurable-http-proxy"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its descendants (LiteLLM may run its server in a child)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += cpu_seconds(current)
        except OSError:
            continue
        todo.extend(children.get(current, []))
    return total


def descendant_running(pid: int, needle: str) -> int | None:
    """The pid of a descendant of `pid` whose command line contains `needle`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if needle in cmdline and ppid == pid:
            return int(entry.name)
    return None


def wait_http(url: str, process: subprocess.Popen, what: str, headers=None, seconds=120) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited ({process.returncode})")
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    sys.exit(f"{what} did not answer {url} within {seconds} s")


def start_litellm(python: str, home: Path, simulator_url: str) -> dict:
    master = "sk-master-" + secrets.token_hex(8)
    config = home / "litellm.yaml"
    entry = {
        "model_name": "default",
        "litellm_params": {
            "model": "openai/gpt-4o-mini",
            "api_base": f"{simulator_url}/v1",
            "api_key": KEY,
        },
    }
    settings = {"general_settings": {"master_key": master}, "model_list": [entry]}
    config.write_text(json.dumps(settings))  # JSON is YAML
    port = free_port()
    cli = Path(python).parent / "litellm"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"}
    env["LITELLM_TELEMETRY"] = "False"
    command = [str(cli), "--config", str(config), "--port", str(port), "--num_workers", "1"]
    log = open(home / "litellm.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health/liveliness", process, "LiteLLM's proxy", seconds=180)
    return {"process": process, "url": url, "pid": process.pid, "key": master}


def hub_files(home: Path, simulator_url: str, day_tokens: int) -> dict:
    """The hub's config (the committed snippet, as a deployment loads it, plus the ports, files,
    authenticator and a `bench` service that creates users and tokens) and the service's."""
    home.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("proxy", "hub", "api", "service")}
    admin_token = secrets.token_hex(16)
    service_config = home / "code_interpreter_hub_config.py"
    endpoint = {
        "name": "simulator",
        "kind": "openai",
        "base_url": f"{simulator_url}/v1",
        "model": "gpt-4o-mini",
        "api_key_env": "OPENAI_API_KEY",
    }
    quotas = {"default": {"tokens_per_day": None}, "groups": {}, "users": {}}
    quotas["groups"]["bench-quota"] = {"tokens_per_day": day_tokens}
    service_config.write_text(
        f"c.CodeInterpreter.endpoints = [{endpoint!r}]\n"
        f"c.CodeInterpreterHub.state_url = {'sqlite:///' + str(home / 'state.sqlite')!r}\n"
        f"c.CodeInterpreterHub.quotas = {quotas!r}\n"
    )
    database = f"sqlite:///{home / 'jupyterhub.sqlite'}"
    lines = [
        "c = get_config()  # noqa",
        f"load_subconfig({str(HUB_SNIPPET)!r})",
        f"c.JupyterHub.bind_url = 'http://127.0.0.1:{ports['proxy']}/'",
        f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{ports['hub']}'",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{ports['api']}'",
        f"c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]",
        f"c.JupyterHub.db_url = {database!r}",
        f"c.JupyterHub.cookie_secret_file = {str(home / 'cookie_secret')!r}",
        "c.JupyterHub.authenticator_class = 'dummy'",
        "c.Authenticator.allow_all = True",
        "c.JupyterHub.log_level = 'WARN'",
        f"c.JupyterHub.services.append({{'name': 'bench', 'api_token': {admin_token!r}}})",
        "c.JupyterHub.load_roles.append({'name': 'bench', 'services': ['bench'], "
        "'scopes': ['admin:users', 'admin:groups', 'tokens']})",
    ]
    (home / "jupyterhub_config.py").write_text("\n".join(lines) + "\n")
    return {"ports": ports, "admin_token": admin_token, "service_config": service_config}


def start_hub(home: Path, simulator_url: str, day_tokens: int) -> dict:
    if not CHP.exists():
        sys.exit(f"configurable-http-proxy (npm) is missing at {CHP}: run `npm ci`")
    files = hub_files(home, simulator_url, day_tokens)
    ports = files["ports"]
    env = {
        **os.environ,
        "OPENAI_API_KEY": KEY,
        "CODE_INTERPRETER_HUB_CONFIG": str(files["service_config"]),
        "CODE_INTERPRETER_SERVICE_PORT": str(ports["service"]),
        "CODE_INTERPRETER_HUB_URL": f"http://127.0.0.1:{ports['proxy']}",
        "PYTHONPATH": str(REPO),
    }
    hub_bin = Path(sys.executable).parent / "jupyterhub"
    log = open(home / "jupyterhub.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [str(hub_bin), "-f", str(home / "jupyterhub_config.py")],
        cwd=home,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{ports['proxy']}/hub/api"
    wait_http(f"{api}/", process, "JupyterHub")
    service_url = f"http://127.0.0.1:{ports['service']}/services/code-interpreter/"
    wait_http(f"{service_url}health", process, "the hub service")
    pid = descendant_running(process.pid, "jupyterlab_code_interpreter.hub")
    if pid is None:
        sys.exit("the hub service's process was not found among JupyterHub's children")
    return {
        "process": process,
        "api": api,
        "admin": {"Authorization": f"token {files['admin_token']}"},
        "service_url": service_url,
        "pid": pid,
    }


async def create_users(hub: dict, names: list[str], group: str | None = None) -> dict[str, str]:
    """Create the users (in `group`, if given) and an API token each; {name: token}."""
    async with aiohttp.ClientSession(headers=hub["admin"]) as session:
        async with session.post(f"{hub['api']}/users", json={"usernames": names}) as response:
            if response.status not in (201, 409):
                sys.exit(f"creating hub users: {response.status} {await response.text()}")
        if group:
            async with session.post(f"{hub['api']}/groups/{group}", json={}) as response:
                pass
            url = f"{hub['api']}/groups/{group}/users"
            async with session.post(url, json={"users": names}) as response:
                if response.status != 200:
                    sys.exit(f"adding users to {group}: {response.status}")
        tokens = {}
        for name in names:
            url = f"{hub['api']}/users/{name}/tokens"
            body = {"note": "benchmark", "expires_in": 7200}
            async with session.post(url, json=body) as response:
                if response.status != 201:
                    sys.exit(f"token for {name}: {response.status} {await response.text()}")
                tokens[name] = (await response.json())["token"]
        return tokens


def stop(process: subprocess.Popen, group: bool = False) -> None:
    if process.poll() is not None:
        return
    if group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


def start_forwarding_server(home: Path, service_url: str, user_token: str) -> dict:
    """A user's `jupyter server` in forwarding mode (docs/hub-service.md): no key, its chat
    route passing each request to the service with `user_token` as its JUPYTERHUB_API_TOKEN.
    Started as the single-user gateway is, but without the simulator's address or key."""
    import gateway_overhead as single

    token = secrets.token_hex(16)
    saved = {name: os.environ.get(name) for name in ("CODE_INTERPRETER_HUB_SERVICE_URL",)}
    saved["JUPYTERHUB_API_TOKEN"] = os.environ.get("JUPYTERHUB_API_TOKEN")
    os.environ["CODE_INTERPRETER_HUB_SERVICE_URL"] = service_url
    os.environ["JUPYTERHUB_API_TOKEN"] = user_token
    try:
        # start_server points OPENAI_BASE_URL at this unused address: the key stays with the
        # service.
        process, url = single.start_server(str(home), "http://127.0.0.1:9", token)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {"process": process, "url": url, "pid": process.pid, "token": token}
