"""`check(code)`: a cell's syntax error and its policy findings, found by parsing only.

The code is transformed with IPython's own input transformers, compiled and walked as an AST
(`walker.py`); it is never executed. Part of the kernel helpers' bundle (see `__init__.py`):
standard library and IPython only.
"""

import ast
import os
import warnings

try:  # in the package; in the kernel the bundle defines these names above this file
    from .rules import _shell
    from .walker import _Walker
except ImportError:
    pass


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

    def run(self, code, line_offset, ipython=True):
        try:
            source = transform(code, self.shell) if ipython else code
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

    def literal(self, code, line, ipython):
        """Check code held in a string that `exec`, `eval` or `run_cell` runs: its findings
        count at `line`. False when it does not compile (run time decides what it is)."""
        inner = _Checker(self.shell, self.cwd)
        result = inner.run(code, 0, ipython=ipython)
        if result["syntaxError"] is not None:
            return False
        for finding in result["findings"]:
            self.find(
                finding["category"],
                f"{finding['detail']} (in code run from a string)",
                line,
                finding.get("packages"),
            )
        return True


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
