"""Extract the UI strings of the frontend and rebuild the translation catalogs.

Usage::

    python scripts/update_catalog.py          # update translations.json and the catalog
    python scripts/update_catalog.py --check  # fail if a string lacks a translation
                                              # or the catalog is out of date

For every locale folder under ``jupyterlab_code_interpreter/locale/<locale>/`` the
translator keeps ``translations.json`` (msgid -> translation). This script adds the
msgids found in ``src/`` and in the settings schema that it lacks (with an empty
translation, to be filled in), and writes ``LC_MESSAGES/jupyterlab_code_interpreter.json``,
the Jed-format catalog that jupyterlab_server serves through the ``jupyterlab.locale``
entry point (and, for the schema, to its settings API: schema_translations.py).

Strings of ``src/`` are found by a regular expression over calls of the translation
functions: ``trans.__('…')``, ``trans._n('…', …)`` (its singular), ``this._trans.__('…')``
and the pure modules' ``trans('…')`` / ``this._trans('…')``, and the constructors of the
errors that carry a msgid
(``new KernelToolError('…')``, see ``TRANSLATABLE_ERRORS``). Only literal first arguments
are extracted.

Strings of ``schema/plugin.json`` are the ones jupyterlab_server translates: its default
selectors (titles and descriptions, menu and toolbar labels) and the schema's own
``jupyter.lab.internationalization`` selectors, each with the message context JupyterLab
gives it (``schema``, ``settings``, ``menu``, ``toolbar``). Their msgid is written
``context\\x04text``, as in gettext's and Jed's catalogs.

``src/agent/answertexts.json`` keeps, per msgid, the texts of the languages the agent may
answer in (the user's language can differ from the UI's, whose catalog alone the browser
loads). Its msgids must be msgids of ``src/`` and carry the same placeholders, every
language must have every msgid, and a language we keep a catalog for must say what the
catalog says (this script copies it there).
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
SCHEMA = ROOT / "schema" / "plugin.json"
ANSWER_TEXTS = SRC / "agent" / "answertexts.json"
LOCALE = ROOT / "jupyterlab_code_interpreter" / "locale"
DOMAIN = "jupyterlab_code_interpreter"
PLURAL_FORMS = {"zh_CN": "nplurals=1; plural=0;"}
# The answer language (BCP-47, as src/agent/language.ts names it) of each catalog's locale.
ANSWER_LANGUAGE = {"zh_CN": "zh-Hans"}
I18N_KEY = "jupyter.lab.internationalization"
CONTEXT_SEPARATOR = "\x04"

# Errors built in pure modules carry a msgid (TranslatableError in src/translate.ts) and are
# translated where they are shown; their constructors' literal first argument is a msgid too.
TRANSLATABLE_ERRORS = ("KernelToolError", "TranslatableError")
CALL = re.compile(
    r"""(?:(?<![\w$])(?:this\.)?_?trans(?:\.__|\._n)?|\bnew\s+(?:"""
    + "|".join(TRANSLATABLE_ERRORS)
    + r"""))\(\s*"""
    r"""(?P<q>['"`])(?P<s>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)""",
    re.DOTALL,
)
# Plural msgids (``trans._n('…', '…', n)``): JupyterLab's Gettext takes a plural entry only
# when it holds more than one form, so their entries repeat the translation.
PLURAL_CALL = re.compile(
    r"""(?<![\w$])(?:this\.)?_?trans\._n\(\s*(?P<q>['"`])(?P<s>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)"""
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


def shown(path: Path) -> str:
    """A path as messages name it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def schema_selectors(schema: dict) -> list[tuple[re.Pattern[str], str]]:
    """(path pattern, message context) of the strings jupyterlab_server translates.

    The defaults come from jupyterlab_server itself, so the catalog holds what its settings
    API looks up; the schema's own selectors get the ``schema`` context, as there.
    """
    from jupyterlab_server.translation_utils import DEFAULT_SCHEMA_SELECTORS

    own = schema.get(I18N_KEY, {}).get("selectors", [])
    return [
        (re.compile(f"^/{pattern}$"), context)
        for pattern, context in [*DEFAULT_SCHEMA_SELECTORS.items(), *((s, "schema") for s in own)]
    ]


def extract_schema(path: Path = SCHEMA) -> dict[str, list[str]]:
    """``context\\x04text`` -> [the schema's path] for every translated string of the schema.

    Paths are built as jupyterlab_server builds them: ``/key/key``, ``[i]`` for list items.
    """
    schema = json.loads(path.read_text(encoding="utf-8"))
    selectors = schema_selectors(schema)
    found: dict[str, list[str]] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            where = f"{prefix}/{key}"
            if isinstance(value, str):
                context = next((c for p, c in selectors if p.fullmatch(where)), None)
                if context is not None:
                    found[f"{context}{CONTEXT_SEPARATOR}{value}"] = [shown(path)]
            elif isinstance(value, dict):
                walk(value, where)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        walk(item, f"{where}[{index}]")

    walk(schema, "")
    return dict(sorted(found.items()))


def schema_problems(path: Path = SCHEMA) -> list[str]:
    """What keeps jupyterlab_server from translating the schema in our domain."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    domain = schema.get(I18N_KEY, {}).get("domain")
    if domain != DOMAIN:
        return [f"{shown(path)}: {I18N_KEY}.domain is {domain!r}, not {DOMAIN!r}"]
    return []


def answer_text_problems(
    texts: dict[str, dict[str, str]],
    msgids: list[str],
    catalogs: dict[str, dict[str, str]],
) -> list[str]:
    """Why the answer-language texts disagree with the msgids, themselves or the catalogs.

    ``catalogs`` maps a locale to its translations (msgid -> translation).
    """
    problems: list[str] = []
    name = ANSWER_TEXTS.relative_to(ROOT)
    languages = sorted({tag for by_tag in texts.values() for tag in by_tag})
    for msgid, by_tag in texts.items():
        if msgid not in msgids:
            problems.append(f"{name}: {msgid!r} is not a msgid of src/")
        for tag in languages:
            text = by_tag.get(tag, "")
            if not text:
                problems.append(f"{name}: no {tag} text for {msgid!r}")
            elif placeholders(text) != placeholders(msgid):
                problems.append(f"{name}: placeholders differ in the {tag} text of {msgid!r}")
        for locale, tag in ANSWER_LANGUAGE.items():
            translation = catalogs.get(locale, {}).get(msgid)
            if translation and by_tag.get(tag) != translation:
                problems.append(
                    f"{name}: the {tag} text of {msgid!r} differs from the {locale} catalog's"
                )
    return problems


def sync_answer_texts(
    texts: dict[str, dict[str, str]], catalogs: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """The answer-language texts with each catalog's translation as its language's text."""
    synced = {msgid: dict(by_tag) for msgid, by_tag in texts.items()}
    for msgid, by_tag in synced.items():
        for locale, tag in ANSWER_LANGUAGE.items():
            translation = catalogs.get(locale, {}).get(msgid)
            if translation:
                by_tag[tag] = translation
    return synced


def placeholders(text: str) -> list[str]:
    """The `%1`, `%2`… a message uses, sorted."""
    return sorted(re.findall(r"%\d+", text))


def package_version() -> str:
    """The package version, from package.json (as hatch-nodejs-version does)."""
    return json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"]


def extract_plurals(src: Path = SRC) -> set[str]:
    """The msgids of ``src/`` used as the singular of a plural (``trans._n``)."""
    found: set[str] = set()
    for path in sorted(src.rglob("*.ts*")):
        if "__tests__" in path.parts or path.suffix not in {".ts", ".tsx"}:
            continue
        for match in PLURAL_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(unescape(match.group("s")))
    return found


def catalog(
    locale: str, translations: dict[str, str], msgids: list[str], plurals: set[str] = frozenset()
) -> dict:
    """The Jed-format catalog of one locale: the header, then msgid -> [translation].

    A plural msgid gets its translation twice (one form per plural case would need the
    translator to give each; the locales we keep have one).
    """
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
            forms = 2 if msgid in plurals else 1
            data[msgid] = [translations[msgid]] * forms
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
    plurals = extract_plurals()
    source_msgids = list(msgids)
    msgids = sorted({*msgids, *extract_schema()})
    problems: list[str] = schema_problems()
    written: list[Path] = []
    catalogs: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in LOCALE.iterdir() if p.is_dir()):
        locale = folder.name
        source = folder / "translations.json"
        translations: dict[str, str] = (
            json.loads(source.read_text(encoding="utf-8")) if source.exists() else {}
        )
        merged = dict(translations)
        for msgid in msgids:
            merged.setdefault(msgid, "")
        catalogs[locale] = merged
        missing = [m for m in msgids if not merged[m]]
        obsolete = sorted(set(merged) - set(msgids))
        target = folder / "LC_MESSAGES" / f"{DOMAIN}.json"
        expected = catalog(locale, merged, msgids, plurals)
        current = json.loads(target.read_text(encoding="utf-8")) if target.exists() else None
        for msgid in missing:
            problems.append(f"{locale}: no translation for {msgid!r}")
        for msgid in msgids:
            if merged[msgid] and placeholders(merged[msgid]) != placeholders(msgid):
                problems.append(f"{locale}: placeholders differ in the translation of {msgid!r}")
        if obsolete:
            print(
                f"{locale}: {len(obsolete)} msgid(s) no longer used in src/ or the schema (kept):",
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
    texts = json.loads(ANSWER_TEXTS.read_text(encoding="utf-8"))
    if not args.check:
        synced = sync_answer_texts(texts, catalogs)
        if synced != texts:
            ANSWER_TEXTS.write_text(dump(synced), encoding="utf-8")
            written.append(ANSWER_TEXTS)
            texts = synced
    problems.extend(answer_text_problems(texts, source_msgids, catalogs))
    prettier(written)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
