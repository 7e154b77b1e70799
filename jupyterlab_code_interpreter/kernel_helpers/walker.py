"""The walk over one cell's AST: names resolved through imports, assignments and the kernel's
namespace, then every call, magic and shell line read for findings. What paths a call
changes is in `paths.py`; code that hides what it does and reads of secrets in `indirect.py`.

Part of the kernel helpers' bundle (see `__init__.py`): standard library only.
"""

import ast
import os
import sys

try:  # in the package; in the kernel the bundle defines these names above this file
    from .indirect import _IndirectChecks
    from .paths import _PathChecks
    from .protected import is_secret_name
    from .rules import (
        DELETE_CALLS,
        DELETE_COMMANDS,
        ENV_COMMANDS,
        INSTALL_VERBS,
        INSTALLERS,
        IPYTHON_CODE_METHODS,
        IPYTHON_FILE_METHODS,
        IPYTHON_MAGIC_METHODS,
        IPYTHON_SHELL_METHODS,
        IPYTHON_TELLTALE_METHODS,
        NETWORK_COMMANDS,
        PYTHON_CELL_MAGICS,
        PYTHON_LINE_MAGICS,
        RUN_MAGICS,
        SHELL_CALLS,
        SHELL_CELL_MAGICS,
        SHELL_LINE_MAGICS,
        SHELL_VARIABLE,
        _changed_paths,
        _fetches,
        _is_alias,
        _is_url,
        _network_module,
        _package_names,
        _segments,
        _source,
        _split,
        _string,
        _strip_magic_options,
        _user_value,
    )
except ImportError:
    pass


class _Walker(_PathChecks, _IndirectChecks, ast.NodeVisitor):
    """Finds installs, shell escapes, changes outside the folder, network use, code the
    checker cannot read and reads of secrets in one cell's AST."""

    def __init__(self, checker, line_offset):
        self.checker = checker
        self.offset = line_offset
        self.aliases = {}
        self.modules = set()
        self.values = {}
        self.stores = {}
        self.parents = {}
        self.network_imports = {}
        self.network_called = set()

    def walk(self, tree):
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.aliases[local] = alias.name if alias.asname else local
                    self.modules.update((local, alias.name, alias.name.split(".")[0]))
                    self._note_network_import(alias.name, node)
                    self._note_import(alias.name, None, node)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = node.module + "." + alias.name
                    self.aliases[alias.asname or alias.name] = full
                    self._note_network_import(full, node)
                    self._note_import(full, alias.asname, node)
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

    def find(self, category, detail, node_or_line, packages=None):
        line = node_or_line if isinstance(node_or_line, int) else self.line(node_or_line)
        self.checker.find(category, detail, line, packages)

    @property
    def cwd(self):
        return self.checker.cwd

    def _note_network_import(self, name, node):
        module = _network_module(name)
        if module and module not in self.network_imports:
            self.network_imports[module] = node

    # --- names -----------------------------------------------------------------------------

    def dotted(self, node, depth=0):
        """`os.path.join` for an attribute chain, with imports, single assignments and the
        kernel's modules resolved (`sp.run` → `subprocess.run`, `Path` → `pathlib.Path`,
        `getattr(os, 'system')` → `os.system`, `ip = get_ipython()` → `get_ipython()`)."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call) and depth < 4:
            base = self._call_value(node, depth + 1)
        elif isinstance(node, ast.Name):
            base = self._resolve(node.id, depth)
        else:
            base = None
        if base is None:
            return None
        name = ".".join([base] + parts[::-1])
        for native, public in (
            ("posix.", "os."),
            ("nt.", "os."),
            ("pathlib._local.", "pathlib."),
            ("builtins.", ""),
        ):
            if name.startswith(native):
                name = public + name[len(native) :]
        return name

    def _call_value(self, node, depth):
        """The dotted name a call's value is known to be: a module `__import__` or
        `import_module` loads with a literal name, `getattr` with a literal name, the shell
        `get_ipython()` returns; None for anything else."""
        function = self.dotted(node.func, depth)
        if function is None:
            return None
        if function.endswith("get_ipython") and not node.args:
            return "get_ipython()"
        first = _string(node.args[0]) if node.args else None
        if function == "getattr" and len(node.args) >= 2 and _string(node.args[1]):
            owner = self.dotted(node.args[0], depth)
            return owner and owner + "." + _string(node.args[1])
        if function == "__import__" and first:
            return first if len(node.args) > 3 or node.keywords else first.split(".")[0]
        if function == "importlib.import_module" and first and not first.startswith("."):
            return first
        return None

    def _resolve(self, name, depth=0):
        if name in self.aliases:
            return self.aliases[name]
        if self.stores.get(name, 0) == 1 and name in self.values and depth < 4:
            value = self.values[name]
            if isinstance(value, (ast.Name, ast.Attribute, ast.Call)):
                resolved = self.dotted(value, depth + 1)
                if resolved is not None:
                    return resolved
        if name in self.stores:
            return name
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

    def is_module(self, name):
        """Whether dotted `name` is a module: imported in the cell, or loaded in the kernel
        and not a name the cell assigns."""
        if not name:
            return False
        root = name.split(".")[0]
        return root in self.modules or (root not in self.stores and name in sys.modules)

    # --- calls -----------------------------------------------------------------------------

    def visit_Call(self, node):
        name = self.dotted(node.func)
        if name and name.startswith("get_ipython()."):
            self._ipython_call(name.rsplit(".", 1)[1], node)
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in IPYTHON_TELLTALE_METHODS
            and not self.is_module(name and name.rsplit(".", 1)[0])
        ):
            self._ipython_call(node.func.attr, node)  # a shell the checker cannot resolve
        elif name:
            self._python_call(name, node)
        self._indirect_call(name, node)
        self._path_call(name, node)
        self.generic_visit(node)

    def _python_call(self, name, node):
        module = _network_module(name)
        if module:
            self.network_called.add(module)
            self.find("network", f"calls {name}", node)
        elif name in SHELL_CALLS:
            words, text = self._literal_command(node.args[0] if node.args else None)
            self._command(words, self.line(node), f"calls {name}", text=text)
        elif name in ("pip.main", "pip._internal.main", "pip._internal.cli.main.main"):
            words, _ = self._literal_command(node.args[0] if node.args else None)
            self._command(["pip"] + (words or ["install", "?"]), self.line(node), f"calls {name}")
        elif name in ("runpy.run_module",) and node.args and _string(node.args[0]) == "pip":
            self.find("install", "runs pip with runpy", node, [])
        elif name in DELETE_CALLS and node.args:
            self._delete(self._path_of(node.args[0]), node, f"{name}({_source(node.args[0])})")
        elif node.args and _is_url(_string(node.args[0])) and _fetches(name):
            self.find("network", f"fetches {_string(node.args[0])} with {name}", node)

    def _ipython_call(self, method, node):
        line = self.line(node)
        args = [_string(a) for a in node.args]
        first = args[0] if args else None
        if method in IPYTHON_SHELL_METHODS:
            if first is not None:
                self._shell_text(first, line, "!")
            elif node.args:
                self.find("shell", f"runs a command computed at run time ({method})", line)
                self.find("dynamic", f"runs a shell command built at run time ({method})", line)
        elif method == "run_line_magic" and len(args) >= 2 and first is not None:
            self._magic(first, args[1] or "", line, cell=None)
        elif method == "run_cell_magic" and len(args) >= 3 and first is not None:
            self._magic(first, args[1] or "", line, cell=args[2] or "")
        elif method == "magic" and first is not None:
            magic, _, rest = first.lstrip("%").partition(" ")
            self._magic(magic, rest, line, cell=None)
        elif method in IPYTHON_CODE_METHODS and first is not None:
            if not self.checker.literal(first, line, ipython=method.startswith("run_cell")):
                self.find("dynamic", f"runs code that does not parse ({method})", line)
        elif method in IPYTHON_CODE_METHODS | IPYTHON_MAGIC_METHODS and node.args:
            self.find("dynamic", f"runs code built at run time ({method})", line)
        elif method in IPYTHON_FILE_METHODS:
            self.find("dynamic", f"runs a file the check cannot read ({method})", line)

    def _magic(self, name, line_text, line, cell):
        if name in INSTALLERS:
            words = [name] + _split(line_text)
            self._command(words, line, f"%{name} {line_text}".strip(), shell=False)
        elif cell is not None and name in SHELL_CELL_MAGICS:
            self.find("shell", f"runs a %%{name} cell", line)
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
        elif cell is None and name == "env":
            self._env_magic(line_text.strip(), line)
        elif cell is not None and name == "writefile":
            path = [w for w in _split(line_text) if not w.startswith("-")]
            self._change(path[0] if path else None, line, f"%%writefile {line_text}")
        elif cell is None and name == "cd" and line_text.strip() not in ("", "-"):
            self._change(line_text.strip().strip("'\""), line, f"%cd {line_text}")
        elif name in RUN_MAGICS:
            self.find("dynamic", f"runs code the check cannot read (%{name} {line_text})", line)

    def _env_magic(self, text, line):
        if not text:
            self.find("secrets", "prints every environment variable (%env)", line)
        elif "=" not in text and " " not in text and is_secret_name(text):
            self.find("secrets", f"prints the environment variable {text} (%env)", line)

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
            self.find("shell", f"runs a command computed at run time ({label})", line)
            return
        segments = _segments(text) if text is not None else [words]
        for variable in SHELL_VARIABLE.findall(text if text is not None else " ".join(words)):
            if is_secret_name(variable):
                self.find("secrets", f"reads the environment variable {variable} ({label})", line)
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
                self.find("install", detail, line, packages)
                continue
            only_installs = False
            self._command_findings(program, argv, line, label)
        if not only_installs and shell:
            self.find("shell", f"runs a shell command ({label})", line)

    def _command_findings(self, program, argv, line, label):
        if program in DELETE_COMMANDS:
            for arg in [a for a in argv[1:] if not a.startswith("-")] or ["?"]:
                path = arg if not any(c in arg for c in "$`{") else None
                self._delete(path, line, f"{label}")
        for path in _changed_paths(program, argv[1:]):
            self._change(path if not any(c in path for c in "$`{") else None, line, label)
        if program in NETWORK_COMMANDS:
            self.find("network", f"runs {program} ({label})", line)
        if program in ENV_COMMANDS and (program != "export" or len(argv) == 1):
            self.find("secrets", f"prints environment variables ({label})", line)

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
