"""The user's JupyterLab settings `endpoint` and `endpoints`, read server-side from the file.

JupyterLab saves user settings as JSON5 in
`<user settings dir>/jupyterlab-code-interpreter/plugin.jupyterlab-settings`. The file is
parsed again only when its modification time (or size) changes.
"""

from __future__ import annotations

import os
from pathlib import Path

PLUGIN_DIR = "jupyterlab-code-interpreter"
PLUGIN_FILE = "plugin.jupyterlab-settings"


def default_user_settings_dir(configured: str | None = None) -> str:
    """Where JupyterLab keeps user settings, found the way jupyterlab does: the
    `LabApp.user_settings_dir` trait (`configured`), else `JUPYTERLAB_SETTINGS_DIR`, else
    `<jupyter config dir>/lab/user-settings`."""
    if configured:
        return os.path.abspath(str(configured))
    from_env = os.environ.get("JUPYTERLAB_SETTINGS_DIR")
    if from_env:
        return os.path.abspath(from_env)
    from jupyter_core.paths import jupyter_config_dir

    return os.path.abspath(os.path.join(jupyter_config_dir(), "lab", "user-settings"))


class UserSettingsFile:
    """Reads the `endpoint` and `endpoints` settings, caching them by the file's mtime and size."""

    def __init__(self, settings_dir: str):
        self.path = Path(settings_dir) / PLUGIN_DIR / PLUGIN_FILE
        self._stamp: tuple[int, int] | None = None
        self._data: dict = {}
        self._problem: str | None = None

    def endpoint(self) -> tuple[dict | None, str | None]:
        """(the `endpoint` mapping or None, a problem sentence if the file cannot be read)."""
        self._refresh()
        return self._data.get("endpoint"), self._problem

    def endpoints(self) -> list | None:
        """The `endpoints` setting (a pool), or None."""
        self._refresh()
        return self._data.get("endpoints")

    def stamp(self) -> tuple[int, int] | None:
        """The file's (mtime, size), None when it is absent, after reading it again if it
        changed: what `endpoint()` and `endpoints()` return changes only with it."""
        self._refresh()
        return self._stamp

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except OSError:
            self._stamp, self._data, self._problem = None, {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._stamp = stamp
            self._data, self._problem = self._read()

    def _read(self) -> tuple[dict, str | None]:
        import json5

        try:
            data = json5.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            reason = type(err).__name__
            return {}, f"the settings file {self.path} could not be parsed ({reason})."
        if not isinstance(data, dict):
            return {}, f"the settings file {self.path} does not hold an object."
        return data, None
