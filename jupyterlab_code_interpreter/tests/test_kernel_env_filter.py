"""The kernel environment filter on its own: which names are secret, what is removed, and that
a kernel manager class configured after the hook still launches filtered kernels."""

import json

from jupyter_client.multikernelmanager import AsyncMultiKernelManager

from jupyterlab_code_interpreter.custody import secret_env_names
from jupyterlab_code_interpreter.gateway.endpoint import Endpoint
from jupyterlab_code_interpreter.kernel_env import filter_kernel_launches, without_secrets

KEY = "sk-filter-KEY-0123456789"


def test_secret_names_come_from_every_kind_of_endpoint():
    endpoints = [
        Endpoint(kind="openai", base_url="http://x/v1", model="m", api_key_env="POOL_KEY"),
        {"name": "a", "api_key_env": "CONFIG_KEY"},
        {"name": "b", "apiKeyEnv": "SETTING_KEY"},
        {"name": "c", "api_key_env": ["not", "a", "name"]},
        "not an endpoint",
        {},
    ]
    names = secret_env_names(endpoints, ["EXTRA"], ["OPENAI_API_KEY"])
    assert names == [
        "AZURE_OPENAI_API_KEY",
        "CONFIG_KEY",
        "EXTRA",
        "POOL_KEY",
        "SETTING_KEY",
    ]


def test_without_secrets_removes_names_and_copies_of_their_values():
    env = {
        "OPENAI_API_KEY": KEY,
        "MY_COPY": KEY,
        "KEPT_KEY": "kept-0123456789",
        "SHORT_KEY": "1",
        "PYTHONUNBUFFERED": "1",
        "PATH": "/usr/bin",
    }
    cleaned = without_secrets(env, ["OPENAI_API_KEY", "SHORT_KEY", "KEPT_KEY"], ["KEPT_KEY"])
    # A copy of a key goes; a short value ("1") says nothing about another variable.
    assert cleaned == {"KEPT_KEY": "kept-0123456789", "PYTHONUNBUFFERED": "1", "PATH": "/usr/bin"}
    assert env["OPENAI_API_KEY"] == KEY  # the server's own mapping is untouched


async def test_a_kernel_manager_class_set_later_is_filtered_too(tmp_path):
    """An administrator's `kernel_manager_class` replaces the factory after our hook."""
    manager = AsyncMultiKernelManager(connection_dir=str(tmp_path))
    filter_kernel_launches(manager, lambda env: without_secrets(env, ["OPENAI_API_KEY"]))
    manager.kernel_manager_class = "jupyter_client.manager.AsyncKernelManager"
    kernel_id = await manager.start_kernel(env={"OPENAI_API_KEY": KEY, "PATH": "/usr/bin:/bin"})
    try:
        kernel = manager.get_kernel(kernel_id)
        client = kernel.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        printed = []
        code = "import os, json; print(json.dumps(dict(os.environ)))"

        def collect(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        await client.execute_interactive(code, output_hook=collect, timeout=60)
        client.stop_channels()
        environ = json.loads("".join(printed))
        assert "OPENAI_API_KEY" not in environ
        assert KEY not in json.dumps(environ)
    finally:
        await manager.shutdown_all(now=True)
