"""Pool configuration: precedence, per-endpoint validation naming endpoint and field."""

from jupyterlab_code_interpreter.gateway.pool import resolve_pool

EAST = {
    "name": "east",
    "kind": "azure",
    "base_url": "https://east.openai.azure.com/",
    "deployment": "gpt-4o",
    "tpm": 30000,
    "rpm": 180,
    "api_key_env": "EAST_KEY",
}
WEST = {**EAST, "name": "west", "base_url": "https://west.openai.azure.com", "tier": 1}


def test_server_pool_with_defaults():
    pool = resolve_pool([EAST, WEST], {}, None, None, {})
    assert pool.source == "server_config" and not pool.errors
    east, west = pool.endpoints
    assert (east.name, east.host, east.tier, west.tier) == ("east", "east.openai.azure.com", 0, 1)
    assert east.weight == 30.0  # tpm / 1000 unless a weight is given
    assert east.aliases == ("default", "gpt-4o")
    assert east.api_version == "2024-10-21"
    assert pool.aliases() == ["default", "gpt-4o"]
    assert [e.name for e in pool.serving("gpt-4o")] == ["east", "west"]


def test_an_invalid_endpoint_is_reported_and_the_others_keep_working():
    broken = {**WEST, "deployment": "", "name": "broken"}
    pool = resolve_pool([EAST, broken, {**EAST, "rpm": -1, "name": "neg"}], {}, None, None, {})
    assert [e.name for e in pool.endpoints] == ["east"]
    assert [(e.endpoint, e.field) for e in pool.errors] == [
        ("broken", "deployment"),
        ("neg", "rpm"),
    ]
    assert "c.CodeInterpreter.endpoints[1] ('broken').deployment is empty" in pool.errors[0].message


def test_camel_case_settings_and_field_types():
    setting = {
        "name": "local",
        "baseUrl": "http://localhost:11434/v1",
        "model": "qwen",
        "models": ["default", "fast"],
        "firstByteTimeout": 5,
        "apiKeyName": "my-key",
        "vision": True,
    }
    pool = resolve_pool(None, None, [setting, {"name": "x", "rpm": "many"}], None, {})
    assert pool.source == "user_settings"
    (local,) = pool.endpoints
    assert local.aliases == ("default", "fast") and local.first_byte_timeout == 5.0
    assert local.api_key_name == "my-key" and local.vision
    (error,) = pool.errors
    assert (error.endpoint, error.field) == ("x", "rpm")
    assert "must be a whole number" in error.message


def test_key_sources_are_exclusive_and_a_pasted_key_is_not_repeated():
    both = {**EAST, "api_key_file": "/run/secrets/k"}
    pasted = {**EAST, "name": "pasted", "api_key_env": "sk-live-abc-123"}
    entra = {**EAST, "name": "entra", "kind": "openai", "api_key_env": "", "entra_id": True}
    pool = resolve_pool([both, pasted, entra], None, None, None, {})
    fields = [(e.endpoint, e.field) for e in pool.errors]
    assert fields == [("east", "api_key_file"), ("pasted", "api_key_env"), ("entra", "entra_id")]
    assert all("sk-live" not in e.message for e in pool.errors)


def test_duplicate_names_unknown_fields_and_urls_with_credentials():
    pool = resolve_pool(
        [
            EAST,
            EAST,
            {**WEST, "colour": "red"},
            {**WEST, "name": "creds", "base_url": "https://u:p@w.example"},
        ],
        None,
        None,
        None,
        {},
    )
    assert [(e.endpoint, e.field) for e in pool.errors] == [
        ("west", "colour"),
        ("creds", "base_url"),
        ("east", "name"),
    ]
    assert "p@" not in " ".join(e.message for e in pool.errors)


def test_single_endpoint_joins_the_pool_and_environment_is_last():
    single = {"kind": "openai", "base_url": "http://admin:1/v1"}
    pool = resolve_pool([EAST], single, None, None, {"OPENAI_API_KEY": "x"})
    assert [e.host for e in pool.endpoints] == ["admin", "east.openai.azure.com"]
    pool = resolve_pool([], {}, [], {}, {"OPENAI_BASE_URL": "http://env:3/v1"})
    assert pool.source == "environment" and pool.endpoints[0].host == "env"


def test_an_unreadable_settings_file_is_reported():
    pool = resolve_pool(None, None, None, None, {"OPENAI_API_KEY": "x"}, "could not be parsed")
    assert not pool.configured and pool.source == "user_settings"
    assert "could not be parsed" in pool.problem
