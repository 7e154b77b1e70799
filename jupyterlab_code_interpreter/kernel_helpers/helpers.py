"""Helpers the browser installs, silently, in the notebook's kernel: `check(code)`, `state()`,
`listing()` and the step gate (`gate`, `guard`).

This file is sent as source to kernels that may run in any Python environment, so it imports
only the standard library and IPython, and nothing of our package. Installed, it is one object
named `__code_interpreter__` in the user namespace (hidden from `%who` and from `state()`).
It never executes the code it checks: the code is transformed with IPython's own input
transformers, compiled and walked as an AST.
"""

import ast
import base64
import json
import os
import shlex
import sys
import time
import warnings

HELPERS_NAME = "__code_interpreter__"
# The execute request metadata key naming a gated step's token (`gate`, `guard`).
GATE_METADATA_KEY = "code_interpreter_gate"

NETWORK_MODULES = (
    "requests", "httpx", "urllib.request", "urllib3", "socket", "aiohttp", "http.client",
    "ftplib", "smtplib", "poplib", "imaplib", "telnetlib", "websocket", "websockets",
    "paramiko", "pycurl",
)  # fmt: skip
SHELL_CALLS = {
    "os.system", "os.popen", "os.execv", "os.execve", "os.execvp", "os.execl", "os.execlp",
    "os.spawnv", "os.spawnl", "os.spawnlp", "os.spawnvp", "os.posix_spawn", "os.posix_spawnp",
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "pty.spawn",
    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
}  # fmt: skip
DELETE_CALLS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
PATH_TYPES = {"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "Path"}
INSTALLERS = {"pip", "pip3", "conda", "mamba", "micromamba", "uv"}
INSTALL_VERBS = {"install", "add", "uninstall", "remove", "update", "upgrade"}
DELETE_COMMANDS = {"rm", "rmdir", "unlink", "shred"}
NETWORK_COMMANDS = {"curl", "wget", "ssh", "scp", "rsync", "nc", "ftp", "git"}
SHELL_CELL_MAGICS = {
    "bash", "sh", "script", "zsh", "perl", "ruby", "python", "python2", "python3", "pypy",
    "sx", "system", "powershell", "cmd",
}  # fmt: skip
SHELL_LINE_MAGICS = {"sx", "system", "sc", "ls", "ll", "lf", "lk", "lx", "ldir", "cat", "cp",
                     "mv", "mkdir", "rm", "rmdir", "less", "more", "man", "clear"}  # fmt: skip
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
PYTHON_LINE_MAGICS = {"time", "timeit", "prun"}
PIP_OPTIONS_WITH_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--python", "-n", "--name", "-p", "--channel", "--platform",
}  # fmt: skip
MAX_VARIABLES = 50
MAX_FILES = 100
MAX_LISTING = 5000
REFUSAL_WAIT_SECONDS = 0.25
MAX_PACKAGES = 5000
_packages_cache = {}
_gate = {"approved": None, "result": None}


# --- check -----------------------------------------------------------------------------------


def check(code, cwd=None, shell=None):
    """The `ICheckResult` of `code`: its syntax error (lines of the original code) and the
    policy findings, found by parsing only."""
    shell = shell if shell is not None else _shell()
    cwd = os.path.abspath(cwd or os.getcwd())
    return _Checker(shell, cwd).run(code, 0)


class _Checker:
    def __init__(self, shell, cwd):
        self.shell = shell
        self.cwd = cwd
        self.findings = []
        self.syntax_error = None

    def run(self, code, line_offset):
        try:
            source = transform(code, self.shell)
        except Exception as error:  # IPython could not transform it: report what it says
            self.syntax_error = _error(str(error) or type(error).__name__, 1, 0, code, 1)
            return self.result()
        tree = self._compile(code, source, line_offset)
        if tree is not None:
            _Walker(self, line_offset).walk(tree)
        return self.result()

    def result(self):
        seen, findings = set(), []
        for finding in sorted(self.findings, key=lambda f: f["line"]):
            key = (finding["category"], finding["line"], finding["detail"])
            if key not in seen:
                seen.add(key)
                findings.append(finding)
        return {"syntaxError": self.syntax_error, "findings": findings}

    def _compile(self, code, source, line_offset):
        flags = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)
                return compile(source, "<cell>", "exec", flags=flags | ast.PyCF_ONLY_AST)
        except SyntaxError as error:
            self._syntax_error(error.msg, error.lineno, error.offset, code, line_offset)
        except ValueError as error:  # null bytes, before Python 3.12
            self._syntax_error(str(error), 1, 0, code, line_offset)
        return None

    def _syntax_error(self, message, line, offset, code, line_offset):
        if self.syntax_error is None:
            self.syntax_error = _error(message, line or 1, offset or 0, code, line_offset + 1)

    def find(self, category, detail, line, packages=None):
        finding = {"category": category, "detail": detail, "line": line}
        if packages is not None:
            finding["packages"] = packages
        self.findings.append(finding)

    def nested(self, code, line_offset):
        """Check Python held in a magic (`%%time` body, `%timeit` argument)."""
        _Checker.run(_NestedChecker(self), code, line_offset)


class _NestedChecker(_Checker):
    def __init__(self, parent):
        super().__init__(parent.shell, parent.cwd)
        self.findings = parent.findings
        self.parent = parent

    def result(self):
        if self.parent.syntax_error is None:
            self.parent.syntax_error = self.syntax_error
        return None


def _error(message, line, offset, code, first_line):
    lines = code.splitlines() or [""]
    index = min(max(line - 1, 0), len(lines) - 1)
    return {"message": message, "line": index + first_line, "offset": offset, "text": lines[index]}


def transform(code, shell=None):
    """IPython's transform of `code`, padded with blank lines so that every line keeps its
    number in the original code (IPython drops leading blank lines and joins continued ones)."""
    from IPython.core import inputtransformer2 as it2

    manager = shell.input_transformer_manager if shell is not None else it2.TransformerManager()
    if not code.endswith("\n"):
        code += "\n"
    lines = code.splitlines(keepends=True)
    lead = 0
    while lead < len(lines) and not lines[lead].strip():
        lead += 1
    lines = lines[lead:]
    for step in manager.cleanup_transforms + manager.line_transforms:
        if step is not it2.leading_empty_lines:
            lines = _pad(step(lines), len(lines), len(lines))
    collapsed = len(lines)
    for _ in range(it2.TRANSFORM_LOOP_LIMIT):
        tokens = it2.make_tokens_by_line(lines)
        found = [t.find(tokens) for t in manager.token_transformers]
        changed = False
        for transformer in sorted(filter(None, found), key=it2.TokenTransformBase.sortby):
            try:
                result = transformer.transform(lines)
            except SyntaxError:
                continue
            collapsed -= len(lines) - len(result)
            lines = _pad(result, len(lines), transformer.start_line + 1)
            changed = True
            break
        if not changed:
            break
    if shell is not None and collapsed == 1 and sum(1 for x in lines if x.strip()) == 1:
        index = next(i for i, x in enumerate(lines) if x.strip())
        with shell.builtin_trap:
            lines[index] = shell.prefilter_manager.prefilter_lines(lines[index]) + "\n"
    if shell is not None:
        for step in shell.input_transformers_post:
            lines = step(lines)
    return "\n" * lead + "".join(lines)


def _pad(lines, count, at):
    """Blank lines inserted at `at` so that `lines` has `count` lines again."""
    missing = count - len(lines)
    return lines[:at] + ["\n"] * missing + lines[at:] if missing > 0 else lines


class _Walker(ast.NodeVisitor):
    """Finds installs, shell escapes, deletions and network use in one cell's AST."""

    def __init__(self, checker, line_offset):
        self.checker = checker
        self.offset = line_offset
        self.aliases = {}
        self.values = {}
        self.stores = {}
        self.network_imports = {}
        self.network_called = set()

    def walk(self, tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
                    self._note_network_import(alias.name, node)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = node.module + "." + alias.name
                    self._note_network_import(node.module + "." + alias.name, node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                if isinstance(node.targets[0], ast.Name):
                    self.values[node.targets[0].id] = node.value
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.stores[node.id] = self.stores.get(node.id, 0) + 1
            elif isinstance(node, ast.arg):
                self.stores[node.arg] = 2
        self.visit(tree)
        for module, node in self.network_imports.items():
            if module not in self.network_called:
                self.checker.find("network", f"imports {module}", self.line(node))

    def line(self, node):
        return self.offset + getattr(node, "lineno", 1)

    def _note_network_import(self, name, node):
        module = _network_module(name)
        if module and module not in self.network_imports:
            self.network_imports[module] = node

    def visit_Call(self, node):
        name = self.dotted(node.func)
        if name and name.startswith(("get_ipython().", "IPython.get_ipython().")):
            self._ipython_call(name.rsplit(".", 1)[1], node)
        elif name:
            self._python_call(name, node)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("unlink", "rmdir"):
            owner = node.func.value
            if not (name and name.split(".")[0] in ("os", "posix", "shutil")):
                path = self._path_of(owner)
                self._delete(path, node, f"{_source(node.func)}()")
        self.generic_visit(node)

    def dotted(self, node):
        """`os.path.join` for an attribute chain, with imports and the kernel's modules
        resolved (`sp.run` → `subprocess.run`, `Path` → `pathlib.Path`)."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call) and _source(node.func) in (
            "get_ipython",
            "IPython.get_ipython",
        ):
            return ".".join(["get_ipython()"] + parts[::-1])
        if not isinstance(node, ast.Name):
            return None
        parts.append(self._resolve(node.id))
        name = ".".join(parts[::-1])
        for native, public in (("posix.", "os."), ("nt.", "os."), ("pathlib._local.", "pathlib.")):
            if name.startswith(native):
                name = public + name[len(native) :]
        return name

    def _resolve(self, name):
        if name in self.aliases:
            return self.aliases[name]
        value = _user_value(self.checker.shell, name)
        try:
            if type(value).__name__ == "module":
                return value.__name__
            module, qualname = (
                getattr(value, "__module__", None),
                getattr(value, "__qualname__", None),
            )
            if isinstance(module, str) and isinstance(qualname, str) and callable(value):
                return module + "." + qualname
        except Exception:
            pass
        return name

    def _python_call(self, name, node):
        line = self.line(node)
        module = _network_module(name)
        if module:
            self.network_called.add(module)
            self.checker.find("network", f"calls {name}", line)
        elif name in SHELL_CALLS:
            words, text = self._literal_command(node.args[0] if node.args else None)
            self._command(words, line, f"calls {name}", text=text)
        elif name in ("pip.main", "pip._internal.main", "pip._internal.cli.main.main"):
            words, _ = self._literal_command(node.args[0] if node.args else None)
            self._command(["pip"] + (words or ["install", "?"]), line, f"calls {name}")
        elif name in ("runpy.run_module",) and node.args and _string(node.args[0]) == "pip":
            self.checker.find("install", "runs pip with runpy", line, [])
        elif name in DELETE_CALLS and node.args:
            self._delete(self._path_of(node.args[0]), node, f"{name}({_source(node.args[0])})")
        elif node.args and _is_url(_string(node.args[0])) and _fetches(name):
            self.checker.find("network", f"fetches {_string(node.args[0])} with {name}", line)

    def _ipython_call(self, method, node):
        line = self.line(node)
        args = [_string(a) for a in node.args]
        if method in ("system", "getoutput", "system_raw", "system_piped") and args:
            self._shell_text(args[0], line, "!")
        elif method == "run_line_magic" and len(args) >= 2 and args[0] is not None:
            self._magic(args[0], args[1] or "", line, cell=None)
        elif method == "run_cell_magic" and len(args) >= 3 and args[0] is not None:
            self._magic(args[0], args[1] or "", line, cell=args[2] or "")
        elif method in ("system", "getoutput", "run_line_magic", "run_cell_magic"):
            self.checker.find("shell", f"runs a command computed at run time ({method})", line)

    def _magic(self, name, line_text, line, cell):
        if name in INSTALLERS:
            words = [name] + _split(line_text)
            self._command(words, line, f"%{name} {line_text}".strip(), shell=False)
        elif cell is not None and name in SHELL_CELL_MAGICS:
            self.checker.find("shell", f"runs a %%{name} cell", line)
            if name in ("bash", "sh", "zsh") or (name == "script" and "sh" in line_text):
                for number, text in enumerate(cell.splitlines(), start=line + 1):
                    self._shell_text(text, number, None, shell=False)
        elif cell is None and (name in SHELL_LINE_MAGICS or _is_alias(self.checker.shell, name)):
            command = line_text if name in ("sx", "system", "sc") else name + " " + line_text
            self._shell_text(command, line, "%")
        elif cell is not None and name in PYTHON_CELL_MAGICS:
            self.checker.nested(cell, line)
        elif cell is None and name in PYTHON_LINE_MAGICS:
            self.checker.nested(_strip_magic_options(line_text), line - 1)

    def _shell_text(self, text, line, escape, shell=True):
        """A shell command line: installs, deletions, network tools, or just a shell escape."""
        if text is None or not text.strip():
            return
        label = (escape or "") + text.strip()
        self._command(None, line, label, text=text, shell=shell)

    def _command(self, words, line, label, text=None, shell=True):
        """Findings for one command, given as words (argv) or shell text; `None` words mean
        the command is computed at run time."""
        if words is None and text is None:
            self.checker.find("shell", f"runs a command computed at run time ({label})", line)
            return
        segments = _segments(text) if text is not None else [words]
        only_installs = True
        for argv in segments:
            program = os.path.basename(argv[0]) if argv else ""
            if program.startswith("python") and argv[1:3] == ["-m", "pip"]:
                argv, program = ["pip"] + argv[3:], "pip"
            if program == "uv" and argv[1:2] == ["pip"]:
                argv = ["uv"] + argv[2:]
            if program in INSTALLERS and len(argv) > 1 and argv[1] in INSTALL_VERBS:
                packages = _package_names(argv[2:])
                verb = "uninstalls" if argv[1] in ("uninstall", "remove") else "installs"
                detail = f"{verb} packages: {', '.join(packages) or '(none named)'} ({label})"
                self.checker.find("install", detail, line, packages)
                continue
            only_installs = False
            if program in DELETE_COMMANDS:
                for arg in [a for a in argv[1:] if not a.startswith("-")] or ["?"]:
                    path = arg if not any(c in arg for c in "$`{") else None
                    self._delete(path, line, f"{label}")
            if program in NETWORK_COMMANDS:
                self.checker.find("network", f"runs {program} ({label})", line)
        if not only_installs and shell:
            self.checker.find("shell", f"runs a shell command ({label})", line)

    def _literal_command(self, arg):
        """(argv, None) for a literal list, (None, text) for a literal string, else (None,
        None): a command only run time knows."""
        if isinstance(arg, (ast.List, ast.Tuple)):
            words = []
            for item in arg.elts:
                if self.dotted(item) == "sys.executable":
                    words.append("python")
                elif _string(item) is not None:
                    words.append(_string(item))
                else:
                    return (words + ["?"] if words else None), None
            return words, None
        if isinstance(arg, ast.JoinedStr):
            return None, "".join(_string(v) or "?" for v in arg.values)
        return None, _string(arg)

    def _path_of(self, node, depth=0):
        """The literal path `node` stands for, or None when only run time knows it."""
        text = _string(node)
        if text is not None:
            return text
        if isinstance(node, ast.Call) and self.dotted(node.func) in PATH_TYPES and depth < 3:
            parts = [self._path_of(a, depth + 1) for a in node.args]
            return os.path.join(*parts) if parts and None not in parts else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and depth < 3:
            left, right = self._path_of(node.left, depth + 1), self._path_of(node.right, depth + 1)
            return os.path.join(left, right) if None not in (left, right) else None
        if isinstance(node, ast.Name) and depth < 3:
            if self.stores.get(node.id, 0) == 1 and node.id in self.values:
                return self._path_of(self.values[node.id], depth + 1)
            if node.id in self.stores:
                return None
            value = _user_value(self.checker.shell, node.id)
            if isinstance(value, (str, os.PathLike)):
                return os.fspath(value)
        return None

    def _delete(self, path, node_or_line, call):
        line = node_or_line if isinstance(node_or_line, int) else self.line(node_or_line)
        if path is None or path == "?":
            self.checker.find(
                "delete_outside", f"deletes a path computed at run time: {call}", line
            )
            return
        target = os.path.abspath(os.path.join(self.cwd, os.path.expanduser(path)))
        if target == self.cwd or os.path.commonpath([self.cwd, target]) != self.cwd:
            detail = f"deletes {target}, outside the notebook's folder: {call}"
            self.checker.find("delete_outside", detail, line)

    @property
    def cwd(self):
        return self.checker.cwd


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


def _source(node):
    try:
        return ast.unparse(node)
    except Exception:
        return "…"


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
    return {
        "variables": variables(shell),
        "packages": packages(),
        "imports": package_imports(),
        "cwd": cwd,
        "files": files(cwd),
    }


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
    key = tuple((path, _mtime(path)) for path in sys.path if isinstance(path, str))
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
    if folder.endswith(".dist-info") and folder.count("-") == 1:
        name, version = folder[: -len(".dist-info")].split("-")
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
    """Whether `import module` would find it; nothing is imported."""
    from importlib import util

    try:
        return module in sys.modules or util.find_spec(module) is not None
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


def listing(cwd=None):
    """The working folder's names before and after a step, for the model's "new files":
    taken in the kernel so it rides on requests the step sends anyway (the check, and one
    queued behind the cell) instead of a round trip of its own. `complete` is false when the
    folder holds more than MAX_LISTING names."""
    cwd = os.path.abspath(cwd or os.getcwd())
    names = files(cwd, MAX_LISTING + 1)
    return {"cwd": cwd, "names": names[:MAX_LISTING], "complete": len(names) <= MAX_LISTING}


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
    install()
