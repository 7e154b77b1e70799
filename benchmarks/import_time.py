"""How long our server extension adds to a Jupyter Server's start.

Each sample is a fresh Python process that first builds and initialises a real ServerApp with our
extension disabled (so jupyter_server, tornado and, in the first mode, JupyterLab are already
imported and loaded, as in a real start; the bytecode is compiled by an uncounted first sample,
as an installed package has it), then times the three steps the server's extension manager runs
for an enabled extension: adding it (importing the package and reading its extension points,
which imports `app.py`), linking it (the `ExtensionApp` reads its config files and the command
line) and loading it (the gateway, the routes, the kernel filter). Prints the median and worst
of the samples and the top-level modules we were the first to import. Goal: <= 100 ms.

    python benchmarks/import_time.py [--samples 7] [--before DIR]

`--before DIR` also measures the extension imported from DIR (made with
`mkdir DIR && git archive <commit> jupyterlab_code_interpreter | tar -x -C DIR`), its samples
alternating with this checkout's, so both meet the same load on a shared machine.
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
EXTENSION = "jupyterlab_code_interpreter"
MODES = {
    "installed": "Server with the installed extensions (JupyterLab and its dependencies):",
    "bare": "Bare jupyter_server, no other extension:",
}

CHILD = r"""
import json, sys, time
from traitlets.config import Config
from jupyter_server.serverapp import ServerApp

name, mode = sys.argv[1], sys.argv[2]
config = Config({"ServerApp": {"jpserver_extensions": {name: False}}})
app = ServerApp(open_browser=False, port_retries=0, config=config)
app.initialize(argv=["--IdentityProvider.token=x"], new_httpserver=False,
               find_extensions=mode == "installed")
assert name not in sys.modules, "the extension was imported before the measurement"
manager = app.extension_manager
modules_before = set(sys.modules)
times = [time.perf_counter()]
assert manager.add_extension(name, enabled=True)
times.append(time.perf_counter())
manager.link_extension(name)
times.append(time.perf_counter())
manager.load_extension(name)
times.append(time.perf_counter())
assert manager.linked_extensions.get(name), "the extension did not link"
assert "code_interpreter_gateway" in app.web_app.settings, "the extension did not load"
new = sorted(m for m in set(sys.modules) - modules_before if "." not in m)
print(json.dumps({"steps_ms": [(b - a) * 1000 for a, b in zip(times, times[1:])],
                  "new_top_level_modules": new}))
"""


def sample(env: dict[str, str], root: Path, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, EXTENSION, mode],
        env={**env, "PYTHONPATH": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--before", type=Path, help="also measure the extension from here")
    args = parser.parse_args()
    roots = {"this checkout": REPO}
    if args.before:
        roots["before"] = args.before.resolve()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            # Bytecode as an installed package has it, written outside the source trees.
            "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache"),
            "JUPYTER_CONFIG_DIR": os.path.join(home, "config"),
            "JUPYTER_RUNTIME_DIR": os.path.join(home, "runtime"),
            "JUPYTER_DATA_DIR": os.path.join(home, "data"),
        }
        for mode, title in MODES.items():
            for root in roots.values():
                sample(env, root, mode)  # warm-up: writes the bytecode, not counted
            runs: dict[str, list[dict]] = {label: [] for label in roots}
            for _ in range(args.samples):
                for label, root in roots.items():
                    runs[label].append(sample(env, root, mode))
            for label in roots:
                report(f"{title} ({label})" if args.before else title, runs[label])
    print(f"samples: {args.samples} fresh processes each; a real ServerApp is initialised first")


def report(title: str, runs: list[dict]) -> None:
    print(title)
    print(f"  {'':34}{'median':>10}{'worst':>10}")
    labels = (
        "add: import, extension points",
        "link: config, command line",
        "load: gateway, routes, filters",
    )
    for index, label in enumerate(labels):
        values = [run["steps_ms"][index] for run in runs]
        print(f"  {label:34}{statistics.median(values):10.1f}{max(values):10.1f}")
    totals = [sum(run["steps_ms"]) for run in runs]
    print(f"  {'added to start (ms)':34}{statistics.median(totals):10.1f}{max(totals):10.1f}")
    print(f"  goal <= 100 ms: {'met' if max(totals) <= 100 else 'NOT met'}")
    print("  modules first imported by us:", ", ".join(runs[-1]["new_top_level_modules"]))


if __name__ == "__main__":
    main()
