"""scripts/update_catalog.py: what it extracts from the settings schema, and what its check
refuses in the schema and in the texts per answer language."""

import copy
import importlib.util
import json
from pathlib import Path

import pytest
from jupyterlab_server.translation_utils import translator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog_script():
    spec = importlib.util.spec_from_file_location(
        "update_catalog", ROOT / "scripts" / "update_catalog.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_schema(tmp_path, schema):
    path = tmp_path / "plugin.json"
    path.write_text(json.dumps(schema))
    return path


SCHEMA = {
    "jupyter.lab.internationalization": {
        "domain": "jupyterlab_code_interpreter",
        "selectors": ["properties/.*/placeholder"],
    },
    "jupyter.lab.setting-icon-label": "Interpreter",
    "title": "Top title",
    "description": "Top description",
    "properties": {
        "mode": {
            "title": "Mode",
            "description": "How it runs",
            "enum": ["ask", "auto"],
            "default": "ask",
            "placeholder": "A placeholder",
            "examples": ["Not translated: strings in lists are not walked"],
        },
        "pool": {
            "type": "array",
            "items": {"properties": {"tier": {"title": "Tier", "default": 1}}},
        },
    },
}


def test_schema_strings_are_extracted_with_jupyterlabs_contexts(catalog_script, tmp_path):
    found = catalog_script.extract_schema(write_schema(tmp_path, SCHEMA))
    assert set(found) == {
        "schema\x04Top title",
        "schema\x04Top description",
        "settings\x04Interpreter",
        "settings\x04Mode",
        "settings\x04How it runs",
        "settings\x04Tier",
        "schema\x04A placeholder",
    }


def test_what_is_extracted_is_what_the_settings_api_translates(catalog_script, tmp_path):
    """jupyterlab_server's own walk, with a bundle that marks every message it is asked for,
    asks for exactly what the script extracted."""
    found = catalog_script.extract_schema(write_schema(tmp_path, SCHEMA))

    class Marking:
        def pgettext(self, context, msgid):
            return f"<{context}\x04{msgid}>"

    translated = copy.deepcopy(SCHEMA)
    translator._translate_schema_strings(Marking(), translated)
    marked: set[str] = set()

    def collect(node):
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
        elif isinstance(node, str) and node.startswith("<") and node.endswith(">"):
            marked.add(node[1:-1])

    collect(translated)
    assert marked == set(found)


def test_a_schema_outside_our_domain_is_refused(catalog_script, tmp_path):
    schema = {**SCHEMA, "jupyter.lab.internationalization": {"domain": "jupyterlab"}}
    problems = catalog_script.schema_problems(write_schema(tmp_path, schema))
    assert len(problems) == 1
    assert "'jupyterlab', not 'jupyterlab_code_interpreter'" in problems[0]
    assert catalog_script.schema_problems(write_schema(tmp_path, SCHEMA)) == []


REPAIR = "Stopped after %1 failed attempts: %2"


def test_answer_texts_are_held_to_msgids_placeholders_and_catalogs(catalog_script):
    texts = {
        REPAIR: {"fr": "Arrêté après %1 essais : %2", "de": "Abgebrochen nach %1"},
        "Not in src": {"fr": "Pas dans src", "de": "Nicht in src"},
        "Only French %1": {"fr": "Seulement %1"},
    }
    msgids = [REPAIR, "Only French %1"]
    problems = catalog_script.answer_text_problems(texts, msgids, {})
    assert any("placeholders differ in the de text of" in p for p in problems)
    assert any("'Not in src' is not a msgid of src/" in p for p in problems)
    assert any("no de text for 'Only French %1'" in p for p in problems)
    assert len(problems) == 3


def test_answer_texts_say_what_the_zh_cn_catalog_says(catalog_script):
    texts = {REPAIR: {"zh-Hans": "旧的 %1：%2", "fr": "Arrêté après %1 essais : %2"}}
    catalogs = {"zh_CN": {REPAIR: "尝试 %1 次均失败，已停止：%2"}}
    problems = catalog_script.answer_text_problems(texts, [REPAIR], catalogs)
    assert problems == [
        f"src/agent/answertexts.json: the zh-Hans text of {REPAIR!r} differs from the "
        "zh_CN catalog's"
    ]
    synced = catalog_script.sync_answer_texts(texts, catalogs)
    assert synced[REPAIR] == {"zh-Hans": "尝试 %1 次均失败，已停止：%2", "fr": texts[REPAIR]["fr"]}
    assert catalog_script.answer_text_problems(synced, [REPAIR], catalogs) == []


def test_plural_msgids_get_a_form_per_case_jupyterlab_accepts(catalog_script, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "view.tsx").write_text(
        "trans._n('%1 number checked', '%1 numbers checked', n);\ntrans.__('Plain');\n"
    )
    plurals = catalog_script.extract_plurals(src)
    assert plurals == {"%1 number checked"}
    data = catalog_script.catalog(
        "zh_CN",
        {"%1 number checked": "已核对 %1 个", "Plain": "普通"},
        sorted(plurals | {"Plain"}),
        plurals,
    )
    # JupyterLab's Gettext ignores a plural entry of one form (it falls back to English).
    assert data["%1 number checked"] == ["已核对 %1 个", "已核对 %1 个"]
    assert data["Plain"] == ["普通"]
