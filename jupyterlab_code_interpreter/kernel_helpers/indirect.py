"""Code the checker cannot read statically (`dynamic`) and reads of secrets (`secrets`).

`dynamic`: strings run as code, modules and attributes looked up by computed names, the
module table, `ctypes`, and dangerous callables passed on or renamed instead of called (the
checker follows a call, not where a reference goes). `secrets`: the environment variables
that hold keys (by name, or the environment as a whole) and the protected paths of
`protected.py`. A guard rail for an honest model's mistakes: it asks when in doubt; it is not
a sandbox. Part of the kernel helpers' bundle (see `__init__.py`): standard library only.
"""

import ast

try:  # in the package; in the kernel the bundle defines these names above this file
    from .protected import is_secret_name, secret_path_in
    from .rules import (
        ALIASED_CALLS,
        DYNAMIC_MODULES,
        ENVIRON_GETTERS,
        ENVIRON_NAMES,
        ENVIRON_READ_METHODS,
        ENVIRON_SAFE_METHODS,
        EXEC_CALLS,
        HIDING_ATTRIBUTES,
        IMPORT_CALLS,
        IPYTHON_METHODS,
        NETWORK_FUNCTIONS,
        PATH_TYPES,
        SECRET_CALLS,
        SENSITIVE_MODULES,
        _network_module,
        _source,
        _string,
    )
except ImportError:
    pass


# Calls a module may be handed to without hiding a call (`getattr` with a computed name and
# `vars` are reported by `_indirect_call`).
_HARMLESS_CALLS = {"getattr", "hasattr", "isinstance", "print", "repr", "str", "type", "id",
                   "dir", "vars", "setattr", "delattr"}  # fmt: skip


class _IndirectChecks:
    """The `_Walker`'s `dynamic` and `secrets` findings (a mixin: it uses `dotted`, `find`,
    `parents`, `is_module`)."""

    def _note_import(self, full, asname, node):
        """`import ctypes`; `from os import system as run` (a renamed dangerous callable);
        `from os import *` of a module whose functions then go unrecognised."""
        root = full.split(".")[0]
        if root in DYNAMIC_MODULES:
            self.find("dynamic", f"imports {root} (calls the checker cannot read)", node)
        elif full in ALIASED_CALLS and asname and asname != full.rsplit(".", 1)[1]:
            self.find("dynamic", f"imports {full} under another name ({asname})", node)
        elif full.endswith(".*") and full[:-2] in SENSITIVE_MODULES:
            self.find("dynamic", f"imports every name of {full[:-2]}", node)

    # --- calls -----------------------------------------------------------------------------

    def _indirect_call(self, name, node):
        first = node.args[0] if node.args else None
        self._secret_join(name, node)
        if name in EXEC_CALLS:
            text = self._literal_text(first)
            if first is None:
                return
            if text is None:
                self.find("dynamic", f"runs code built at run time: {name}({_source(first)})", node)
            elif not self.checker.literal(text, self.line(node), ipython=False):
                self.find("dynamic", f"runs a string that does not parse with {name}", node)
        elif name in IMPORT_CALLS and first is not None and _string(first) is None:
            self.find("dynamic", f"imports a module named at run time: {name}(…)", node)
        elif name in ("getattr", "setattr", "delattr", "hasattr") and len(node.args) >= 2:
            if _string(node.args[1]) is None and self._is_module_node(node.args[0]):
                detail = f"looks up a computed attribute of a module: {_source(node)}"
                self.find("dynamic", detail, node)
            elif name == "getattr":
                self._reference(node, self.dotted(node))  # `run = getattr(os, 'system')`
        elif name == "vars" and first is not None and self._is_module_node(first):
            self.find("dynamic", f"reads a module's namespace: {_source(node)}", node)
        elif name in ENVIRON_GETTERS or self._environ_method(name) in ENVIRON_READ_METHODS:
            self._environ_read(_string(first) if first is not None else None, name, node)

    def _literal_text(self, node):
        """The string `node` is, literally or through a name assigned once."""
        if isinstance(node, ast.Name) and self.stores.get(node.id, 0) == 1:
            node = self.values.get(node.id)
        return _string(node) if node is not None else None

    def _environ_method(self, name):
        owner, _, method = (name or "").rpartition(".")
        return method if owner in ENVIRON_NAMES else None

    def _environ_read(self, variable, name, node):
        if variable is None:
            self.find("secrets", f"reads an environment variable named at run time ({name})", node)
        elif is_secret_name(variable):
            self.find("secrets", f"reads the environment variable {variable} ({name})", node)

    def _is_module_node(self, node):
        name = self.dotted(node)
        return name in ("builtins", "__builtins__") or self.is_module(name)

    # --- references ------------------------------------------------------------------------

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._reference(node, self.dotted(node))

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Load):
            name = self.dotted(node)
            if node.attr == "__dict__" and self._is_module_node(node.value):
                self.find("dynamic", f"reads a module's namespace: {_source(node)}", node)
            elif name == "sys.modules":
                self.find("dynamic", "reaches modules through sys.modules", node)
            elif node.attr in HIDING_ATTRIBUTES:
                self.find("dynamic", f"reaches code through {_source(node)}", node)
            else:
                self._reference(node, name)
        self.generic_visit(node)

    def _reference(self, node, name):
        """A name or attribute read: the environment and the secret functions wherever they
        appear; dangerous callables and modules when they are passed on or renamed instead of
        called or used as an owner (`os.path`)."""
        if name is None:
            return
        if name in ENVIRON_NAMES:
            self._environ_use(node, name)
        if name in SECRET_CALLS:
            self.find("secrets", f"uses {name} (server tokens and kernel keys)", node)
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if name in ALIASED_CALLS:  # `os.system.__call__('id')`
                self.find("dynamic", f"reaches {name} through .{parent.attr}", node)
            return
        if isinstance(parent, ast.Call) and parent.func is node:
            return
        if name in ENVIRON_GETTERS:
            self.find("secrets", f"passes on {name} (reads the environment)", node)
        elif name in ALIASED_CALLS:
            self.find("dynamic", f"refers to {name} without calling it", node)
        elif name in SENSITIVE_MODULES or name in DYNAMIC_MODULES:
            if not isinstance(parent, (ast.Expr, ast.Compare)) and not (
                isinstance(parent, ast.Call) and self.dotted(parent.func) in _HARMLESS_CALLS
            ):
                self.find("dynamic", f"passes on the module {name}", node)
        elif name.startswith("get_ipython().") and name.rsplit(".", 1)[1] in IPYTHON_METHODS:
            self.find("dynamic", f"refers to {name} without calling it", node)
        elif _network_module(name) and name.rsplit(".", 1)[-1] in NETWORK_FUNCTIONS:
            self.find("network", f"passes on {name}", node)

    def _environ_use(self, node, name):
        """`os.environ` read in full (printed, copied, passed on) or by a secret name."""
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if not isinstance(parent.ctx, ast.Load):
                return  # setting or deleting a variable reads nothing
            key = parent.slice
            self._environ_read(_string(key), f"{name}[…]", node)
            return
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if parent.attr in ENVIRON_SAFE_METHODS or parent.attr in ENVIRON_READ_METHODS:
                grand = self.parents.get(id(parent))
                if isinstance(grand, ast.Call) and grand.func is parent:
                    return  # the call is judged by its key (`_indirect_call`)
            self.find("secrets", f"reads the whole environment: {name}.{parent.attr}", node)
            return
        if isinstance(parent, ast.Compare) and node in parent.comparators:
            return  # `'X' in os.environ` reads no value
        self.find("secrets", f"reads the whole environment ({name})", node)

    def visit_Subscript(self, node):
        value = node.value
        if (
            isinstance(value, ast.Call)
            and self.dotted(value.func) in ("globals", "locals", "vars")
            and not value.args
            and _string(node.slice) is None
        ):
            self.find("dynamic", f"looks up a name computed at run time: {_source(node)}", node)
        self.generic_visit(node)

    # --- secret paths ----------------------------------------------------------------------

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            self._secret_text(node.value, node)

    def visit_JoinedStr(self, node):
        text = "".join(_string(v) if _string(v) is not None else "*" for v in node.values)
        self._secret_text(text, node)
        self.generic_visit(node)

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Div) and self._is_path(node):
            self._secret_text(self._literal_tail(node), node)
        self.generic_visit(node)

    def _literal_tail(self, node):
        """The literal end of a path built on a base the checker cannot resolve:
        `base / 'jupyter' / 'runtime'` → `jupyter/runtime`."""
        parts = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if _string(node.right) is None:
                break
            parts.append(_string(node.right))
            node = node.left
        return "/".join(parts[::-1])

    def _secret_join(self, name, node):
        if name in PATH_TYPES or name == "os.path.join":
            tail = []
            for arg in reversed(node.args):
                if _string(arg) is None:
                    break
                tail.append(_string(arg))
            if len(tail) > 1:
                self._secret_text("/".join(tail[::-1]), node)

    def _secret_text(self, text, node):
        if not text:
            return
        path = secret_path_in(text, self.cwd)
        if path is not None:
            self.find("secrets", f"names {path}, which holds keys or server tokens", node)
