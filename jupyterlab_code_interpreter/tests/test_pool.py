"""Pool configuration: precedence, per-endpoint validation naming endpoint and field."""

import pytest

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


# Key custody: what an endpoint from the user's settings may read (binding.py).

ATTACKER = {"name": "x", "baseUrl": "https://attacker.example/v1", "model": "m"}


def test_a_setting_endpoint_without_key_source_gets_no_default_key():
    env = {"OPENAI_API_KEY": "sk-server", "AZURE_OPENAI_API_KEY": "az-server"}
    pool = resolve_pool(
        None,
        None,
        [ATTACKER, {**ATTACKER, "name": "az", "kind": "azure", "deployment": "d"}],
        None,
        env,
    )
    assert [e.api_key_env for e in pool.endpoints] == ["", ""] and not pool.errors
    (single,) = resolve_pool(None, None, None, {"baseUrl": "https://a.example/v1"}, env).endpoints
    assert single.api_key_env == "" and single.source == "user_settings"
    # The administrator's endpoints keep the SDK's defaults.
    admin = resolve_pool(
        [{**EAST, "api_key_env": ""}], {"kind": "openai", "model": "m"}, None, None, env
    )
    assert sorted(e.api_key_env for e in admin.endpoints) == [
        "AZURE_OPENAI_API_KEY",
        "OPENAI_API_KEY",
    ]


@pytest.mark.parametrize(
    "field, value, named",
    [
        ("apiKeyEnv", "OPENAI_API_KEY", "environment variable OPENAI_API_KEY"),
        ("apiKeyEnv", "HOME", "environment variable HOME"),
        ("apiKeyFile", "/run/secrets/key", "file /run/secrets/key"),
        ("entraId", True, "Microsoft Entra ID"),
    ],
)
def test_server_key_sources_in_settings_are_refused_by_default(field, value, named):
    entry = {**ATTACKER, field: value}
    if field == "entraId":
        entry.update(kind="azure", deployment="d")
    pool = resolve_pool(
        None,
        None,
        [entry, {**ATTACKER, "name": "ok", "apiKeyName": "mine"}],
        None,
        {"OPENAI_API_KEY": "sk-server-123"},
    )
    assert [e.name for e in pool.endpoints] == ["ok"]
    (error,) = pool.errors
    assert (error.endpoint, error.field) == ("x", field)
    assert f"the setting endpoints[0] ('x').{field} is refused" in error.message
    assert named in error.message
    assert "apiKeyName" in error.message
    assert "c.CodeInterpreter.allow_user_key_sources = True" in error.message
    assert "sk-server" not in error.message


def test_the_single_setting_endpoint_is_refused_too_and_nothing_else_serves():
    setting = {"baseUrl": "https://attacker.example/v1", "apiKeyEnv": "OPENAI_API_KEY"}
    pool = resolve_pool(None, None, None, setting, {"OPENAI_API_KEY": "sk-server-123"})
    assert not pool.configured and pool.source == "user_settings"
    assert "the setting endpoint.apiKeyEnv is refused" in pool.problem
    assert [(e.endpoint, e.field) for e in pool.errors] == [("endpoint", "apiKeyEnv")]
    # apiKeyFile is not a field of the single endpoint at all.
    pool = resolve_pool(None, None, None, {"baseUrl": "https://a.example", "apiKeyFile": "/k"}, {})
    assert not pool.configured and "unknown field(s) apiKeyFile" in pool.problem


def test_allowed_key_sources_still_go_only_where_they_are_bound():
    env = {
        "OPENAI_API_KEY": "sk-server",
        "OPENAI_BASE_URL": "https://llm.corp.example/v1",
        "AZURE_OPENAI_API_KEY": "az-server",
    }
    entries = [
        {**ATTACKER, "name": "own-var", "apiKeyEnv": "MY_OWN_KEY"},
        {**ATTACKER, "name": "stolen", "apiKeyEnv": "OPENAI_API_KEY"},
        {
            **ATTACKER,
            "name": "same-url",
            "baseUrl": "HTTPS://LLM.corp.example:443/v1/",
            "apiKeyEnv": "OPENAI_API_KEY",
        },
        {**ATTACKER, "name": "azure-unbound", "apiKeyEnv": "AZURE_OPENAI_API_KEY"},
        {**ATTACKER, "name": "hub-token", "apiKeyEnv": "JUPYTERHUB_API_TOKEN"},
        {**ATTACKER, "name": "environ", "apiKeyFile": "/proc/self/environ"},
        {**ATTACKER, "name": "own-file", "apiKeyFile": "/home/me/key"},
    ]
    pool = resolve_pool(None, None, entries, None, env, allow_user_key_sources=True)
    assert [e.name for e in pool.endpoints] == ["own-var", "same-url", "own-file"]
    refused = {e.endpoint: e for e in pool.errors}
    assert set(refused) == {"stolen", "azure-unbound", "hub-token", "environ"}
    assert "sent only to https://llm.corp.example/v1" in refused["stolen"].message
    assert "to no endpoint a setting names" in refused["azure-unbound"].message
    assert refused["environ"].field == "apiKeyFile"
    assert "exposes a process" in refused["environ"].message
    assert all("sk-server" not in e.message and "az-server" not in e.message for e in pool.errors)


def test_bindings_of_administrator_endpoints_follow_files_by_their_real_path(tmp_path):
    from jupyterlab_code_interpreter.gateway.binding import KeyBindings, refusal

    secret = tmp_path / "secret"
    secret.write_text("k")
    (tmp_path / "alias").symlink_to(secret)
    admin = resolve_pool(
        [{**EAST, "api_key_env": "", "api_key_file": str(secret)}], None, None, None, {}
    )
    bindings = KeyBindings.of(admin.endpoints, {})
    user = resolve_pool(
        None,
        None,
        [
            {**ATTACKER, "apiKeyFile": str(tmp_path / "alias")},
            {
                **ATTACKER,
                "name": "y",
                "apiKeyFile": str(secret),
                "kind": "azure",
                "deployment": "d",
                "baseUrl": "https://east.openai.azure.com/openai",
            },
        ],
        None,
        {},
        allow_user_key_sources=True,
    )
    elsewhere, same = user.endpoints
    error = refusal(elsewhere, "the setting endpoints[0] ('x')", bindings, True)
    assert error is not None and error.field == "apiKeyFile"
    assert "sent only to https://east.openai.azure.com" in str(error)
    assert refusal(same, "y", bindings, True) is None
    assert refusal(admin.endpoints[0], "east", bindings, False) is None  # the admin's own


def test_user_endpoints_turned_off_are_ignored_with_a_note():
    env = {"OPENAI_BASE_URL": "http://env:3/v1"}
    user = [{**ATTACKER, "apiKeyName": "mine"}]
    pool = resolve_pool(None, None, user, None, env, allow_user_endpoints=False)
    assert pool.source == "environment" and pool.endpoints[0].host == "env"
    (note,) = pool.notes
    assert "ignored" in note and "c.CodeInterpreter.allow_user_endpoints = False" in note
    assert not pool.errors
    nothing = resolve_pool(None, None, user, None, {}, allow_user_endpoints=False)
    assert not nothing.configured and nothing.notes == pool.notes and nothing.problem is None
    # An unreadable settings file is ignored as well; untouched settings need no note.
    broken = resolve_pool(
        None, None, None, None, env, "could not be parsed", allow_user_endpoints=False
    )
    assert broken.configured and not broken.errors and broken.notes
    assert not resolve_pool(None, None, None, {}, env, allow_user_endpoints=False).notes


def test_base_urls_are_compared_normalised():
    from jupyterlab_code_interpreter.gateway.binding import normalise_url

    assert (
        normalise_url("HTTPS://Res.OpenAI.Azure.com:443/openai/") == "https://res.openai.azure.com"
    )
    assert normalise_url("http://h:80/v1/") == "http://h/v1"
    assert normalise_url("http://h:8080/v1") == "http://h:8080/v1"
    assert normalise_url("http://h/v1") != normalise_url("http://h/v2")
    assert normalise_url("http://[::1]:9/v1") == "http://[::1]:9/v1"
