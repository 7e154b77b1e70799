"""Kernel limits on a single-user server spawned by a real JupyterHub (tests/hub_fixtures.py):
the user's server loads the extension like any Jupyter Server, so a kernel started through its
API gets the limits of its configuration, an endless loop is stopped and a memory bomb ends in
a MemoryError that names the limit."""

from __future__ import annotations

import json
import os

import pytest

from .hub_fixtures import FIRST_UID, USERS

# A user no other hub test starts a server for: its configuration is written before it starts.
USER = "dave"
TIME_LIMIT = 3
MEMORY_LIMIT = 1 << 30

PROBE = """
import json, os, resource
print(json.dumps({'memory': resource.getrlimit(resource.RLIMIT_DATA)[0], 'nice': os.nice(0)}))
"""


@pytest.fixture(scope="module")
def server(hub_deployment):
    """dave's server, with small limits in his own ~/.jupyter (as a user may set them)."""
    home = hub_deployment.homes / USER
    config_dir = home / ".jupyter"
    config_dir.mkdir(parents=True, exist_ok=True)
    limits = {"memory_limit": "1G", "execution_time_limit": TIME_LIMIT}
    config = {"CodeInterpreterKernelLimits": limits}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    if hub_deployment.separate_users:
        uid = FIRST_UID + USERS.index(USER)
        for path in (home, config_dir, config_dir / "jupyter_server_config.json"):
            os.chown(path, uid, uid)
        home.chmod(0o700)
    return hub_deployment, hub_deployment.start_server(USER), hub_deployment.token(USER)


def test_a_hub_users_kernel_runs_under_the_limits(server):
    hub, url, token = server
    found = json.loads(hub.run_in_kernel(url, token, PROBE))
    assert found["memory"] == MEMORY_LIMIT
    assert found["nice"] > 0  # the default niceness, 5 below the server's


def test_an_endless_loop_is_stopped_on_the_hub(server):
    hub, url, token = server
    with pytest.raises(AssertionError, match="ExecutionTimeLimitExceeded") as failed:
        hub.run_in_kernel(url, token, "while True:\n    pass\n")
    assert f"execution time limit of {TIME_LIMIT} s" in str(failed.value)


def test_a_memory_bomb_ends_in_a_memory_error_on_the_hub(server):
    hub, url, token = server
    bomb = "chunks = []\nwhile True:\n    chunks.append(bytes(64 * 2**20))\n"
    with pytest.raises(AssertionError, match="MemoryError") as failed:
        hub.run_in_kernel(url, token, bomb)
    assert "ran out of memory" in str(failed.value)
    assert "1 GiB" in str(failed.value)
    # The server still answers.
    assert hub.run_in_kernel(url, token, "print('still here')") == "still here\n"
