"""Kernel limits, attacked from real ipykernel kernels started through the server's APIs: an
infinite loop, a memory bomb (while the server answers other requests), the limits read from
inside kernels started by the kernels API, the sessions API and a restart, and culling."""

import asyncio
import json
import os
import sys
import time

import pytest

from jupyterlab_code_interpreter.kernel_limits.config import machine_memory, memory_bytes
from jupyterlab_code_interpreter.kernel_limits.culling import DEFAULT_CULLING

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the limits are enforced on Linux"
)

TIMEOUT = 60
TIME_LIMIT = 3
MEMORY_LIMIT = 1 << 30

PROBE = """
import json, os, resource, subprocess, sys
child = "import resource; print(resource.getrlimit(resource.RLIMIT_DATA)[0])"
print(json.dumps({
    'memory': resource.getrlimit(resource.RLIMIT_DATA),
    'child_memory': int(subprocess.check_output([sys.executable, '-c', child])),
    'cores': sorted(os.sched_getaffinity(0)),
    'nice': os.nice(0),
    'time_limit': os.environ.get('CODE_INTERPRETER_EXECUTION_TIME_LIMIT'),
    'pid': os.getpid(),
}))
"""

# Grows in steps, so the bomb is still going off when the other request arrives.
MEMORY_BOMB = """
import time
chunks = []
while True:
    chunks.append(bytearray(32 * 2**20))
    time.sleep(0.02)
"""


@pytest.fixture
def jp_server_config(jp_server_config, request):
    """Small limits; a test's parameter adds or overrides sections' settings."""
    config = json.loads(json.dumps(jp_server_config))
    config["CodeInterpreterKernelLimits"] = {
        "memory_limit": "1G",
        "cpu_cores": 1,
        "niceness": 3,
        "execution_time_limit": TIME_LIMIT,
    }
    for section, settings in getattr(request, "param", {}).items():
        if settings is None:
            config.pop(section, None)
        else:
            config.setdefault(section, {}).update(settings)
    return config


async def post(jp_fetch, *path, body=None):
    response = await jp_fetch(*path, method="POST", body=json.dumps(body or {}))
    return json.loads(response.body)


async def run(serverapp, kernel_id, code, while_running=None):
    """(the execute reply's content, printed text, error outputs); `while_running` is awaited
    once the kernel has started the code."""
    client = serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    printed, errors = [], []
    try:
        await client.wait_for_ready(timeout=TIMEOUT)
        msg_id = client.execute(code)
        started = False
        while True:
            message = await client.get_iopub_msg(timeout=TIMEOUT)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_input" and while_running and not started:
                started = True
                await while_running()
            elif kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                errors.append(content)
            elif kind == "status" and content["execution_state"] == "idle":
                break
        # wait_for_ready may have asked for kernel_info more than once (a slow machine).
        reply = await client.get_shell_msg(timeout=TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = await client.get_shell_msg(timeout=TIMEOUT)
    finally:
        client.stop_channels()
    return reply["content"], "".join(printed), errors


async def probe(serverapp, kernel_id):
    reply, printed, _ = await run(serverapp, kernel_id, PROBE)
    assert reply["status"] == "ok", reply
    return json.loads(printed)


def assert_limited(found):
    assert found["memory"] == [MEMORY_LIMIT, MEMORY_LIMIT]
    assert found["child_memory"] == MEMORY_LIMIT
    assert len(found["cores"]) == 1
    assert found["nice"] == os.nice(0) + 3


async def test_an_infinite_loop_is_stopped_at_the_limit(jp_fetch, jp_serverapp):
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    await run(jp_serverapp, kernel["id"], "kept = 6 * 7")
    started = time.monotonic()
    reply, _, errors = await run(jp_serverapp, kernel["id"], "while True:\n    pass\n")
    elapsed = time.monotonic() - started

    assert reply["status"] == "error"
    assert reply["ename"] == "ExecutionTimeLimitExceeded"
    assert errors and errors[0]["ename"] == "ExecutionTimeLimitExceeded"
    message = errors[0]["evalue"]
    assert f"execution time limit of {TIME_LIMIT} s" in message
    assert "c.CodeInterpreterKernelLimits.execution_time_limit" in message
    # It fired: the loop ended by itself, well before the test would give up.
    assert TIME_LIMIT <= elapsed < TIMEOUT
    # An `except Exception` in the cell does not swallow it; the kernel keeps its variables.
    swallowing = "try:\n    while True:\n        pass\nexcept Exception:\n    print('swallowed')\n"
    reply, printed, _ = await run(jp_serverapp, kernel["id"], swallowing)
    assert reply["ename"] == "ExecutionTimeLimitExceeded"
    assert "swallowed" not in printed
    reply, printed, _ = await run(jp_serverapp, kernel["id"], "print(kept)")
    assert (reply["status"], printed) == ("ok", "42\n")


# Cells the stop cannot end: the kernel ends itself, saying why, and restarts.
UNSTOPPABLE = {
    # A retry loop with a bare `except:` catches every stop.
    "catches": (
        "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass\n",
        "it caught ExecutionTimeLimitExceeded",
    ),
    # One C call that runs for minutes without the interpreter lock, and no signal check.
    "stuck in C": (
        "import hashlib\nhashlib.pbkdf2_hmac('sha256', b'p', b's', 2**31 - 1)\n",
        "in code that cannot be interrupted",
    ),
}


@pytest.mark.parametrize("code, why", UNSTOPPABLE.values(), ids=UNSTOPPABLE.keys())
async def test_a_cell_the_stop_cannot_end_ends_the_kernel_which_restarts(
    jp_fetch, jp_serverapp, code, why
):
    """After the grace period the kernel ends itself, saying why, and the server's restarter
    brings it back under the limits."""
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    before = await probe(jp_serverapp, kernel["id"])
    client = jp_serverapp.kernel_manager.get_kernel(kernel["id"]).client()
    client.start_channels()
    said = []
    try:
        await client.wait_for_ready(timeout=TIMEOUT)
        msg_id = client.execute(code)
        while not any("kernel ends now" in text for text in said):
            message = await client.get_iopub_msg(timeout=TIMEOUT)
            if message["parent_header"].get("msg_id") == msg_id:
                if message["msg_type"] == "stream":
                    said.append(message["content"]["text"])
    finally:
        client.stop_channels()
    message = "".join(said)
    assert f"execution time limit of {TIME_LIMIT} s ({why})" in message
    assert "c.CodeInterpreterKernelLimits.execution_time_limit" in message

    manager = jp_serverapp.kernel_manager.get_kernel(kernel["id"])
    deadline = time.monotonic() + TIMEOUT
    while getattr(manager.provisioner, "pid", None) in (None, before["pid"]) or not (
        await manager.is_alive()
    ):
        assert time.monotonic() < deadline, "the server did not restart the kernel"
        await asyncio.sleep(0.5)
    after = await probe(jp_serverapp, kernel["id"])
    assert after["pid"] != before["pid"]
    assert_limited(after)


async def test_a_sleeping_cell_is_stopped_too(jp_fetch, jp_serverapp):
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    reply, _, _ = await run(jp_serverapp, kernel["id"], "import time\ntime.sleep(3600)")
    assert reply["ename"] == "ExecutionTimeLimitExceeded"


async def test_a_memory_bomb_ends_in_a_memory_error_while_the_server_answers(
    jp_fetch, jp_serverapp
):
    body = {"path": "bomb.ipynb", "type": "notebook", "name": "bomb.ipynb"}
    session = await post(jp_fetch, "api", "sessions", body={**body, "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    answered = []

    async def meanwhile():
        response = await jp_fetch("api", "kernels", kernel_id)
        answered.append((response.code, json.loads(response.body)["id"]))
        response = await jp_fetch("api", "sessions")
        answered.append((response.code, len(json.loads(response.body))))

    reply, _, errors = await run(jp_serverapp, kernel_id, MEMORY_BOMB, while_running=meanwhile)

    assert answered == [(200, kernel_id), (200, 1)]
    assert reply["status"] == "error"
    assert reply["ename"] == "MemoryError"
    message = errors[0]["evalue"]
    assert "ran out of memory" in message
    assert "1 GiB" in message
    assert "c.CodeInterpreterKernelLimits.memory_limit" in message
    # The kernel lives on, and has its memory back once the variable is gone.
    reply, printed, _ = await run(
        jp_serverapp, kernel_id, "del chunks\nprint(len(bytearray(2**28)))"
    )
    assert (reply["status"], printed) == ("ok", f"{2**28}\n")


async def test_the_limits_hold_through_the_apis_and_restarts(jp_fetch, jp_serverapp):
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    first = await probe(jp_serverapp, kernel["id"])
    assert_limited(first)

    await post(jp_fetch, "api", "kernels", kernel["id"], "restart")
    again = await probe(jp_serverapp, kernel["id"])
    assert again["pid"] != first["pid"]
    assert_limited(again)
    reply, _, _ = await run(jp_serverapp, kernel["id"], "while True:\n    pass\n")
    assert reply["ename"] == "ExecutionTimeLimitExceeded"

    body = {"path": "a.ipynb", "type": "notebook", "name": "a.ipynb", "kernel": {"name": "python3"}}
    session = await post(jp_fetch, "api", "sessions", body=body)
    assert_limited(await probe(jp_serverapp, session["kernel"]["id"]))


@pytest.mark.parametrize(
    "jp_server_config",
    [{"CodeInterpreterKernelLimits": {"enabled": False}}],
    indirect=True,
    ids=["disabled"],
)
async def test_without_limits_the_loop_runs_on(jp_fetch, jp_serverapp):
    """What the tests above would see without the limits: so they can fail."""
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    found = await probe(jp_serverapp, kernel["id"])
    assert found["memory"][0] != MEMORY_LIMIT
    assert found["nice"] == os.nice(0)


@pytest.mark.parametrize(
    "jp_server_config", [{"CodeInterpreterKernelLimits": None}], indirect=True, ids=["defaults"]
)
async def test_the_defaults_with_no_configuration(jp_fetch, jp_serverapp):
    kernel = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    found = await probe(jp_serverapp, kernel["id"])
    half = memory_bytes("50%", machine_memory())
    assert found["memory"] == [half, half]
    assert found["cores"] == sorted(os.sched_getaffinity(0))
    assert found["nice"] == os.nice(0) + 5
    assert found["time_limit"] == "600"


async def test_idle_kernels_are_culled_by_default_after_an_hour(jp_serverapp):
    manager = jp_serverapp.kernel_manager
    assert manager.cull_idle_timeout == DEFAULT_CULLING["cull_idle_timeout"] == 3600
    assert manager.cull_interval == DEFAULT_CULLING["cull_interval"]


@pytest.mark.parametrize(
    "jp_server_config",
    [{"MappingKernelManager": {"cull_idle_timeout": 0}}],
    indirect=True,
    ids=["culling-off"],
)
async def test_the_administrators_culling_setting_wins(jp_serverapp):
    assert jp_serverapp.kernel_manager.cull_idle_timeout == 0


@pytest.mark.parametrize(
    "jp_server_config",
    [{"MappingKernelManager": {"cull_idle_timeout": 2, "cull_interval": 1}}],
    indirect=True,
    ids=["tiny-timeout"],
)
async def test_an_idle_kernel_is_culled(jp_fetch, jp_ws_fetch, jp_serverapp):
    """An idle kernel goes; one whose notebook is open (a client connected) stays."""
    idle = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    open_ = await post(jp_fetch, "api", "kernels", body={"name": "python3"})
    connection = await jp_ws_fetch("api", "kernels", open_["id"], "channels")
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            response = await jp_fetch("api", "kernels")
            running = [k["id"] for k in json.loads(response.body)]
            if idle["id"] not in running:
                break
            await asyncio.sleep(0.5)
        else:
            pytest.fail(f"the idle kernel was not culled within {TIMEOUT} s")
        # Past the time it would have been culled too (2 s idle, checked every second).
        await asyncio.sleep(4)
        response = await jp_fetch("api", "kernels")
        assert open_["id"] in [k["id"] for k in json.loads(response.body)]
    finally:
        connection.close()
