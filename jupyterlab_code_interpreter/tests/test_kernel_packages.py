"""The package list the model is told about, found in a real ipykernel as the browser asks
for it (the served bootstrap, then `state_reply()` as a user expression of a silent request):
what is importable there, not a fixed list, kept between requests and found again when a
distribution appears."""

import json
import os
import textwrap

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle

TIMEOUT = 30
STATE_EXPRESSION = "__code_interpreter__.state_reply()"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        content = silent(client, helpers_bundle()["bootstrap"])
        assert content["status"] == "ok", content
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def silent(client, code="", expressions=None):
    """One silent request, as `KernelTools` sends it; returns the reply's content."""
    msg_id = client.execute(
        code, silent=True, store_history=False, user_expressions=expressions or {}
    )
    while True:
        reply = client.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"]["msg_id"] == msg_id:
            return reply["content"]


def evaluate(client, expression):
    content = silent(client, expressions={"r": expression})
    result = content["user_expressions"]["r"]
    assert result["status"] == "ok", result
    return json.loads(result["data"]["text/plain"])  # a `Reply`'s repr is its JSON


def kernel_state(client):
    return evaluate(client, STATE_EXPRESSION)


def run(client, code):
    reply = client.execute_interactive(code, timeout=TIMEOUT, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]


def make_distribution(folder, name, version, module=True):
    """A wheel-installed distribution as pip leaves it: `name-version.dist-info` with
    METADATA and RECORD, and (unless `module` is false) the package it installs."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    record = [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    if module:
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text("VALUE = 1\n")
        record.append(f"{name}/__init__.py,,")
    (info / "RECORD").write_text("\n".join(record) + "\n")


def test_lists_what_is_installed_not_a_fixed_list(kernel):
    state = kernel_state(kernel)
    packages = state["packages"]
    from importlib import metadata

    # Neither was in the old list of packages of interest; both are installed in this venv.
    assert packages["json5"] == metadata.version("json5")
    assert packages["pytest"] == metadata.version("pytest")
    assert packages["numpy"] == metadata.version("numpy")
    # Not installed: a data-science package the old list named, and a made-up one.
    assert "polars" not in packages
    assert "scikit-learn" not in packages
    assert "no-such-package" not in packages
    # Names are canonical (PEP 503), whatever the dist-info folder says.
    assert all(name == name.lower() and "_" not in name for name in packages)
    assert "python-dateutil" in packages


def test_every_listed_package_imports_in_the_kernel(kernel):
    state = kernel_state(kernel)
    modules = {
        name: state["imports"].get(name, [name.replace("-", "_")])[0] for name in state["packages"]
    }
    code = (
        "import importlib.util as _u\n"
        f"_missing = [m for m in {json.dumps(sorted(modules.values()))} if _u.find_spec(m) is None]"
    )
    run(kernel, code)
    assert evaluate(kernel, "__code_interpreter__.Reply(_missing)") == []
    run(kernel, "del _u, _missing")


def test_import_names_that_differ_from_the_distribution(kernel):
    imports = kernel_state(kernel)["imports"]
    assert imports["pillow"] == ["PIL"]
    assert imports["beautifulsoup4"] == ["bs4"]
    assert imports["pyyaml"] == ["yaml"]
    assert "numpy" not in imports and "pandas" not in imports


def test_found_again_when_a_distribution_appears(kernel, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    make_distribution(site, "fresh_pkg", "1.2.3")
    make_distribution(site, "ghost_pkg", "0.1", module=False)
    assert "fresh-pkg" not in kernel_state(kernel)["packages"]

    run(kernel, f"import sys; sys.path.append({str(site)!r})")
    try:
        packages = kernel_state(kernel)["packages"]
        assert packages["fresh-pkg"] == "1.2.3"
        # Metadata whose module is gone (a half-removed install) is not importable: not listed.
        assert "ghost-pkg" not in packages

        # A `pip install` into a folder already on sys.path: the folder's mtime moves.
        make_distribution(site, "later_pkg", "2.0")
        assert kernel_state(kernel)["packages"]["later-pkg"] == "2.0"
    finally:
        run(kernel, f"import sys; sys.path.remove({str(site)!r})")
    packages = kernel_state(kernel)["packages"]
    assert "fresh-pkg" not in packages and "later-pkg" not in packages


def test_kept_between_requests_while_nothing_changes(kernel, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    run(kernel, f"import sys; sys.path.append({str(site)!r})")
    try:
        assert "hidden-pkg" not in kernel_state(kernel)["packages"]
        stamp = site.stat()
        make_distribution(site, "hidden_pkg", "1.0")
        # Same folder time: the kept list is answered, without a new scan.
        os.utime(site, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert "hidden-pkg" not in kernel_state(kernel)["packages"]
        os.utime(site, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
        assert kernel_state(kernel)["packages"]["hidden-pkg"] == "1.0"
    finally:
        run(kernel, f"import sys; sys.path.remove({str(site)!r})")


def test_a_cached_answer_is_cheap(kernel):
    kernel_state(kernel)
    code = textwrap.dedent(
        """
        import time as _t
        _s = _t.perf_counter()
        for _ in range(100):
            __code_interpreter__.packages()
        _cached_ms = (_t.perf_counter() - _s) * 10
        """
    )
    run(kernel, code)
    assert (
        evaluate(kernel, "__code_interpreter__.Reply(_cached_ms)") < 5
    )  # per call, with ~10 sys.path entries
    run(kernel, "del _t, _s, _cached_ms")


def test_files_saved_in_the_notebook_folder_cost_no_rescan(kernel, tmp_path):
    # IPython puts the working folder on sys.path; every chart a step saves changes its time.
    run(
        kernel,
        "_g = __code_interpreter__._installed.__globals__\n"
        "_scans = []\n"
        "_original = _g['_find_distributions']\n"
        "_g['_find_distributions'] = lambda: (_scans.append(1), _original())[1]",
    )
    try:
        kernel_state(kernel)
        before = evaluate(kernel, "__code_interpreter__.Reply(len(_scans))")
        run(kernel, "open('chart.png', 'wb').write(b'png'); import os; os.mkdir('out')")
        kernel_state(kernel)
        assert evaluate(kernel, "__code_interpreter__.Reply(len(_scans))") == before
        site = tmp_path / "site"
        site.mkdir()
        run(kernel, f"import sys; sys.path.append({str(site)!r})")
        kernel_state(kernel)
        assert evaluate(kernel, "__code_interpreter__.Reply(len(_scans))") == before + 1
        run(kernel, f"sys.path.remove({str(site)!r})")
    finally:
        run(kernel, "_g['_find_distributions'] = _original; del _g, _scans, _original")
