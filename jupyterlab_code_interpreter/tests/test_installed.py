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
