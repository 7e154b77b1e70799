"""Helpers the browser installs, silently, in the notebook's kernel: `check(code)` (the code
policy, in `checker.py` and the files it uses), `state()`, `listing()`, the step gate
(`gate`, `guard`) and the summaries of uploaded files (`summaries.py`).

These files are sent as one source (see `__init__.py`) to kernels that may run in any Python
environment, so they import only the standard library and IPython, and nothing of our
package. Installed, they are one object named `__code_interpreter__` in the user namespace
(hidden from `%who` and from `state()`). The check never executes the code it checks.
"""

import base64
import json
import os
import sys
import time

try:  # in the package; in the kernel the bundle defines these names above this file
    from .checker import check
    from .datasources import configure_data_sources, install_connect
    from .plotfonts import register_fonts
    from .protected import configure, secret_path_in
    from .rules import _shell
    from .summaries import summarise_files
except ImportError:
    pass

HELPERS_NAME = "__code_interpreter__"
# The execute request metadata key naming a gated step's token (`gate`, `guard`).
GATE_METADATA_KEY = "code_interpreter_gate"

MAX_VARIABLES = 50
MAX_FILES = 100
MAX_LISTING = 5000
REFUSAL_WAIT_SECONDS = 0.25
MAX_PACKAGES = 5000
MAX_HEADERS = 20  # CSV/TSV files whose first line the state quotes
MAX_HEADER_CHARS = 300
HEADER_BYTES = 4096
MAX_FRAMES = 10  # DataFrames a listing describes
MAX_COLUMNS = 30
MAX_COLUMN_CHARS = 60
_packages_cache = {}
_gate = {"approved": None, "result": None}


# --- gate ------------------------------------------------------------------------------------
#
# A step that would run without asking (approval mode `auto` or `auto-safe`) is not made to
# wait for its check's round trip: the browser sends `gate(...)` as a non-silent request with
# `stop_on_error` and the step's cell right behind it, the cell's request carrying a token in
# its metadata. A failed gate raises, and the kernel aborts the requests queued behind it. The
# kernel decides that abort by timing (requests that arrived before the error), so `guard`, an
# input transformer, also refuses to run any cell carrying a token the last gate did not pass.


class StepGate(Exception):
    """Raised by `gate` for a step that may not run as it is; its value is the check's JSON."""

    def _render_traceback_(self):
        return []  # the browser reads the verdict from the reply; nothing to show


def gate(encoded, allowed, token):
    """Check base64-encoded code; pass `token` only if the code has no syntax error and every
    finding's category is in `allowed`, else raise `StepGate`."""
    _gate["approved"] = None
    result = check(base64.b64decode(encoded).decode("utf-8"))
    _gate["result"] = result
    categories = set(allowed)
    if result["syntaxError"] is None and all(
        f["category"] in categories for f in result["findings"]
    ):
        _gate["approved"] = token
        return
    # The kernel aborts only the requests that have reached it when this raises; the cell
    # was sent right behind the gate, but the browser and the server may take tens of
    # milliseconds to deliver it. Past this wait the guard still keeps it from running.
    time.sleep(REFUSAL_WAIT_SECONDS)
    raise StepGate(json.dumps(result))


def gate_reply():
    """The last gate's check, as a `Reply` (a user expression of the gate's request)."""
    return Reply(_gate["result"])


GUARD_REFUSAL = "raise RuntimeError('Not run: the code check did not clear this step.')\n"


def guard(lines):
    """Input transformer: the cell of a request whose gate token was not passed by the last
    gate becomes a `raise`; every other cell passes unchanged."""
    token = _request_token(_shell())
    if token is None or token == _gate["approved"]:
        return lines
    return [GUARD_REFUSAL]


guard._code_interpreter_guard = True


def _request_token(shell):
    kernel = getattr(shell, "kernel", None)
    try:
        parent = kernel.get_parent("shell") if kernel is not None else None
    except Exception:
        parent = None
    if parent is None:
        parent = getattr(shell, "parent_header", None)
    metadata = (parent or {}).get("metadata") or {}
    return metadata.get(GATE_METADATA_KEY) if isinstance(metadata, dict) else None


def _install_guard(shell):
    """One guard per shell: a reinstall (after `%reset`) replaces the old module's guard, whose
    gate state the new `gate` no longer updates."""
    post = getattr(shell, "input_transformers_post", None)
    if post is None:
        return
    post[:] = [step for step in post if not getattr(step, "_code_interpreter_guard", False)]
    post.append(guard)


# --- state -----------------------------------------------------------------------------------


def state(shell=None, cwd=None):
    """The `IKernelState`: user variables, importable packages, working folder and files."""
    shell = shell if shell is not None else _shell()
    cwd = cwd or os.getcwd()
    names = files(cwd)
    return {
        "variables": variables(shell),
        "packages": packages(),
        "imports": package_imports(),
        "cwd": cwd,
        "files": names,
        "headers": header_lines(cwd, names),
    }


def header_lines(cwd, names, limit=MAX_HEADERS):
    """The first line of each CSV/TSV file among `names`, `{name: line}`: a small model that
    sees the exact column names (trailing spaces, the separator) stops guessing them. No data
    row is read. A file that is protected, unreadable, binary or not UTF-8 is left out quietly.
    """
    found = {}
    for name in names:
        if len(found) >= limit:
            break
        if not name.lower().endswith((".csv", ".tsv")):
            continue
        path = os.path.realpath(os.path.join(cwd, name))
        try:
            if secret_path_in(path, cwd) is not None or not os.path.isfile(path):
                continue
            with open(path, "rb") as handle:
                head = handle.read(HEADER_BYTES)
        except (OSError, ValueError):
            continue
        if b"\x00" in head:
            continue
        line = head.split(b"\n", 1)[0].rstrip(b"\r")
        # A line cut at the read limit may end inside a character: that one is dropped.
        cut = b"\n" not in head and len(head) >= HEADER_BYTES
        try:
            text = line.decode("utf-8-sig", errors="ignore" if cut else "strict")
        except UnicodeDecodeError:
            continue
        if text.strip():
            found[name] = text[:MAX_HEADER_CHARS]
    return found


def dataframes(shell, limit=MAX_FRAMES):
    """The pandas DataFrames among the user's variables, `[{name, rows, columns}]`, the
    columns as strings (capped), so the model reads the names a step's frame really has."""
    found = []
    for entry in variables(shell):
        if entry["type"] != "pandas.DataFrame":
            continue
        value = (getattr(shell, "user_ns", None) or {}).get(entry["name"])
        try:
            columns = [str(c)[:MAX_COLUMN_CHARS] for c in list(value.columns[: MAX_COLUMNS + 1])]
            found.append({"name": entry["name"], "rows": int(len(value)), "columns": columns})
        except Exception:
            continue
    return found[-limit:]


def variables(shell):
    namespace = getattr(shell, "user_ns", None) or {}
    hidden = getattr(shell, "user_ns_hidden", None) or {}
    found = []
    for name, value in list(namespace.items()):
        if name.startswith("_") or (name in hidden and hidden[name] is value):
            continue
        if type(value).__name__ == "module" or name in ("In", "Out", "exit", "quit", "get_ipython"):
            continue
        found.append({"name": name, "type": _type_name(value), "shape": _shape(value)})
    return found[-MAX_VARIABLES:]


def _type_name(value):
    kind = type(value)
    module = kind.__module__.split(".")[0]
    return kind.__qualname__ if module == "builtins" else module + "." + kind.__qualname__


def _shape(value):
    """A cheap size: `.shape` of arrays and frames, `len=` of built-in containers."""
    module = type(value).__module__.split(".")[0]
    try:
        if module in ("numpy", "pandas", "polars", "torch", "xarray", "scipy", "pyarrow"):
            shape = getattr(value, "shape", None)
            if isinstance(shape, tuple):
                return str(tuple(int(n) for n in shape))
        if module == "PIL":
            return f"size={value.size} mode={value.mode}"
        if isinstance(value, (list, tuple, dict, set, frozenset, str, bytes, bytearray, range)):
            return f"len={len(value)}"
    except Exception:
        return ""
    return ""


def packages():
    """The distributions importable in this kernel, canonical name → version.

    Every distribution on `sys.path` with a top-level module the import system finds
    (`top_level.txt`, else the first parts of its RECORD), not a fixed list: the prompt tells
    the model to use only what is installed, so this must be what is installed. Found once and
    kept until `sys.path` or the modification time of one of its folders changes (`%pip
    install` writes into a site-packages folder), so a state request costs a `stat` per entry.
    """
    return dict(_installed()["packages"])


def package_imports():
    """What the importable distributions whose module is not their name import, e.g.
    `{"pillow": ["PIL"], "scikit-learn": ["sklearn"]}`, so the model need not guess."""
    return {name: list(names) for name, names in _installed()["imports"].items()}


def _installed():
    # The notebook's own folder (IPython puts it on sys.path) changes with every file a step
    # saves; packages are not installed there, so its time would only cost rescans.
    here = {"", ".", os.getcwd()}
    key = tuple(
        (path, 0 if path in here else _mtime(path)) for path in sys.path if isinstance(path, str)
    )
    if _packages_cache.get("key") != key:
        import importlib

        importlib.invalidate_caches()  # a folder that just appeared may be cached as absent
        _packages_cache.update(_find_distributions(), key=key)
    return _packages_cache


def _find_distributions():
    from importlib import metadata

    found, imports = {}, {}
    for dist in metadata.distributions():
        name, version = _name_and_version(dist)
        if not name or name in found:
            continue  # the first one on sys.path is the one that imports
        modules = sorted(module for module in _top_level(dist, name) if _importable(module))
        if not modules:
            continue
        found[name] = version
        if name.replace("-", "_") not in modules:
            imports[name] = ([m for m in modules if not m.startswith("_")] or modules)[:3]
        if len(found) >= MAX_PACKAGES:
            break
    return {"packages": found, "imports": imports}


def _name_and_version(dist):
    """The canonical name (PEP 503) and version, from the `name-version.dist-info` folder's
    name when it has one (no METADATA to parse), else from the metadata."""
    import re

    folder = getattr(getattr(dist, "_path", None), "name", "")
    stem = folder[: -len(".dist-info")] if folder.endswith(".dist-info") else ""
    if stem.count("-") == 1:
        name, version = stem.split("-")
    else:
        try:
            name, version = dist.metadata["Name"], dist.version
        except Exception:
            return "", ""
    return re.sub(r"[-_.]+", "-", str(name or "")).lower(), str(version or "")


def _top_level(dist, name):
    """The distribution's top-level module names: declared, else read from its RECORD, else
    guessed from its name."""
    try:
        declared = dist.read_text("top_level.txt")
        record = None if declared else dist.read_text("RECORD")
    except Exception:
        declared = record = None
    if declared:
        names = declared.split()
    else:
        names = set()
        for line in (record or "").splitlines():
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first.endswith((".py", ".so", ".pyd")):
                first = first.split(".", 1)[0]
            names.add(first)
    hidden = ("__editable__", "__pycache__")
    names = {n for n in names if n.isidentifier() and not n.startswith(hidden)}
    return names or {name.replace("-", "_")}


def _importable(module):
    """Whether `import module` would find it; nothing is imported. A `None` in `sys.modules`
    blocks the import, so that module is not importable."""
    from importlib import util

    try:
        return sys.modules.get(module) is not None or util.find_spec(module) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def _mtime(path):
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return 0


def files(cwd, limit=MAX_FILES):
    """The folder's visible entry names, sorted case-insensitively, folders with a `/`."""
    try:
        entries = sorted(os.scandir(cwd), key=lambda e: e.name.lower())
    except OSError:
        return []
    names = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        names.append(entry.name + ("/" if is_dir else ""))
        if len(names) >= limit:
            break
    return names


def listing(cwd=None, shell=None):
    """The working folder's names before and after a step, for the model's "new files":
    taken in the kernel so it rides on requests the step sends anyway (the check, and one
    queued behind the cell) instead of a round trip of its own. `complete` is false when the
    folder holds more than MAX_LISTING names. `frames`: the user's DataFrames and their
    columns (the model is told them after each step). `stamps`: each file's size and
    modification time in microseconds, so a file a step rewrote counts as changed."""
    cwd = os.path.abspath(cwd or os.getcwd())
    names = files(cwd, MAX_LISTING + 1)
    shell = shell if shell is not None else _shell()
    try:
        frames = dataframes(shell) if shell is not None else []
    except Exception:
        frames = []
    return {
        "cwd": cwd,
        "names": names[:MAX_LISTING],
        "complete": len(names) <= MAX_LISTING,
        "frames": frames,
        "stamps": file_stamps(cwd, names[:MAX_LISTING]),
    }


def file_stamps(cwd, names):
    """`{name: [size, mtime_us]}` of the regular files among `names` (microseconds: a JSON
    number keeps them exactly, nanoseconds would not)."""
    stamps = {}
    for name in names:
        if name.endswith("/"):
            continue
        try:
            found = os.stat(os.path.join(cwd, name))
        except OSError:
            continue
        stamps[name] = [found.st_size, found.st_mtime_ns // 1000]
    return stamps


# --- replies to the browser ------------------------------------------------------------------


class Reply:
    """A helper's answer as a user expression: `application/json` in the reply's data, and
    the same JSON as the `text/plain` repr, for frontends whose JSON formatter is off."""

    def __init__(self, value):
        self.value = value

    def _repr_json_(self):
        return self.value

    def __repr__(self):
        return json.dumps(self.value)


def check_reply(encoded):
    """`check` of base64-encoded UTF-8 code (no quoting to get wrong), as a `Reply`."""
    return Reply(check(base64.b64decode(encoded).decode("utf-8")))


def state_reply():
    return Reply(state())


def listing_reply():
    return Reply(listing())


def summaries_reply(encoded):
    """`summarise_files` of a base64-encoded JSON list of paths relative to the working
    folder (uploaded files), as a `Reply`."""
    return Reply(summarise_files(json.loads(base64.b64decode(encoded).decode("utf-8"))))


def install(shell=None):
    """Bind these helpers to `__code_interpreter__` in the user namespace, hidden."""
    import types

    shell = shell if shell is not None else _shell()
    helpers = types.ModuleType(HELPERS_NAME)
    helpers.__dict__.update(globals())
    shell.user_ns[HELPERS_NAME] = helpers
    shell.user_ns_hidden[HELPERS_NAME] = helpers
    helpers._install_guard(shell)
    return helpers


if __name__ == HELPERS_NAME:
    _server = globals().pop("SERVER_PROTECTED", {})
    register_fonts(_server.pop("fonts", []))
    configure_data_sources(**_server.pop("data_sources", {}))
    configure(**_server)
    del _server
    install_connect(install())
