"""Start a hub user's single-user server as an OS user of its own, as a production hub does.

The test hub runs as root and spawns each user's server through this launcher (Spawner.cmd):
``python -m jupyterlab_code_interpreter.tests.hub_user_launcher UID [--expose DIR]... -- CMD...``.
It drops to UID (no groups, no capabilities) and execs CMD, so the user's kernels can read
neither the hub's nor the service's files and processes, exactly what the custody tests attack.

Python may be installed under a folder other users cannot enter (pyenv under /root): each
``--expose`` DIR inside such a folder is shown to the user, with its own permissions, in a mount
namespace of the server's own, where that folder is replaced by an empty tmpfs holding only the
exposed DIRs. Nothing else of the hidden folder is visible; the host's mounts are not touched.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CLONE_NEWNS = 0x00020000


def hidden_ancestor(path: Path) -> Path | None:
    """The outermost folder on the way to `path` that other users cannot enter, if any."""
    for folder in reversed(path.parents):
        if folder != Path("/") and not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def expose(paths: list[Path]) -> None:
    """Make each of `paths` reachable for any user inside a new mount namespace."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        folder = hidden_ancestor(path)
        if folder is not None:
            by_folder.setdefault(folder, []).append(path)
    if not by_folder:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed: cannot expose Python")
    _mount("--make-rprivate", "/")
    for folder, inside in by_folder.items():
        staged = []
        for path in inside:
            stage = tempfile.mkdtemp(prefix="hub-expose-")
            _mount("--bind", str(path), stage)
            staged.append((path, stage))
        _mount("-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(folder))
        for path, stage in staged:
            path.mkdir(parents=True, exist_ok=True)
            _mount("--move", stage, str(path))
            os.rmdir(stage)


def main(argv: list[str]) -> None:
    if "--" not in argv:
        sys.exit("usage: hub_user_launcher UID [--expose DIR]... -- COMMAND [ARG]...")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="hub_user_launcher")
    parser.add_argument("uid", type=int)
    parser.add_argument("--expose", action="append", default=[], type=Path)
    options = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    expose(options.expose)
    home = os.environ.get("HOME")
    os.setgroups([])
    os.setgid(options.uid)
    os.setuid(options.uid)
    if home:
        os.chdir(home)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
