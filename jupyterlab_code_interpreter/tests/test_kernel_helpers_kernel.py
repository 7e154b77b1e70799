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
    assert state["headers"]["local.csv"] == "a"
    content, _ = silent(client, expressions={"r": "__code_interpreter__.listing_reply()"})
    frames = value(content["user_expressions"]["r"])["frames"]
    assert {"name": "df", "rows": 2, "columns": ["a"]} in frames


def test_a_helper_error_is_reported_not_raised(installed):
    client, _ = installed
    content, _ = silent(client, expressions={"r": "__code_interpreter__.check_reply(None)"})
    assert content["status"] == "ok"
    assert content["user_expressions"]["r"]["status"] == "error"


# --- the step gate: the check and the cell sent back to back ------------------------------------


def send(client, code, *, silent=False, store_history=True, expressions=None, metadata=None):
    """Send one execute request without waiting, as the browser does; returns its msg_id."""
    content = {
        "code": code,
        "silent": silent,
        "store_history": store_history,
        "user_expressions": expressions or {},
        "allow_stdin": False,
        "stop_on_error": True,
    }
    message = client.session.msg("execute_request", content, metadata=metadata or {})
    client.shell_channel.send(message)
    return message["header"]["msg_id"]


def replies(client, *msg_ids):
    found = {}
    while len(found) < len(msg_ids):
        reply = client.get_shell_msg(timeout=TIMEOUT)
        found[reply["parent_header"]["msg_id"]] = reply["content"]
    return [found[msg_id] for msg_id in msg_ids]


def gate_and_cell(client, code, allowed, token, cell_token=None):
    """The gate request and the step's cell behind it; returns both replies."""
    encoded = base64.b64encode(code.encode("utf-8")).decode("ascii")
    gate = send(
        client,
        f'__code_interpreter__.gate("{encoded}", {json.dumps(allowed)}, "{token}")',
        store_history=False,
        expressions={"r": "__code_interpreter__.gate_reply()"},
    )
    cell = send(client, code, metadata={"code_interpreter_gate": cell_token or token})
    return replies(client, gate, cell)


def run_after_abort_window(client, code, metadata=None):
    """Send a cell once the kernel has stopped aborting after an error; returns its reply.

    ipykernel sends an error's reply before it starts aborting the queue, so a cell sent
    right after can still be aborted (it never ran); sending it again is what a user does."""
    for _ in range(50):
        (reply,) = replies(client, send(client, code, metadata=metadata))
        if reply["status"] != "aborted":
            return reply
    raise AssertionError("the kernel kept aborting cells")


def count(client):
    content, _ = silent(client, expressions={"n": "len(In)"})
    return content["execution_count"]


def test_a_passed_gate_runs_the_cell_behind_it(installed):
    client, folder = installed
    marker = folder / "gate-passed"
    before = count(client)
    gate, cell = gate_and_cell(
        client, f"%time open({str(marker)!r}, 'w').write('x')", ["network"], "t-1"
    )
    assert gate["status"] == "ok"
    assert value(gate["user_expressions"]["r"]) == {"syntaxError": None, "findings": []}
    assert cell["status"] == "ok", cell
    assert marker.exists()
    assert count(client) == before + 1  # the cell only; the gate stores no history


@pytest.mark.parametrize(
    "code, allowed",
    [
        ("x = (\nopen({marker!r}, 'w').write('x')", []),
        ("open({marker!r}, 'w').write('x')\n!pip install qrcode", ["network"]),
        ("import requests\nopen({marker!r}, 'w').write('x')\nrequests.get('https://x.org')", []),
    ],
)
def test_a_failed_gate_aborts_the_cell_behind_it(installed, code, allowed):
    client, folder = installed
    marker = folder / "gate-failed"
    before = count(client)
    gate, cell = gate_and_cell(client, code.format(marker=str(marker)), allowed, "t-2")
    assert gate["status"] == "error" and gate["ename"] == "StepGate"
    verdict = json.loads(gate["evalue"])
    assert verdict["syntaxError"] or verdict["findings"]
    assert cell["status"] == "aborted"
    assert not marker.exists()
    assert count(client) == before


def test_the_guard_refuses_a_cell_whose_token_was_not_passed(installed):
    client, folder = installed
    marker = folder / "guarded"
    # A cell arriving after the kernel stopped aborting (the race the guard closes): its
    # token is not the one the last gate passed, so it does not run.
    gate_and_cell(client, "1 +", [], "t-3")
    reply = run_after_abort_window(
        client, f"open({str(marker)!r}, 'w').write('x')", metadata={"code_interpreter_gate": "t-3"}
    )
    assert reply["status"] == "error"
    assert "the code check did not clear this step" in reply["evalue"]
    assert not marker.exists()
    # A passed token opens only its own cell; cells without a token are the user's own.
    _, other = gate_and_cell(client, "y = 2", [], "t-4", cell_token="t-5")
    assert other["status"] == "error"
    reply = run_after_abort_window(client, f"open({str(marker)!r}, 'w').write('x')")
    assert reply["status"] == "ok" and marker.exists()


def test_a_reinstall_keeps_one_guard(installed):
    client, _ = installed
    for _ in range(2):
        content, _ = silent(client, helpers_bundle()["bootstrap"])
        assert content["status"] == "ok"
    content, _ = silent(
        client,
        expressions={
            "n": "sum(getattr(t, '_code_interpreter_guard', False) "
            "for t in get_ipython().input_transformers_post)"
        },
    )
    assert content["user_expressions"]["n"]["data"]["text/plain"] == "1"
    gate, cell = gate_and_cell(client, "z = 3", [], "t-6")
    assert gate["status"] == "ok" and cell["status"] == "ok"


# --- the policy's dynamic and secrets categories, through the gate in a real kernel --------------

# What `categoriesRunUnasked` allows with the default policy: nothing in auto-safe, what the
# policy allows (network) in auto.
DEFAULT_ALLOWED = {"auto-safe": [], "auto": ["network"]}
LEAKS = [
    # secrets: the key, written where the test can see whether the cell ran
    ("import os\nopen({marker!r}, 'w').write(os.environ.get('OPENAI_API_KEY', 'absent'))",
     "secrets"),
    ("import os\nopen({marker!r}, 'w').write(str(dict(os.environ)))", "secrets"),
    ("open({marker!r}, 'w').write(open('/proc/self/environ', 'rb').read().decode('latin-1'))",
     "secrets"),
    # dynamic: the same read hidden from a reader of the code
    ("exec(bytes.fromhex({hidden!r}).decode())", "dynamic"),
    ("m = __import__('o' + 's')\nopen({marker!r}, 'w').write(str(getattr(m, 'env' + 'iron')))",
     "dynamic"),
    ("ip = get_ipython()\nip.run_cell(bytes.fromhex({hidden!r}).decode())", "dynamic"),
]  # fmt: skip


@pytest.mark.parametrize("mode", sorted(DEFAULT_ALLOWED))
@pytest.mark.parametrize("code, category", LEAKS)
def test_the_gate_refuses_dynamic_and_secrets_cells_by_default(installed, mode, code, category):
    client, folder = installed
    marker = folder / "leaked"
    hidden = f"import os\nopen({str(marker)!r}, 'w').write(os.environ.get('OPENAI_API_KEY', '?'))"
    cell = code.format(marker=str(marker), hidden=hidden.encode().hex())
    before = count(client)
    gate, reply = gate_and_cell(client, cell, DEFAULT_ALLOWED[mode], f"t-{mode}-{category}")
    assert gate["status"] == "error" and gate["ename"] == "StepGate"
    verdict = json.loads(gate["evalue"])
    assert category in {f["category"] for f in verdict["findings"]}, verdict
    assert reply["status"] == "aborted"
    assert not marker.exists()
    assert count(client) == before


def test_the_servers_names_and_paths_reach_the_kernels_check(installed):
    client, folder = installed
    keys = folder.parent / "key-store"
    content, _ = silent(client, helpers_bundle(["LLM_GATE"], [str(keys)])["bootstrap"])
    assert content["status"] == "ok", content
    try:
        found = check(client, "import os\nos.environ['LLM_GATE']")["findings"]
        assert [f["category"] for f in found] == ["secrets"]
        found = check(client, f"open({str(keys / 'openai')!r}).read()")["findings"]
        assert [f["category"] for f in found] == ["secrets"]
        assert check(client, "import os\nos.environ['LLM_MODEL']")["findings"] == []
    finally:
        content, _ = silent(client, helpers_bundle()["bootstrap"])
        assert content["status"] == "ok"
    assert check(client, "import os\nos.environ['LLM_GATE']")["findings"] == []
