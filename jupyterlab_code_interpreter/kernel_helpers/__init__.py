"""The kernel helpers as the browser sends them to a kernel: the source of the helper files
joined into one, its version and the one statement that installs it.

The kernel may run in another Python environment than the server, so it never imports this
package: the frontend executes `bootstrap` silently, which defines `__code_interpreter__`.
The files are split by role (rules, protected names and paths, path checks, indirect code,
the walk, the checker, then the helpers proper); each imports its neighbours relatively,
which fails harmlessly in the joined source where they are already defined above it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

HELPERS_DIR = Path(__file__).parent
# In dependency order: each file uses only names of the files before it.
HELPERS_FILES = (
    "rules.py",
    "protected.py",
    "paths.py",
    "indirect.py",
    "walker.py",
    "checker.py",
    "plotfonts.py",
    "summaries.py",
    "datasources.py",
    "helpers.py",
)
HELPERS_FILE = HELPERS_DIR / "helpers.py"
HELPERS_NAME = "__code_interpreter__"
# The CJK font (fonts/README.md): beside the package in a wheel, at the top of a source tree.
FONT_FOLDERS = (HELPERS_DIR.parent / "fonts", HELPERS_DIR.parent.parent / "fonts")


def shipped_font_paths() -> list[str]:
    """The font files this install ships for the kernel's plots (`plotfonts.py`)."""
    for folder in FONT_FOLDERS:
        found = sorted(str(path) for path in folder.glob("*.ttf"))
        if found:
            return found
    return []


@lru_cache(maxsize=1)
def helpers_source() -> str:
    """The helper files joined into one module source."""
    parts = []
    for name in HELPERS_FILES:
        text = (HELPERS_DIR / name).read_text(encoding="utf-8")
        parts.append(f"# ===== {name} =====\n{text}")
    return "\n\n".join(parts)


def helpers_bundle(
    secret_env: Iterable[str] = (),
    secret_paths: Iterable[str] = (),
    font_paths: Iterable[str] | None = None,
    data_sources: dict | None = None,
) -> dict[str, str]:
    """`{"source", "version", "bootstrap"}`, as `GET /code-interpreter/kernel-helpers` serves it.

    `bootstrap` is a single Python statement: it decodes the source (base64, so no quoting can
    go wrong), runs it as a module named `__code_interpreter__` (which installs itself into the
    user namespace) and leaves no other name behind. `secret_env` and `secret_paths` are the
    names and paths the policy's `secrets` category protects, passed in the module's namespace
    (names and paths only: the server never sends a key's value). The version covers them, so
    a frontend that caches helpers by version reinstalls when they change. `font_paths`
    (default: the shipped CJK font) are registered with the kernel's matplotlib.
    `data_sources` is what the kernel's `configure_data_sources` takes (names, password-free
    URLs, the password route; never a password).
    """
    source = helpers_source()
    protected = {"env": sorted(set(secret_env)), "paths": sorted(set(map(str, secret_paths)))}
    fonts = shipped_font_paths() if font_paths is None else [str(p) for p in font_paths]
    sources = data_sources or {}
    config = json.dumps({**protected, "fonts": fonts, "data_sources": sources}, sort_keys=True)
    encoded = base64.b64encode(source.encode("utf-8")).decode("ascii")
    encoded_config = base64.b64encode(config.encode("utf-8")).decode("ascii")
    bootstrap = (
        f'exec(compile(__import__("base64").b64decode("{encoded}").decode("utf-8"), '
        f'"<code-interpreter kernel helpers>", "exec"), {{"__name__": "{HELPERS_NAME}", '
        f'"SERVER_PROTECTED": __import__("json").loads(__import__("base64")'
        f'.b64decode("{encoded_config}").decode("utf-8"))}})\n'
    )
    version = hashlib.sha256((source + "\0" + config).encode("utf-8")).hexdigest()[:16]
    return {"source": source, "version": version, "bootstrap": bootstrap}
