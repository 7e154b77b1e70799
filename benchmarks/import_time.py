"""How long `import jupyterlab_code_interpreter` + `_load_jupyter_server_extension` add to a
Jupyter Server's start.

Each sample is a fresh Python process that first builds and initialises a real ServerApp
(without our extension, so jupyter_server, tornado and friends are already imported, as they are
in a real start) and then times only our import and load. Prints the median and worst of the
samples, and what `-X importtime` says about our modules. Goal: <= 100 ms.

    python benchmarks/import_time.py [--samples 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODES = {
    "installed": "Server with the installed extensions (JupyterLab and its dependencies):",
    "bare": "Bare jupyter_server, no other extension:",
}

CHILD = r"""
import json, sys, time
from jupyter_server.serverapp import ServerApp

app = ServerApp(open_browser=False, port_retries=0)
app.initialize(argv=["--IdentityProvider.token=x"], new_httpserver=False,
               find_extensions=sys.argv[1] == "installed")
modules_before = set(sys.modules)
start = time.perf_counter()
import jupyterlab_code_interpreter
imported = time.perf_counter()
jupyterlab_code_interpreter._load_jupyter_server_extension(app)
loaded = time.perf_counter()
new = sorted(m for m in set(sys.modules) - modules_before if "." not in m)
print(json.dumps({"import_ms": (imported - start) * 1000, "load_ms": (loaded - imported) * 1000,
                  "new_top_level_modules": new}))
"""


def sample(env: dict[str, str], mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "JUPYTER_CONFIG_DIR": os.path.join(home, "config"),
            "JUPYTER_RUNTIME_DIR": os.path.join(home, "runtime"),
            "JUPYTER_DATA_DIR": os.path.join(home, "data"),
        }
        for mode, title in MODES.items():
            runs = [sample(env, mode) for _ in range(args.samples)]
            report(title, runs)
    print(f"samples: {args.samples} fresh processes each; a real ServerApp is initialised first")


def report(title: str, runs: list[dict]) -> None:
    totals = [r["import_ms"] + r["load_ms"] for r in runs]
    imports = [r["import_ms"] for r in runs]
    loads = [r["load_ms"] for r in runs]
    print(title)
    print(f"  {'':30}{'median':>10}{'worst':>10}")
    print(f"  {'import (ms)':30}{statistics.median(imports):10.1f}{max(imports):10.1f}")
    print(
        f"  {'_load_jupyter_server_extension':30}{statistics.median(loads):10.1f}{max(loads):10.1f}"
    )
    print(f"  {'added to start (ms)':30}{statistics.median(totals):10.1f}{max(totals):10.1f}")
    print(f"  goal <= 100 ms: {'met' if max(totals) <= 100 else 'NOT met'}")
    print("  modules first imported by us:", ", ".join(runs[-1]["new_top_level_modules"]))


if __name__ == "__main__":
    main()
