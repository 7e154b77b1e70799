"""The working folder's listing in a real kernel carries each file's size and modification
time, so the browser can tell a file a step rewrote from one it left alone."""

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle
from jupyterlab_code_interpreter.tests.test_kernel_packages import evaluate, run, silent

LISTING = "__code_interpreter__.listing_reply()"


@pytest.fixture
def kernel(tmp_path):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        assert silent(client, helpers_bundle()["bootstrap"])["status"] == "ok"
        yield tmp_path, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_rewritten_file_has_a_new_stamp_an_untouched_one_not(kernel):
    folder, client = kernel
    (folder / "sales.csv").write_text("city,amount\nBeijing,3\n")
    (folder / "notes.txt").write_text("kept")
    (folder / "out").mkdir()
    before = evaluate(client, LISTING)["stamps"]
    assert set(before) == {"sales.csv", "notes.txt"}  # a folder has no stamp
    assert before["sales.csv"][0] == len("city,amount\nBeijing,3\n")

    run(
        client,
        "import pandas as pd\npd.DataFrame({'city': ['Tokyo'], 'amount': [4]})"
        ".to_csv('sales.csv', mode='a', header=False, index=False)",
    )
    after = evaluate(client, LISTING)["stamps"]
    assert after["sales.csv"] != before["sales.csv"]
    assert after["notes.txt"] == before["notes.txt"]
    # Microseconds fit a JSON number exactly (below 2**53).
    assert all(isinstance(v, int) and v < 2**53 for stamp in after.values() for v in stamp)
