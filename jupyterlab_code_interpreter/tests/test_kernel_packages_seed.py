"""The seed's tasks have their packages in a kernel of the `kernel` extra, and the list the
model reads is what that kernel can import: a package made unimportable there is not listed."""

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle
from jupyterlab_code_interpreter.tests.test_kernel_packages import kernel_state, run, silent

# pyproject's `kernel` extra, as canonical names and the module each imports.
SEED_PACKAGES = {
    "pandas": "pandas",
    "openpyxl": "openpyxl",
    "pyarrow": "pyarrow",
    "pillow": "PIL",
    "qrcode": "qrcode",
    "matplotlib": "matplotlib",
    "sympy": "sympy",
    "pypdf": "pypdf",
    "sqlalchemy": "sqlalchemy",
    "pymysql": "pymysql",
}


def start(folder, before=""):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    if before:
        run(client, before)
    assert silent(client, helpers_bundle()["bootstrap"])["status"] == "ok"
    return manager, client


@pytest.fixture
def stop_later():
    started = []
    yield started.append
    for manager, client in started:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_kernel_extra_has_what_the_seed_tasks_import(tmp_path, stop_later):
    manager, client = start(tmp_path)
    stop_later((manager, client))
    state = kernel_state(client)
    missing = [name for name in SEED_PACKAGES if name not in state["packages"]]
    assert missing == [], f"install the kernel extra: pip install -e '.[kernel]' ({missing})"
    assert state["imports"]["pillow"] == ["PIL"]


def test_a_package_made_unimportable_is_not_listed(tmp_path, stop_later):
    # `sys.modules[name] = None` is Python's own way to make an import fail.
    blocked = "import sys\nsys.modules['qrcode'] = None\nsys.modules['pypdf'] = None"
    manager, client = start(tmp_path, before=blocked)
    stop_later((manager, client))
    packages = kernel_state(client)["packages"]
    assert "qrcode" not in packages and "pypdf" not in packages
    assert "pandas" in packages  # the others are still there
