"""What the code policy looks for: the names of the calls, modules and commands behind each
finding category, and the small pure helpers the checker reads code with.

Part of the kernel helpers' bundle (see `__init__.py`): standard library only.
"""

import ast
import os
import re
import shlex

NETWORK_MODULES = (
    "requests", "httpx", "urllib.request", "urllib3", "socket", "aiohttp", "http.client",
    "ftplib", "smtplib", "poplib", "imaplib", "telnetlib", "websocket", "websockets",
    "paramiko", "pycurl",
)  # fmt: skip
# Functions of the network modules that fetch when called; passed on uncalled they still do.
NETWORK_FUNCTIONS = {
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
    "urlopen", "urlretrieve", "create_connection",
}  # fmt: skip
SHELL_CALLS = {
    "os.system", "os.popen", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.execl",
    "os.execle", "os.execlp", "os.execlpe", "os.spawnv", "os.spawnve", "os.spawnl",
    "os.spawnle", "os.spawnlp", "os.spawnvp", "os.posix_spawn", "os.posix_spawnp",
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "pty.spawn",
    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
}  # fmt: skip
DELETE_CALLS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
# Calls that change the file system, with the positions (and keywords) of the paths they
# change: a source that is moved away is changed as much as the destination.
CHANGE_CALLS = {
    "os.rename": ((0, "src"), (1, "dst")), "os.renames": ((0, "old"), (1, "new")),
    "os.replace": ((0, "src"), (1, "dst")), "shutil.move": ((0, "src"), (1, "dst")),
    "shutil.copy": ((1, "dst"),), "shutil.copy2": ((1, "dst"),),
    "shutil.copyfile": ((1, "dst"),), "shutil.copytree": ((1, "dst"),),
    "os.truncate": ((0, "path"),), "os.mkdir": ((0, "path"),), "os.makedirs": ((0, "name"),),
    "os.symlink": ((1, "dst"),), "os.link": ((1, "dst"),), "os.chmod": ((0, "path"),),
    "os.chown": ((0, "path"),), "shutil.chown": ((0, "path"),), "os.chdir": ((0, "path"),),
}  # fmt: skip
# Where writing changes nothing.
NOWHERE = {"/dev/null", "/dev/stdout", "/dev/stderr"}
OPEN_CALLS = {"open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"}
# pathlib methods that write or move: any receiver for the pathlib-only names, an evident
# Path for names a str has too (`'a'.replace(...)`).
PATH_ONLY_METHODS = {"write_text", "write_bytes", "symlink_to", "hardlink_to"}
PATH_METHODS = {"touch", "mkdir", "rename", "replace", "chmod", "open"}
# Writers of data and images (pandas, matplotlib, PIL, numpy): the path they write to.
WRITER_METHODS = {
    "to_csv", "to_excel", "to_parquet", "to_json", "to_pickle", "to_feather", "to_hdf",
    "to_html", "to_stata", "to_xml", "to_file", "savefig", "save", "savetxt", "savez",
    "savez_compressed", "write_image", "write_html",
}  # fmt: skip
WRITER_PATH_KEYWORDS = ("path", "path_or_buf", "fname", "filename", "excel_writer", "file")
PATH_TYPES = {"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "Path"}
# Calls whose value is a folder outside the notebook's: paths built on them are outside.
OUTSIDE_BASES = {
    "pathlib.Path.home": "~", "Path.home": "~", "os.path.expanduser": None,
    "tempfile.gettempdir": "/tmp", "tempfile.mkdtemp": "/tmp", "tempfile.gettempdirb": "/tmp",
}  # fmt: skip

# Code the checker cannot read statically (`dynamic`).
EXEC_CALLS = {"exec", "eval", "compile"}
IMPORT_CALLS = {"__import__", "importlib.import_module"}
DYNAMIC_MODULES = {"ctypes", "_ctypes", "cffi"}
# Modules whose bare object passed on or renamed hides what is called on it.
SENSITIVE_MODULES = {
    "os", "posix", "nt", "subprocess", "shutil", "pty", "builtins", "importlib", "ctypes",
} | set(NETWORK_MODULES)  # fmt: skip
# Callables whose reference without a call (an alias, an argument) hides the call.
ALIASED_CALLS = SHELL_CALLS | DELETE_CALLS | set(CHANGE_CALLS) | EXEC_CALLS | IMPORT_CALLS
# Attributes through which code reaches what it never names (`f.__globals__['os']`,
# `().__class__.__base__.__subclasses__()`): honest analysis code does not use them.
HIDING_ATTRIBUTES = {
    "__globals__", "__builtins__", "__subclasses__", "__getattribute__", "__code__",
    "__import__", "__loader__", "__closure__",
}  # fmt: skip
IPYTHON_SHELL_METHODS = {"system", "getoutput", "system_raw", "system_piped"}
IPYTHON_CODE_METHODS = {"run_cell", "run_cell_async", "ex", "ev", "run_code", "runcode"}
IPYTHON_FILE_METHODS = {"safe_execfile", "safe_execfile_ipy", "safe_run_module"}
IPYTHON_MAGIC_METHODS = {"run_line_magic", "run_cell_magic", "magic"}
IPYTHON_METHODS = (
    IPYTHON_SHELL_METHODS | IPYTHON_CODE_METHODS | IPYTHON_FILE_METHODS | IPYTHON_MAGIC_METHODS
)
# Names specific enough to IPython that a call on a receiver the checker cannot resolve
# (`ip = shells[0]; ip.system(...)`) is read as the shell's.
IPYTHON_TELLTALE_METHODS = IPYTHON_METHODS - {"ex", "ev", "magic", "runcode"}

# Reading secrets (`secrets`).
ENVIRON_NAMES = {"os.environ", "os.environb"}
ENVIRON_GETTERS = {"os.getenv", "os.getenvb"}
ENVIRON_SAFE_METHODS = {"keys", "update", "setdefault", "__contains__"}
ENVIRON_READ_METHODS = {"get", "pop", "setdefault"}
SECRET_CALLS = {
    "jupyter_core.paths.jupyter_runtime_dir",
    "jupyter_server.serverapp.list_running_servers",
    "notebook.notebookapp.list_running_servers",
    "jupyter_client.find_connection_file",
    "jupyter_client.connect.find_connection_file",
}
ENV_COMMANDS = {"env", "printenv", "set", "export", "declare"}

INSTALLERS = {"pip", "pip3", "conda", "mamba", "micromamba", "uv"}
INSTALL_VERBS = {"install", "add", "uninstall", "remove", "update", "upgrade"}
DELETE_COMMANDS = {"rm", "rmdir", "unlink", "shred"}
# Commands that change files, and which of their arguments are the changed paths.
CHANGE_COMMANDS = {"mv": "all", "cp": "last", "ln": "last", "tee": "all", "touch": "all",
                   "mkdir": "all", "truncate": "all", "chmod": "rest", "chown": "rest"}  # fmt: skip
NETWORK_COMMANDS = {"curl", "wget", "ssh", "scp", "rsync", "nc", "ftp", "git"}
SHELL_CELL_MAGICS = {
    "bash", "sh", "script", "zsh", "perl", "ruby", "python", "python2", "python3", "pypy",
    "sx", "system", "powershell", "cmd",
}  # fmt: skip
SHELL_LINE_MAGICS = {"sx", "system", "sc", "ls", "ll", "lf", "lk", "lx", "ldir", "cat", "cp",
                     "mv", "mkdir", "rm", "rmdir", "less", "more", "man", "clear"}  # fmt: skip
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
PYTHON_LINE_MAGICS = {"time", "timeit", "prun"}
# Magics that run code the check never sees.
RUN_MAGICS = {"run", "load_ext", "reload_ext"}
PIP_OPTIONS_WITH_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--python", "-n", "--name", "-p", "--channel", "--platform",
}  # fmt: skip
SHELL_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _segments(text):
    """The commands of a shell line, split on ; && || | (quoted text kept whole)."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = text.split()
    segments, current = [], []
    for token in tokens:
        if token and set(token) <= set(";&|"):
            segments.append(current)
            current = []
        else:
            current.append(token)
    segments.append(current)
    return [s for s in segments if s]


def _split(text):
    try:
        return shlex.split(text or "")
    except ValueError:
        return (text or "").split()


def _package_names(args):
    names, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in PIP_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            names.append(arg)
    return names


def _changed_paths(program, args):
    """The paths a file-changing command changes, and those any command writes through `>`."""
    words, written, redirect = [], [], False
    for arg in args:
        target = arg.lstrip("0123456789&").lstrip(">")
        if redirect:
            written.append(arg)
            redirect = False
        elif arg.lstrip("0123456789&").startswith(">"):
            written.extend([target] if target else [])
            redirect = not target
        elif not arg.startswith("-"):
            words.append(arg)
    which = CHANGE_COMMANDS.get(program)
    if which == "last":
        words = words[-1:]
    elif which == "rest":
        words = words[1:]
    elif which is None:
        words = []
    return words + written


def _strip_magic_options(text):
    """The statement of `%timeit -n 10 -r 3 stmt` (options with a value drop it too)."""
    words = text.split(" ")
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in ("-n", "-r", "-p", "-s", "-T", "-D", "-l") and words:
            words.pop(0)
        while words and words[0] == "":
            words.pop(0)
    return " ".join(words)


def _fetches(name):
    last = name.rsplit(".", 1)[-1]
    return last.startswith(("read_", "load", "open", "get", "download", "fetch", "url", "imread"))


def _network_module(name):
    for module in NETWORK_MODULES:
        if name == module or name.startswith(module + "."):
            return module
    return None


def _string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_url(text):
    return bool(text) and text.lower().startswith(("http://", "https://", "ftp://"))


def _writes(mode):
    """Whether an `open` mode writes; a mode only run time knows (`None`) might."""
    return mode is None or any(c in mode for c in "wax+")


def _source(node):
    try:
        return ast.unparse(node)
    except Exception:
        return "…"


def _inside(folder, path):
    """Whether absolute `path` is strictly inside `folder`."""
    return path != folder and os.path.commonpath([folder, path]) == folder


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _user_value(shell, name):
    namespace = getattr(shell, "user_ns", None) or {}
    return namespace.get(name)


def _is_alias(shell, name):
    manager = getattr(shell, "alias_manager", None)
    try:
        return bool(manager and manager.is_alias(name))
    except Exception:
        return False
