"""The whole kernel path, as the browser drives it: a real ipykernel, the served bootstrap
executed silently, then `check` and `state` as user expressions of silent requests (the same
strings `src/kernel/replies.ts` builds). Nothing may reach the execution count, the history or
the outputs."""

import base64
import json

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle

TIMEOUT = 30


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    (folder / "local.csv").write_text("a\n1\n")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        yield client, folder
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def silent(client, code="", expressions=None):
    """One silent request, as `KernelTools` sends it; returns (reply content, iopub messages)."""
    msg_id = client.execute(
        code,
        silent=True,
        store_history=False,
        user_expressions=expressions or {},
    )
    reply = client.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    published = []
    while True:
        message = client.get_iopub_msg(timeout=TIMEOUT)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        published.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    return reply["content"], published


def value(result):
    assert result["status"] == "ok", result
    data = result["data"]
    # The JSON bundle and the plain-text repr carry the same value (TS falls back on the repr).
    assert json.loads(data["text/plain"]) == data["application/json"]
    return data["application/json"]


def check_expression(code):
    encoded = base64.b64encode(code.encode("utf-8")).decode("ascii")
    return f'__code_interpreter__.check_reply("{encoded}")'


STATE_EXPRESSION = "__code_interpreter__.state_reply()"


@pytest.fixture(scope="module")
def installed(kernel):
    client, folder = kernel
    content, _ = silent(client, expressions={"r": STATE_EXPRESSION})
    assert content["user_expressions"]["r"]["ename"] == "NameError"  # what TS reinstalls on
    content, published = silent(client, helpers_bundle()["bootstrap"])
    assert content["status"] == "ok", content
    return client, folder


def check(client, code):
    content, _ = silent(client, expressions={"r": check_expression(code)})
    return value(content["user_expressions"]["r"])


def test_helpers_leave_no_trace(installed):
    client, _ = installed
    before = client.execute_interactive("pass", timeout=TIMEOUT)["content"]["execution_count"]
    history, _ = silent(client, expressions={"n": "len(In)"})
    content, published = silent(
        client,
        expressions={"c": check_expression("!pip install qrcode"), "s": STATE_EXPRESSION},
    )
    assert content["status"] == "ok"
    assert [m["msg_type"] for m in published] == ["status", "status"]  # busy, idle; no output
    after = client.execute_interactive("pass", timeout=TIMEOUT)["content"]["execution_count"]
    assert after == before + 1
    reply, _ = silent(client, expressions={"n": "len(In)", "leak": "'__code' in ''.join(In)"})
    n_before = int(history["user_expressions"]["n"]["data"]["text/plain"])
    assert reply["user_expressions"]["n"]["data"]["text/plain"] == str(n_before + 1)
    assert reply["user_expressions"]["leak"]["data"]["text/plain"] == "False"


def test_check_results_from_the_kernel(installed):
    client, _ = installed
    error = check(client, "x = 1\n\ny = (")["syntaxError"]
    assert (error["line"], error["text"]) == (3, "y = (")
    expectations = {
        "!pip install qrcode": [("install", ["qrcode"])],
        "%pip install -U pandas": [("install", ["pandas"])],
        "import subprocess; subprocess.run(['pip','install','x'])": [("install", ["x"])],
        "!ls": [("shell", None)],
        "import os\nos.remove('/etc/passwd')": [("delete_outside", None)],
        "import os\nos.remove('local.csv')": [],
        "import requests\nurl = 'https://example.org'\nrequests.get(url)": [("network", None)],
        "import pandas as pd\ndf = pd.read_csv('local.csv')\ndf.head()": [],
        "%timeit sum(range(10))": [],
        "print('中文 ✓')": [],
    }
    for code, expected in expectations.items():
        result = check(client, code)
        assert result["syntaxError"] is None, code
        found = [(f["category"], f.get("packages")) for f in result["findings"]]
        assert found == expected, code


def test_state_from_the_kernel(installed):
    client, folder = installed
    client.execute_interactive(
        "import numpy as np\nimport pandas as pd\n"
        "df = pd.DataFrame({'a': [1, 2]})\narr = np.ones((3, 2))",
        timeout=TIMEOUT,
    )
    content, _ = silent(client, expressions={"r": STATE_EXPRESSION})
    state = value(content["user_expressions"]["r"])
    variables = {v["name"]: v for v in state["variables"]}
    assert variables["df"]["shape"] == "(2, 1)" and variables["arr"]["shape"] == "(3, 2)"
    assert "__code_interpreter__" not in variables and "np" not in variables
    assert "numpy" in state["packages"] and "pandas" in state["packages"]
    assert state["cwd"] == str(folder)
    assert "local.csv" in state["files"]


def test_a_helper_error_is_reported_not_raised(installed):
    client, _ = installed
    content, _ = silent(client, expressions={"r": "__code_interpreter__.check_reply(None)"})
    assert content["status"] == "ok"
    assert content["user_expressions"]["r"]["status"] == "error"
