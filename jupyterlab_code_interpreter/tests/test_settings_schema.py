"""The endpoint's fields come from schema/plugin.json, for the user's settings and the
administrator's config alike; messages name the endpoint and the field, never a value."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jupyterlab_code_interpreter.gateway import settings_schema
from jupyterlab_code_interpreter.gateway.endpoint import Endpoint
from jupyterlab_code_interpreter.gateway.pool import resolve_pool
from jupyterlab_code_interpreter.gateway.settings_schema import POOL, SINGLE, fields, find_schema

SCHEMA = Path(__file__).parents[2] / "schema" / "plugin.json"
EAST = {"name": "east", "kind": "azure", "base_url": "https://e.example", "deployment": "d"}


def test_the_fields_and_their_two_spellings_are_the_schemas():
    schema = json.loads(SCHEMA.read_text())["properties"]
    pool = {f.camel: f.snake for f in fields(POOL)}
    assert list(pool) == list(schema["endpoints"]["items"]["properties"])
    assert [f.camel for f in fields(SINGLE)] == list(schema["endpoint"]["properties"])
    assert pool["baseUrl"] == "base_url" and pool["firstByteTimeout"] == "first_byte_timeout"
    assert pool["entraId"] == "entra_id" and pool["rpm"] == "rpm"
    # Every field lands on the Endpoint (an Azure deployment is its model).
    attributes = {f.name for f in dataclasses.fields(Endpoint)}
    assert set(pool.values()) - attributes == {"deployment"}


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"tier": -1}, "tier", "('east').tier must be 0 or more."),
        ({"weight": 0}, "weight", "('east').weight must be greater than 0."),
        ({"read_timeout": -2.5}, "read_timeout", "('east').read_timeout must be greater than 0."),
        ({"rpm": 60.0}, "rpm", "('east').rpm must be a whole number."),
        ({"vision": "yes"}, "vision", "('east').vision must be a boolean."),
        ({"kind": "gemini"}, "kind", "('east').kind must be 'azure' or 'openai'."),
        ({"models": ["a", 3]}, "models", "('east').models must be a list of non-empty alias"),
        ({"models": ["a", " "]}, "models", "('east').models must be a list of non-empty alias"),
        ({"baseUrl": "https://x"}, "baseUrl", "('east') has unknown field(s) baseUrl; known"),
    ],
)
def test_the_administrators_pool_is_validated_against_the_schema(change, field, words):
    pool = resolve_pool([{**EAST, **change}], None, None, None, {})
    assert not pool.endpoints
    (error,) = pool.errors
    assert (error.endpoint, error.field) == ("east", field)
    assert f"c.CodeInterpreter.endpoints[0] {words}" in error.message


def test_a_value_of_the_wrong_type_is_never_repeated():
    pasted = "sk-live-abc-123"
    pool = resolve_pool(
        [{**EAST, "api_key_env": ["x", pasted]}, {**EAST, "name": "w", "tpm": pasted}],
        {"kind": "openai", "api_key_env": 12345678901},
        None,
        None,
        {},
    )
    assert [(e.endpoint, e.field) for e in pool.errors] == [
        ("endpoint", "api_key_env"),
        ("east", "api_key_env"),
        ("w", "tpm"),
    ]
    assert "c.CodeInterpreter.endpoint.api_key_env must be a string." in pool.problem
    assert pasted not in pool.problem and "12345678901" not in pool.problem


def test_unset_values_are_absent_and_the_name_is_required():
    (endpoint,) = resolve_pool(
        [{**EAST, "tpm": None, "api_version": "  ", "kind": "azure"}], None, None, None, {}
    ).endpoints
    assert endpoint.tpm is None and endpoint.api_version == "2024-10-21"
    pool = resolve_pool([{"kind": "openai"}, [EAST]], None, None, None, {})
    assert [(e.endpoint, e.field) for e in pool.errors] == [("#0", "name"), ("#1", "")]
    assert "endpoints[0].name is empty; give each endpoint a unique name." in pool.problem
    assert "endpoints[1] must be an object, got list." in pool.problem


def test_the_single_setting_endpoint_has_the_schemas_fields_only():
    setting = {"baseUrl": "http://x/v1", "tier": 1, "apiKeyName": 5}
    pool = resolve_pool(None, None, None, setting, {})
    assert "the setting endpoint has unknown field(s) tier; known fields: kind, baseUrl" in (
        pool.problem
    )
    pool = resolve_pool(None, None, None, {"baseUrl": "http://x/v1", "apiKeyName": 5}, {})
    assert [(e.endpoint, e.field) for e in pool.errors] == [("endpoint", "apiKeyName")]
    assert "the setting endpoint.apiKeyName must be a string." in pool.problem


def test_the_schema_is_found_in_a_source_checkout_a_package_or_a_wheels_data(tmp_path):
    assert find_schema() == SCHEMA.resolve()  # this checkout (an editable install)
    relative = Path("schemas") / "jupyterlab-code-interpreter" / "plugin.json"
    package = tmp_path / "site-packages" / "jupyterlab_code_interpreter"
    package.mkdir(parents=True)
    wheel_data = tmp_path / "share" / "jupyter" / "labextensions"
    copy = wheel_data / "jupyterlab-code-interpreter" / relative
    copy.parent.mkdir(parents=True)
    copy.write_text(SCHEMA.read_text())
    assert find_schema(package, [str(tmp_path / "none"), str(wheel_data)]) == copy
    built = package / "labextension" / relative
    built.parent.mkdir(parents=True)
    built.write_text("{}")
    assert find_schema(package, [str(wheel_data)]) == built
    built.unlink()
    with pytest.raises(FileNotFoundError, match="reinstall the package"):
        find_schema(package, [str(tmp_path / "none")])


def test_jsonschema_is_imported_only_when_an_endpoint_is_validated():
    code = (
        "import sys\n"
        "from jupyterlab_code_interpreter.gateway import core, pool\n"
        "assert 'jsonschema' not in sys.modules, 'imported with the gateway'\n"
        "pool.resolve_pool(None, None, None, None, {'OPENAI_API_KEY': 'x'})\n"
        "assert 'jsonschema' not in sys.modules, 'imported for the environment'\n"
        "pool.resolve_pool([{'name': 'a'}], None, None, None, {})\n"
        "assert 'jsonschema' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=SCHEMA.parents[1])


def test_definitions_are_read_once():
    assert settings_schema.definitions() is settings_schema.definitions()
