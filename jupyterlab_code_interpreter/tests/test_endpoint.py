"""Endpoint resolution and request building: pure functions, no server."""

import pytest

from jupyterlab_code_interpreter.gateway.endpoint import DEFAULT_AZURE_API_VERSION
from jupyterlab_code_interpreter.gateway.pool import resolve_pool
from jupyterlab_code_interpreter.gateway.upstream import build_chat_request
from jupyterlab_code_interpreter.gateway.user_settings import UserSettingsFile


def resolve(server_config, user_setting, environ, **custody):
    """The single-endpoint sources (`c.CodeInterpreter.endpoint`, the setting `endpoint`,
    the environment) through the pool's resolution, which is the only one."""
    return resolve_pool(None, server_config, None, user_setting, environ, **custody)


AZURE_ENV = {
    "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com/",
    "AZURE_OPENAI_API_KEY": "k",
    "AZURE_OPENAI_DEPLOYMENT": "gpt-4o",
}


def test_nothing_configured():
    found = resolve({}, None, {})
    assert not found.configured and found.source is None and found.problem is None


def test_environment_azure_defaults_api_version():
    (endpoint,) = resolve({}, None, AZURE_ENV).endpoints
    assert (endpoint.kind, endpoint.base_url, endpoint.model) == (
        "azure",
        "https://res.openai.azure.com",
        "gpt-4o",
    )
    assert endpoint.api_version == DEFAULT_AZURE_API_VERSION
    assert endpoint.api_key_env == "AZURE_OPENAI_API_KEY"


def test_environment_azure_wins_over_openai_variables():
    found = resolve({}, None, {**AZURE_ENV, "OPENAI_API_KEY": "x"})
    assert found.endpoints[0].kind == "azure"


def test_environment_azure_without_deployment_names_the_variable():
    found = resolve({}, None, {"AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com"})
    assert not found.configured
    assert "AZURE_OPENAI_DEPLOYMENT" in found.problem


def test_environment_openai_defaults():
    (endpoint,) = resolve({}, None, {"OPENAI_API_KEY": "x"}).endpoints
    assert (endpoint.base_url, endpoint.model) == ("https://api.openai.com/v1", "gpt-4o-mini")
    assert endpoint.aliases == ("default", "gpt-4o-mini")


def test_precedence_server_config_then_setting_then_environment():
    admin = {"kind": "openai", "base_url": "http://admin:1/v1"}
    user = {"baseUrl": "http://user:2/v1", "model": "llama3"}
    env = {"OPENAI_BASE_URL": "http://env:3/v1"}
    assert resolve(admin, user, env).endpoints[0].host == "admin"
    assert resolve({}, user, env).endpoints[0].host == "user"
    assert resolve({}, {}, env).endpoints[0].host == "env"
    assert resolve({}, user, env).source == "user_settings"


def test_invalid_server_config_is_reported_not_skipped():
    found = resolve({"kind": "azure", "base_url": "https://r"}, {"baseUrl": "http://u/v1"}, {})
    assert not found.configured and found.source == "server_config"
    assert "c.CodeInterpreter.endpoint.deployment is empty" in found.problem


@pytest.mark.parametrize(
    "setting, words",
    [
        ({"kind": "gemini", "baseUrl": "http://x"}, ["endpoint.kind", "'azure' or 'openai'"]),
        ({"baseUrl": "ftp://x"}, ["endpoint.baseUrl", "http(s) URL"]),
        ({"baseUrl": "https://user:pw@x/v1"}, ["endpoint.baseUrl", "credentials"]),
        ({"kind": "azure", "deployment": "d"}, ["endpoint.baseUrl is empty"]),
        ({"baseUrl": "http://x", "apiKey": "k"}, ["unknown field(s) apiKey"]),
    ],
)
def test_setting_errors_name_the_field(setting, words):
    found = resolve({}, setting, {})
    for word in words:
        assert word in found.problem


def test_a_key_pasted_as_variable_name_is_not_repeated():
    found = resolve({}, {"baseUrl": "http://x/v1", "apiKeyEnv": "sk-live-abc-123"}, {})
    assert "NAME of an environment variable" in found.problem
    assert "sk-live" not in found.problem


def test_azure_request_shape():
    (endpoint,) = resolve({}, None, AZURE_ENV).endpoints
    request = build_chat_request(
        endpoint,
        {"model": "default", "messages": [], "stream": True},
        {"Cookie": "a=b", "Authorization": "token t", "X-XSRFToken": "x", "X-Stainless-Os": "L"},
        "the-key",
    )
    assert request.url == (
        "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
        f"?api-version={DEFAULT_AZURE_API_VERSION}"
    )
    assert request.headers["api-key"] == "the-key"
    lowered = {name.lower() for name in request.headers}
    assert not lowered & {"cookie", "authorization", "x-xsrftoken"}
    assert request.headers["X-Stainless-Os"] == "L"
    assert b'"model": "gpt-4o"' in request.content and b'"stream": true' in request.content


def test_openai_request_shape_without_key():
    (endpoint,) = resolve(
        {}, {"baseUrl": "http://localhost:11434/v1", "model": "qwen"}, {}
    ).endpoints
    request = build_chat_request(endpoint, {"model": "qwen"}, {}, None)
    assert request.url == "http://localhost:11434/v1/chat/completions"
    assert "authorization" not in request.headers


def test_a_setting_endpoint_gets_no_default_key_and_may_name_a_stored_one():
    env = {"OPENAI_API_KEY": "sk-server", "AZURE_OPENAI_API_KEY": "az-server"}
    user = {"kind": "azure", "baseUrl": "https://elsewhere.example", "deployment": "d"}
    (endpoint,) = resolve({}, user, env).endpoints
    assert (endpoint.api_key_env, endpoint.api_key_name) == ("", "")
    request = build_chat_request(endpoint, {"model": "default"}, {}, None)
    assert not {"api-key", "authorization"} & {name.lower() for name in request.headers}
    (stored,) = resolve({}, {**user, "apiKeyName": "mine"}, env).endpoints
    assert (stored.api_key_env, stored.api_key_name) == ("", "mine")
    # The administrator's single endpoint keeps the SDK's variable as its default.
    (admin,) = resolve(
        {"kind": "azure", "base_url": "https://r", "deployment": "d"}, {}, {}
    ).endpoints
    assert admin.api_key_env == "AZURE_OPENAI_API_KEY"


@pytest.mark.parametrize(
    "setting, words",
    [
        ({"baseUrl": "http://x/v1", "apiKeyName": "../k"}, ["endpoint.apiKeyName", "stored key"]),
        (
            {"baseUrl": "http://x/v1", "apiKeyName": "k", "apiKeyEnv": "K"},
            ["endpoint.apiKeyName conflicts with the setting endpoint.apiKeyEnv"],
        ),
    ],
)
def test_stored_key_names_are_checked(setting, words):
    found = resolve({}, setting, {}, allow_user_key_sources=True)
    for word in words:
        assert word in found.problem


def test_settings_file_is_reread_only_when_it_changes(tmp_path):
    settings = UserSettingsFile(str(tmp_path))
    assert settings.endpoint() == (None, None)
    settings.path.parent.mkdir(parents=True)
    settings.path.write_text("{endpoint: {baseUrl: 'http://a/v1'}, // json5\n}")
    assert settings.endpoint() == ({"baseUrl": "http://a/v1"}, None)
    settings.path.write_text("{not: json5")
    endpoint, problem = settings.endpoint()
    assert endpoint is None and "could not be parsed" in problem
