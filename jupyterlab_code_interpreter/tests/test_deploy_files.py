"""The deployment files of jupyter_config/ (README "Deployment") hold the security facts they
promise: keys only where the gateway runs, the access scope granted where a server's token
needs it, options that exist, and the hub snippet the end-to-end tests run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader

from ..gateway.config import CodeInterpreter
from ..kernel_limits.config import CodeInterpreterKernelLimits
from . import hub_fixtures
from .hub_deployment import HubDeployment

CONFIG = Path(__file__).resolve().parents[2] / "jupyter_config"
Z2JH = CONFIG / "z2jh"
ACCESS = "access:services!service=code-interpreter"
# What a committed key would look like: sk-…, or 32+ letters and digits in one run.
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_-]{8,}|[A-Za-z0-9+/]{32,}")


def load_python_config(path: Path, monkeypatch, **environment: str) -> Config:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    return loader.load_config()


def lazy(value, empty):
    """A value set with .append/.update in a config file, as JupyterHub will see it."""
    return value.get_value(empty) if hasattr(value, "get_value") else value


def manifests() -> list[dict]:
    return [
        doc
        for path in sorted((Z2JH / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
    ]


def by_kind(kind: str, name: str) -> dict:
    return next(m for m in manifests() if m["kind"] == kind and m["metadata"]["name"] == name)


def values() -> dict:
    return yaml.safe_load((Z2JH / "values.yaml").read_text())


def assert_known_options(config: Config, section: str, cls) -> None:
    unknown = set(config[section]) - set(cls.class_trait_names(config=True))
    assert not unknown, f"{section} has no option {unknown}"


def test_the_e2e_hub_loads_this_very_snippet(tmp_path):
    hub = HubDeployment("http://127.0.0.1:1", "k", "p", tmp_path, tmp_path, "http://s", True)
    snippet = CONFIG / "jupyterhub" / "jupyterhub_config.py"
    assert f"load_subconfig({str(snippet)!r})" in hub_fixtures.hub_config(hub, True)
    hub.close()


def test_the_hub_snippet_gives_the_keys_to_the_service_alone(monkeypatch):
    config = load_python_config(
        CONFIG / "jupyterhub" / "jupyterhub_config.py",
        monkeypatch,
        OPENAI_API_KEY="sk-snippet-test-key",
        AZURE_OPENAI_API_KEY="azure-snippet-test-key",
    )
    hub = config.JupyterHub
    (service,) = lazy(hub.services, [])
    assert service["name"] == "code-interpreter" and "api_token" not in service
    assert service["environment"]["OPENAI_API_KEY"] == "sk-snippet-test-key"
    assert service["environment"]["AZURE_OPENAI_API_KEY"] == "azure-snippet-test-key"
    spawner_environment = lazy(config.Spawner.environment, {})
    assert "snippet-test-key" not in repr(spawner_environment)
    assert set(spawner_environment) == {"CODE_INTERPRETER_HUB_SERVICE_URL"}
    assert "snippet-test-key" not in repr(config.Spawner)
    assert ACCESS in config.Spawner.server_token_scopes
    roles = {role["name"]: role for role in lazy(hub.load_roles, [])}
    assert ACCESS in roles["user"]["scopes"]
    assert "custom:code-interpreter:admin" in lazy(hub.custom_scopes, {})
    assert "custom:code-interpreter:admin" in roles["code-interpreter-admin"]["scopes"]


@pytest.mark.parametrize(
    "path", ["single-user/jupyter_server_config.py", "jupyterhub/code_interpreter_hub_config.py"]
)
def test_python_configs_name_keys_and_use_existing_options(path, monkeypatch):
    text = (CONFIG / path).read_text()
    assert not KEY_LIKE.search(text)
    config = load_python_config(CONFIG / path, monkeypatch)
    assert_known_options(config, "CodeInterpreter", CodeInterpreter)
    if "CodeInterpreterKernelLimits" in config:
        assert_known_options(config, "CodeInterpreterKernelLimits", CodeInterpreterKernelLimits)
    for endpoint in config.CodeInterpreter.endpoints:
        assert {"api_key_env", "api_key_file"} & set(endpoint), endpoint
        assert "api_key" not in endpoint


def test_hub_service_config_uses_the_services_options(monkeypatch):
    from ..hub.app import CodeInterpreterHub

    config = load_python_config(
        CONFIG / "jupyterhub" / "code_interpreter_hub_config.py", monkeypatch
    )
    assert_known_options(config, "CodeInterpreterHub", CodeInterpreterHub)


def test_z2jh_singleuser_pods_hold_no_key_and_have_limits():
    singleuser = values()["singleuser"]
    assert singleuser["cpu"]["limit"] == 2 and singleuser["memory"]["limit"] == "4G"
    assert singleuser["storage"]["type"] == "dynamic"
    for name, value in singleuser["extraEnv"].items():
        assert isinstance(value, str) and not KEY_LIKE.search(value), name
        assert "KEY" not in name and "TOKEN" not in name
    assert "code-interpreter-keys" not in yaml.safe_dump(values())


def test_z2jh_grants_the_access_scope_and_declares_the_service():
    hub = values()["hub"]
    assert ACCESS in hub["config"]["Spawner"]["server_token_scopes"]
    assert ACCESS in hub["loadRoles"]["user"]["scopes"]
    service = by_kind("Service", "code-interpreter-gateway")
    port = service["spec"]["ports"][0]["port"]
    assert hub["services"]["code-interpreter"]["url"] == f"http://code-interpreter-gateway:{port}"


def test_the_key_secret_is_mounted_into_the_gateway_only():
    secret = by_kind("Secret", "code-interpreter-keys")
    assert all(value.startswith("REPLACE-WITH-") for value in secret["stringData"].values())
    users = [
        m["metadata"]["name"]
        for m in manifests()
        if m["kind"] in WORKLOADS and "code-interpreter-keys" in yaml.safe_dump(m)
    ]
    assert users == ["code-interpreter-gateway"]
    gateway = by_kind("Deployment", "code-interpreter-gateway")
    pod = gateway["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == "code-interpreter-keys"
    (container,) = pod["containers"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts[volume["name"]]["readOnly"] is True
    key_dir = mounts[volume["name"]]["mountPath"]
    service_config = by_kind("ConfigMap", "code-interpreter-gateway-config")["data"]
    files = re.findall(
        r'"api_key_file": "([^"]+)"', service_config["code_interpreter_hub_config.py"]
    )
    assert files and all(path.startswith(key_dir + "/") for path in files)


def test_the_gateway_runs_two_replicas_sharing_redis():
    gateway = by_kind("Deployment", "code-interpreter-gateway")
    assert gateway["spec"]["replicas"] == 2
    environment = {
        e["name"]: e for e in gateway["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    redis = by_kind("Service", "code-interpreter-redis")
    state = environment["CODE_INTERPRETER_HUB_STATE"]["value"]
    assert state.startswith(
        f"redis://{redis['metadata']['name']}:{redis['spec']['ports'][0]['port']}/"
    )
    token = environment["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": "hub", "key": "hub.services.code-interpreter.apiToken"}
    ingress = by_kind("NetworkPolicy", "code-interpreter-redis")["spec"]["ingress"]
    assert ingress[0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "code-interpreter-gateway"}}}
    ]
