"""Extract the UI strings of the frontend and rebuild the translation catalogs.

Usage::

    python scripts/update_catalog.py          # update translations.json and the catalog
    python scripts/update_catalog.py --check  # fail if a string lacks a translation
                                              # or the catalog is out of date

For every locale folder under ``jupyterlab_code_interpreter/locale/<locale>/`` the
translator keeps ``translations.json`` (msgid -> translation). This script adds the
msgids found in ``src/`` that it lacks (with an empty translation, to be filled in),
and writes ``LC_MESSAGES/jupyterlab_code_interpreter.json``, the Jed-format catalog
that jupyterlab_server serves through the ``jupyterlab.locale`` entry point.

Strings are found by a regular expression over calls of the translation functions
used in ``src/``: ``trans.__('…')``, ``this._trans.__('…')`` and the pure modules'
``trans('…')`` / ``this._trans('…')``. Only literal first arguments are extracted.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
LOCALE = ROOT / "jupyterlab_code_interpreter" / "locale"
DOMAIN = "jupyterlab_code_interpreter"
PLURAL_FORMS = {"zh_CN": "nplurals=1; plural=0;"}

CALL = re.compile(
    r"""(?<![\w$])(?:this\.)?_?trans(?:\.__)?\(\s*"""
    r"""(?P<q>['"`])(?P<s>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)""",
    re.DOTALL,
)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def unescape(literal: str) -> str:
    """Decode the escapes of a JavaScript string literal's body."""

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.startswith("u{"):
            return chr(int(escape[2:-1], 16))
        if escape.startswith("u"):
            return chr(int(escape[1:], 16))
        if escape.startswith("x"):
            return chr(int(escape[1:], 16))
        if escape == "\n":
            return ""
        return ESCAPES.get(escape, escape)

    return re.sub(
        r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)",
        replace,
        literal,
        flags=re.DOTALL,
    )


def extract(src: Path = SRC) -> dict[str, list[str]]:
    """Msgid -> the files (relative to the repository) that use it, sorted."""
    found: dict[str, set[str]] = {}
    for path in sorted(src.rglob("*.ts*")):
        if "__tests__" in path.parts or path.suffix not in {".ts", ".tsx"}:
            continue
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            if match.group("q") == "`" and "${" in match.group("s"):
                continue
            msgid = unescape(match.group("s"))
            found.setdefault(msgid, set()).add(str(path.relative_to(ROOT)))
    return {msgid: sorted(files) for msgid, files in sorted(found.items())}


def placeholders(text: str) -> list[str]:
    """The `%1`, `%2`… a message uses, sorted."""
    return sorted(re.findall(r"%\d+", text))


def package_version() -> str:
    """The package version, from package.json (as hatch-nodejs-version does)."""
    return json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"]


def catalog(locale: str, translations: dict[str, str], msgids: list[str]) -> dict:
    """The Jed-format catalog of one locale: the header, then msgid -> [translation]."""
    data: dict = {
        "": {
            "domain": DOMAIN,
            "language": locale.replace("_", "-"),
            "plural_forms": PLURAL_FORMS.get(locale, "nplurals=2; plural=(n != 1);"),
            "version": package_version(),
        }
    }
    for msgid in msgids:
        if translations.get(msgid):
            data[msgid] = [translations[msgid]]
    return data


def dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def prettier(paths: list[Path]) -> None:
    """Format written files as the repository's prettier does, when it is installed."""
    binary = ROOT / "node_modules" / ".bin" / "prettier"
    if paths and binary.exists():
        subprocess.run(
            [str(binary), "--write", *map(str, paths)], cwd=ROOT, check=False, capture_output=True
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)

    msgids = list(extract())
    problems: list[str] = []
    written: list[Path] = []
    for folder in sorted(p for p in LOCALE.iterdir() if p.is_dir()):
        locale = folder.name
        source = folder / "translations.json"
        translations: dict[str, str] = (
            json.loads(source.read_text(encoding="utf-8")) if source.exists() else {}
        )
        merged = dict(translations)
        for msgid in msgids:
            merged.setdefault(msgid, "")
        missing = [m for m in msgids if not merged[m]]
        obsolete = sorted(set(merged) - set(msgids))
        target = folder / "LC_MESSAGES" / f"{DOMAIN}.json"
        expected = catalog(locale, merged, msgids)
        current = json.loads(target.read_text(encoding="utf-8")) if target.exists() else None
        for msgid in missing:
            problems.append(f"{locale}: no translation for {msgid!r}")
        for msgid in msgids:
            if merged[msgid] and placeholders(merged[msgid]) != placeholders(msgid):
                problems.append(f"{locale}: placeholders differ in the translation of {msgid!r}")
        if obsolete:
            print(
                f"{locale}: {len(obsolete)} msgid(s) no longer used in src/ (kept):",
                *(f"  {m!r}" for m in obsolete),
                sep="\n",
            )
        if args.check:
            if current != expected:
                problems.append(f"{locale}: {target.relative_to(ROOT)} is out of date")
            if merged != translations:
                problems.append(f"{locale}: {source.relative_to(ROOT)} lacks msgids")
            continue
        source.write_text(dump(dict(sorted(merged.items()))), encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(expected), encoding="utf-8")
        written.extend([source, target])
        print(
            f"{locale}: {len(msgids) - len(missing)}/{len(msgids)} translated -> "
            f"{target.relative_to(ROOT)}"
        )
    prettier(written)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
