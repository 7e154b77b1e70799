"""The kernel helpers as the browser sends them to a kernel: the source of `helpers.py`, its
version (a hash of the source) and the one statement that installs it.

The kernel may run in another Python environment than the server, so it never imports this
package: the frontend executes `bootstrap` silently, which defines `__code_interpreter__`.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

HELPERS_FILE = Path(__file__).with_name("helpers.py")
HELPERS_NAME = "__code_interpreter__"


@lru_cache(maxsize=1)
def helpers_bundle() -> dict[str, str]:
    """`{"source", "version", "bootstrap"}`, as `GET /code-interpreter/kernel-helpers` serves it.

    `bootstrap` is a single Python statement: it decodes the source (base64, so no quoting can
    go wrong), runs it as a module named `__code_interpreter__` (which installs itself into the
    user namespace) and leaves no other name behind.
    """
    source = HELPERS_FILE.read_text(encoding="utf-8")
    encoded = base64.b64encode(source.encode("utf-8")).decode("ascii")
    bootstrap = (
        f'exec(compile(__import__("base64").b64decode("{encoded}").decode("utf-8"), '
        f'"<code-interpreter kernel helpers>", "exec"), {{"__name__": "{HELPERS_NAME}"}})\n'
    )
    version = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    return {"source": source, "version": version, "bootstrap": bootstrap}
