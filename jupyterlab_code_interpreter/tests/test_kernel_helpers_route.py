"""`GET /code-interpreter/kernel-helpers`: authenticated, and it serves the helpers' source,
version and the bootstrap statement the browser executes in the kernel, which also carries what
the policy's `secrets` category protects (names and paths, never a key)."""

import ast
import base64
import json
import re

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_code_interpreter.kernel_helpers import HELPERS_FILES, helpers_source

ROUTE = ("code-interpreter", "kernel-helpers")


async def test_kernel_helpers_requires_authentication(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*ROUTE, headers={"Authorization": ""})
    assert caught.value.code == 403


async def test_kernel_helpers_serves_source_version_and_bootstrap(jp_fetch):
    response = await jp_fetch(*ROUTE)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    assert set(body) == {"source", "version", "bootstrap"}
    assert body["source"] == helpers_source()
    for name in HELPERS_FILES:
        assert f"# ===== {name} =====" in body["source"]
    assert len(body["version"]) == 16
    # One statement, which names nothing in the user namespace but what the helpers install.
    statement = ast.parse(body["bootstrap"]).body
    assert len(statement) == 1 and isinstance(statement[0], ast.Expr)
    assert "__code_interpreter__" in body["bootstrap"]


def protected_of(bootstrap):
    """The names and paths a bootstrap configures (its second base64 literal)."""
    encoded = re.findall(r'b64decode\("([A-Za-z0-9+/=]+)"\)', bootstrap)
    return json.loads(base64.b64decode(encoded[-1]))


async def test_the_bootstrap_protects_the_servers_key_names_and_paths_without_a_key(
    jp_fetch, gateway, monkeypatch, tmp_path
):
    key_file = tmp_path / "team.key"
    key_file.write_text("sk-file-secret-value-0123456789")
    monkeypatch.setenv("TEAM_MODEL_CREDENTIAL", "sk-env-secret-value-0123456789")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-default-secret-value-0123456789")
    before = json.loads((await jp_fetch(*ROUTE)).body)
    gateway.config.endpoints = [
        {"name": "a", "kind": "openai", "base_url": "http://a.example/v1",
         "api_key_env": "TEAM_MODEL_CREDENTIAL"},
        {"name": "b", "kind": "openai", "base_url": "http://b.example/v1",
         "api_key_file": str(key_file)},
    ]  # fmt: skip
    gateway.config.kernel_env_strip = ["WAREHOUSE_DSN"]
    response = await jp_fetch(*ROUTE)
    body = json.loads(response.body)
    protected = protected_of(body["bootstrap"])
    assert {"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "TEAM_MODEL_CREDENTIAL", "WAREHOUSE_DSN"} <= (
        set(protected["env"])
    )
    assert str(key_file) in protected["paths"]
    assert str(gateway.keys.store.directory) in protected["paths"]
    assert str(gateway.user_settings.path) in protected["paths"]
    from jupyter_core.paths import jupyter_runtime_dir

    assert jupyter_runtime_dir() in protected["paths"]
    # The frontend caches helpers by version: what they protect is part of it.
    assert body["version"] != before["version"] and body["source"] == before["source"]
    for secret in ("sk-file-secret", "sk-env-secret", "sk-default-secret"):
        assert secret not in response.body.decode()
