"""The installed package shows both halves enabled, as a user checks after `pip install`."""

import re
import subprocess
import sys


def jupyter(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # Both commands print their report on stderr; colours are ANSI codes.
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def test_the_labextension_is_enabled_and_compatible():
    listing = jupyter("labextension", "list")
    assert re.search(r"jupyterlab-code-interpreter v[\d.]+ enabled OK", listing), listing
    assert "may be outdated or specify dependencies that are incompatible" not in listing


def test_the_server_extension_is_enabled_and_loads():
    listing = jupyter("server", "extension", "list")
    assert re.search(r"jupyterlab_code_interpreter\s+enabled", listing), listing
    assert re.search(r"jupyterlab_code_interpreter [\d.]+ OK", listing), listing


def test_the_gateway_finds_the_settings_schema_where_the_install_put_it(tmp_path):
    """The gateway validates endpoints against schema/plugin.json. Run from another folder,
    it finds the schema of this install; and, as from a wheel (no source tree beside the
    package), the labextension's copy in Jupyter's data paths, with the same endpoint fields."""
    code = (
        "import json, pathlib, sys\n"
        "from jupyterlab_code_interpreter.gateway.settings_schema import find_schema\n"
        "installed = find_schema()\n"
        "as_wheel = find_schema(pathlib.Path(sys.argv[1]) / 'jupyterlab_code_interpreter')\n"
        "def fields(path):\n"
        "    entry = json.loads(path.read_text())['properties']['endpoints']['items']\n"
        "    return {name: spec['type'] for name, spec in entry['properties'].items()}\n"
        "endpoints = [fields(installed), fields(as_wheel)]\n"
        "assert endpoints[0] == endpoints[1], 'the installed labextension has other fields'\n"
        "print(as_wheel)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    found = done.stdout.strip()
    assert found.endswith("schemas/jupyterlab-code-interpreter/plugin.json"), found
    assert "labextensions/jupyterlab-code-interpreter" in found, found
