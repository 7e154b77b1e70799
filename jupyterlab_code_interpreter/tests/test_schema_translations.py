"""The settings form in the user's language: JupyterLab's settings API, on a real server with
JupyterLab and the zh_CN language pack, serves our schema translated from our catalog."""

import json
from pathlib import Path

import pytest
from jupyterlab_server.translation_utils import translator

from jupyterlab_code_interpreter.schema_translations import DOMAIN, read_catalog

PLUGIN = "jupyterlab-code-interpreter:plugin"
SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "plugin.json"
BUILT_SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "labextension"
    / "schemas"
    / "jupyterlab-code-interpreter"
    / "plugin.json"
)


@pytest.fixture
def jp_server_config(tmp_path, jp_config_dir):
    """JupyterLab (the settings API) beside our extension, finding our built labextension
    (pytest-jupyter's environment hides the installed ones) and this test's user settings
    (LabApp's default folder is computed once per process)."""
    labextensions = tmp_path / "labextensions"
    labextensions.mkdir()
    (labextensions / "jupyterlab-code-interpreter").symlink_to(BUILT_SCHEMA.parents[2])
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "jupyterlab": True,
                "jupyterlab_code_interpreter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "LabApp": {
            "extra_labextensions_path": [str(labextensions)],
            "user_settings_dir": str(jp_config_dir / "lab" / "user-settings"),
        },
    }


@pytest.fixture(autouse=True)
def english_afterwards():
    """jupyterlab_server keeps the language in a process-wide class; later tests get English."""
    yield
    translator.set_locale("en")


@pytest.fixture
def chinese_ui(jp_config_dir):
    """The user chose Simplified Chinese in Settings → Language."""
    folder = jp_config_dir / "lab" / "user-settings" / "@jupyterlab" / "translation-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plugin.jupyterlab-settings").write_text(json.dumps({"locale": "zh_CN"}))


async def served_schema(jp_fetch) -> dict:
    response = await jp_fetch("lab", "api", "settings", PLUGIN)
    return json.loads(response.body)["schema"]


def test_the_built_schema_names_our_domain():
    """The server reads the copy the labextension build made; a stale build keeps English."""
    assert json.loads(SCHEMA.read_text())["jupyter.lab.internationalization"] == {"domain": DOMAIN}
    assert json.loads(BUILT_SCHEMA.read_text()) == json.loads(SCHEMA.read_text())


async def test_the_settings_form_is_english_by_default(jp_fetch):
    schema = await served_schema(jp_fetch)
    assert schema["title"] == "Code Interpreter"
    assert schema["properties"]["approvalMode"]["title"] == "Approval mode"


async def test_the_settings_form_is_translated_in_zh_cn(jp_fetch, chinese_ui):
    schema = await served_schema(jp_fetch)
    properties = schema["properties"]
    assert schema["title"] == "代码解释器"
    assert schema["description"].startswith("代码解释器侧边栏聊天")
    assert schema["jupyter.lab.setting-icon-label"] == "代码解释器"
    assert properties["approvalMode"]["title"] == "审批模式"
    assert properties["approvalMode"]["description"].startswith("生成的代码何时运行")
    assert properties["policy"]["properties"]["network"]["title"] == "网络调用"
    assert properties["endpoints"]["items"]["properties"]["tier"]["title"] == "优先级层级"
    # Only words change: values and defaults stay what the code reads.
    assert properties["approvalMode"]["enum"] == ["ask", "auto-safe", "auto"]
    english = json.loads(SCHEMA.read_text())["properties"]
    assert properties["approvalMode"]["default"] == english["approvalMode"]["default"]


async def test_every_translated_string_of_the_schema_is_served_translated(jp_fetch, chinese_ui):
    """What the catalog holds with the ``schema``/``settings`` contexts is what the API uses."""
    catalog = read_catalog("zh_CN")
    served = json.dumps(await served_schema(jp_fetch), ensure_ascii=False)
    schema_messages = {
        key.split("\x04", 1)[1]: text
        for key, text in catalog.items()
        if key.startswith(("schema\x04", "settings\x04"))
    }
    assert len(schema_messages) > 60
    for text in schema_messages.values():
        assert json.dumps(text, ensure_ascii=False) in served


def test_a_locale_without_a_catalog_has_no_messages(tmp_path):
    assert read_catalog("fr_FR", tmp_path) == {}
