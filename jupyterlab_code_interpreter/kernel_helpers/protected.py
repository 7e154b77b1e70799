"""What the `secrets` category protects: the environment variables that hold model keys and
the files and folders that hold keys and server tokens.

The server sends its own lists with the bootstrap (`configure`, from the gateway's endpoints,
`c.CodeInterpreter.kernel_env_strip` and its key store and settings paths); names and paths
only, never a value. Without them (a kernel checked on its own) the defaults below hold.
Part of the kernel helpers' bundle (see `__init__.py`): standard library only.
"""

import os
import re

DEFAULT_SECRET_ENV_NAMES = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")
# Any variable named like a credential asks too: the server cannot know every key a user set.
SECRET_NAME_PATTERN = re.compile(
    r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)S?(?:_|$)", re.IGNORECASE
)
SETTINGS_FOLDER = "jupyterlab-code-interpreter"
PROC_ENVIRON = "/proc/<pid>/environ"
_protected = {"env": set(DEFAULT_SECRET_ENV_NAMES), "paths": None}


def configure(env=(), paths=()):
    """Protect the server's key variable names and secret paths, beside the defaults."""
    _protected["env"] = set(DEFAULT_SECRET_ENV_NAMES) | {str(n) for n in env if n}
    found = _default_paths()
    for path in paths:
        if path:
            found.append(os.path.normpath(os.path.abspath(os.path.expanduser(str(path)))))
    _protected["paths"] = sorted(set(found))


def protected():
    """`{"env": [...], "paths": [...]}`: what reading counts as `secrets` now."""
    return {"env": sorted(_protected["env"]), "paths": list(_paths())}


def is_secret_name(name):
    """Whether the environment variable `name` holds (or is named like) a secret."""
    return name in _protected["env"] or bool(SECRET_NAME_PATTERN.search(name))


def secret_path_in(text, cwd):
    """The protected path `text` names (a path, a shell line, a glob), or None."""
    if not text or "\x00" in text:
        return None
    if "/proc/" in text and "environ" in text:
        return PROC_ENVIRON
    paths = _paths()
    for candidate in _candidates(text, cwd):
        for path in paths:
            if candidate == path or candidate.startswith(path.rstrip(os.sep) + os.sep):
                return path
    for path in paths:
        if _tail(path) in text:
            return path
    return None


def _paths():
    if _protected["paths"] is None:
        _protected["paths"] = sorted(set(_default_paths()))
    return _protected["paths"]


def _default_paths():
    """Jupyter's runtime folder (server tokens, kernel connection files), this extension's
    key store and its user-settings folder, as the kernel's own jupyter_core finds them."""
    try:
        from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir, jupyter_runtime_dir

        found = [
            jupyter_runtime_dir(),
            os.path.join(jupyter_data_dir(), "code_interpreter", "keys"),
            os.path.join(jupyter_config_dir(), "lab", "user-settings", SETTINGS_FOLDER),
        ]
    except Exception:
        home = os.path.expanduser("~")
        found = [
            os.path.join(home, ".local", "share", "jupyter", "runtime"),
            os.path.join(home, ".local", "share", "jupyter", "code_interpreter", "keys"),
            os.path.join(home, ".jupyter", "lab", "user-settings", SETTINGS_FOLDER),
        ]
    return [os.path.normpath(os.path.abspath(p)) for p in found]


def _tail(path):
    """The last two components of a protected path, which a path built on a base the
    checker cannot resolve (`os.path.join(data_dir, 'code_interpreter/keys')`) still shows."""
    parts = [p for p in path.split(os.sep) if p]
    return "/".join(parts[-2:]) if len(parts) >= 2 else "\x00"


def _candidates(text, cwd):
    """`text` and its words as absolute paths: taken from the notebook's folder and from the
    home folder, with `~`, `$HOME` and a trailing glob resolved."""
    home = os.path.expanduser("~")
    words = [text] + (re.split(r"[\s'\"=;|&<>()]+", text) if len(text) < 4096 else [])
    for word in words:
        word = word.replace("${HOME}", home).replace("$HOME", home)
        for wildcard in "*?[":
            if wildcard in word:
                word = os.path.dirname(word[: word.index(wildcard)])
        if not word or len(word) > 4096:
            continue
        word = os.path.expanduser(word)
        bases = [""] if os.path.isabs(word) else [cwd, home]
        for base in bases:
            yield os.path.normpath(os.path.join(base, word))
