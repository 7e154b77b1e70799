"""What a cell changes on disk: deletions, writes, moves, renames and truncations, and
whether their paths lie outside the notebook's folder (the `delete_outside` category,
"changes outside the notebook's folder").

A literal path is resolved against the folder. A path only run time knows counts as outside
when it is a deletion (whatever it deletes could be anything), and for a write when what is
known of it already leaves the folder (`f"/tmp/{name}"`, `Path.home() / name`,
`os.path.join('..', name)`); a write to `name` alone is the notebook's everyday work.
Part of the kernel helpers' bundle (see `__init__.py`): standard library only.
"""

import ast
import os
import re

try:  # in the package; in the kernel the bundle defines these names above this file
    from .rules import (
        CHANGE_CALLS,
        NOWHERE,
        OPEN_CALLS,
        OUTSIDE_BASES,
        PATH_METHODS,
        PATH_ONLY_METHODS,
        PATH_TYPES,
        WRITER_METHODS,
        WRITER_PATH_KEYWORDS,
        _inside,
        _source,
        _string,
        _user_value,
        _writes,
    )
except ImportError:
    pass

_PATH_RETURNING_METHODS = {"with_name", "with_suffix", "with_stem", "resolve", "expanduser",
                           "absolute", "joinpath"}  # fmt: skip
_OS_OPEN_WRITE_FLAGS = re.compile(r"O_(WRONLY|RDWR|CREAT|TRUNC|APPEND)")


class _PathChecks:
    """The `_Walker`'s reading of paths (a mixin: it uses `dotted`, `find`, `values`)."""

    def _path_call(self, name, node):
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else None
        call = f"{_source(func)}(…)"
        if attr in ("unlink", "rmdir") and not (
            name and name.split(".")[0] in ("os", "posix", "shutil")
        ):
            self._delete(self._path_of(func.value), node, f"{_source(func)}()")
        if name in CHANGE_CALLS:
            for index, keyword in CHANGE_CALLS[name]:
                self._changed(_argument(node, index, keyword), node, f"{name}(…)")
        elif name in OPEN_CALLS or name in ("tarfile.open", "zipfile.ZipFile"):
            mode = _argument(node, 1, "mode")
            if _writes("r" if mode is None else _string(mode)):
                self._changed(_argument(node, 0, "file", "filename", "name"), node, call)
        elif name == "os.open":
            flags = _argument(node, 1, "flags")
            if flags is not None and _OS_OPEN_WRITE_FLAGS.search(_source(flags)):
                self._changed(_argument(node, 0, "path"), node, call)
        elif attr in PATH_ONLY_METHODS or (attr in PATH_METHODS and self._is_path(func.value)):
            mode = _argument(node, 0, "mode") if attr == "open" else None
            if attr != "open" or (mode is not None and _writes(_string(mode))):
                self._changed(func.value, node, call)
            if attr in ("rename", "replace"):
                self._changed(_argument(node, 0, "target"), node, call)
        elif attr in WRITER_METHODS:
            self._changed(_argument(node, 0, *WRITER_PATH_KEYWORDS), node, call)

    def _changed(self, node, where, call):
        """A write, move or truncation of the path `node` stands for."""
        if node is None:
            return
        path = self._path_of(node)
        if path is not None:
            self._change(path, where, call)
            return
        base = self._outside_base(node)
        if base is not None:
            target = os.path.abspath(os.path.join(self.cwd, os.path.expanduser(base)))
            if not _inside(self.cwd, target) and target != self.cwd:
                detail = f"writes under {target}, outside the notebook's folder: {call}"
                self.find("delete_outside", detail, where)

    def _change(self, path, where, call):
        if path is None:
            return
        target = os.path.abspath(os.path.join(self.cwd, os.path.expanduser(path)))
        if target != self.cwd and not _inside(self.cwd, target) and target not in NOWHERE:
            detail = f"changes {target}, outside the notebook's folder: {call}"
            self.find("delete_outside", detail, where)

    def _delete(self, path, where, call):
        if path is None or path == "?":
            self.find("delete_outside", f"deletes a path computed at run time: {call}", where)
            return
        target = os.path.abspath(os.path.join(self.cwd, os.path.expanduser(path)))
        if target == self.cwd or not _inside(self.cwd, target):
            detail = f"deletes {target}, outside the notebook's folder: {call}"
            self.find("delete_outside", detail, where)

    def _path_of(self, node, depth=0):
        """The literal path `node` stands for, or None when only run time knows it."""
        text = _string(node)
        if text is not None:
            return text
        if depth >= 4:
            return None
        if isinstance(node, ast.Call):
            name = self.dotted(node.func)
            if name in PATH_TYPES or name == "os.path.join":
                parts = [self._path_of(a, depth + 1) for a in node.args]
                return os.path.join(*parts) if parts and None not in parts else None
            if name in ("str", "os.fspath", "os.path.abspath", "os.path.normpath") and node.args:
                return self._path_of(node.args[0], depth + 1)
            if name == "os.path.expanduser" and node.args:
                return self._path_of(node.args[0], depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = self._path_of(node.left, depth + 1), self._path_of(node.right, depth + 1)
            return os.path.join(left, right) if None not in (left, right) else None
        if isinstance(node, ast.Name):
            if self.stores.get(node.id, 0) == 1 and node.id in self.values:
                return self._path_of(self.values[node.id], depth + 1)
            if node.id in self.stores:
                return None
            value = _user_value(self.checker.shell, node.id)
            if isinstance(value, (str, os.PathLike)):
                return os.fspath(value)
        return None

    def _outside_base(self, node, depth=0):
        """For a path only run time knows: the folder what is known of it lies in, when that
        is not the notebook's folder (a literal start, a home or temporary folder), else
        None."""
        if depth >= 4 or node is None:
            return None
        known = self._path_of(node)
        if known is not None:
            return known
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if _string(first) is not None:
                return _folder_of(_string(first))
            return self._outside_base(getattr(first, "value", None), depth + 1)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return self._outside_base(node.left, depth + 1)
            left = _string(node.left)
            if left is not None and isinstance(node.op, (ast.Add, ast.Mod)):
                return _folder_of(left.split("%")[0] if isinstance(node.op, ast.Mod) else left)
            return self._outside_base(node.left, depth + 1)
        if isinstance(node, ast.Call):
            return self._outside_base_of_call(node, depth)
        if isinstance(node, ast.Name) and self.stores.get(node.id, 0) == 1:
            return self._outside_base(self.values.get(node.id), depth + 1)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            return self._outside_base(node.value, depth + 1)
        return None

    def _outside_base_of_call(self, node, depth):
        name = self.dotted(node.func)
        if name in OUTSIDE_BASES and OUTSIDE_BASES[name] is not None:
            return _temporary() if OUTSIDE_BASES[name] == "/tmp" else OUTSIDE_BASES[name]
        if name in PATH_TYPES or name in ("os.path.join", "os.path.expanduser", "str"):
            if not node.args:
                return None
            literals = []
            for arg in node.args:
                if _string(arg) is None:
                    break
                literals.append(_string(arg))
            if literals:
                return os.path.join(*literals)
            return self._outside_base(node.args[0], depth + 1)
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if attr == "format" and _string(node.func.value) is not None:
            return _folder_of(_string(node.func.value).split("{")[0])
        if attr in _PATH_RETURNING_METHODS:
            return self._outside_base(node.func.value, depth + 1)
        if self._home_variable(name, node):
            return "~"
        return None

    def _home_variable(self, name, node):
        """`os.getenv('HOME')`, `os.environ.get('HOME')`."""
        return (
            name in ("os.getenv", "os.environ.get")
            and node.args
            and (_string(node.args[0]) in ("HOME", "USERPROFILE", "TMPDIR"))
        )

    def _is_path(self, node, depth=0):
        """Whether `node` is evidently a pathlib path (so `.replace` is not `str.replace`)."""
        if depth >= 4:
            return False
        if isinstance(node, ast.Call):
            name = self.dotted(node.func)
            if name in PATH_TYPES or (name or "").endswith(("Path.home", "Path.cwd")):
                return True
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else None
            return attr in _PATH_RETURNING_METHODS and self._is_path(node.func.value, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self._is_path(node.left, depth + 1)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            return self._is_path(node.value, depth + 1)
        if isinstance(node, ast.Name):
            if self.stores.get(node.id, 0) == 1 and node.id in self.values:
                return self._is_path(self.values[node.id], depth + 1)
            value = _user_value(self.checker.shell, node.id)
            return type(value).__name__ in ("Path", "PosixPath", "WindowsPath")
        return False


def _argument(node, index, *keywords):
    """The call's positional argument `index`, else its first keyword of `keywords`."""
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if len(positional) == len(node.args) and index < len(positional):
        return positional[index]
    for keyword in node.keywords:
        if keyword.arg in keywords:
            return keyword.value
    return None


def _folder_of(prefix):
    """The folder the start of a path lies in: `'/tmp/out_'` → `/tmp`; None for a start in
    the notebook's folder (no folder named)."""
    folder = prefix if prefix.endswith(("/", os.sep)) else os.path.dirname(prefix)
    return folder or None


def _temporary():
    import tempfile

    return tempfile.gettempdir()
