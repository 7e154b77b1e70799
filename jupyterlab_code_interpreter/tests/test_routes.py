"""The routes' contract with the browser: authentication, XSRF, status, models, and the errors
that need no model endpoint."""

import json

import pytest
from tornado.httpclient import HTTPClientError

CHAT = ("code-interpreter", "v1", "chat/completions")
HELLO = {"model": "default", "messages": [{"role": "user", "content": "hello"}]}


async def fetch_json(jp_fetch, *parts, **kwargs):
    response = await jp_fetch(*parts, raise_error=False, **kwargs)
    return response, json.loads(response.body)


@pytest.mark.parametrize(
    "method, parts",
    [
        ("GET", ("code-interpreter", "status")),
        ("GET", ("code-interpreter", "v1", "models")),
        ("POST", CHAT),
    ],
)
async def test_every_route_requires_authentication(jp_fetch, method, parts):
    body = json.dumps(HELLO) if method == "POST" else None
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*parts, method=method, body=body, headers={"Authorization": ""})
    assert caught.value.code == 403


async def test_cookie_authenticated_post_needs_the_xsrf_header(jp_fetch, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    # A token-authenticated request leaves the login cookie, as a browser would hold it.
    first = await jp_fetch("code-interpreter", "status")
    cookies = {}
    for header in first.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    assert any(name.startswith("username-") for name in cookies), cookies
    # Tornado compares the _xsrf cookie with the X-XSRFToken header; JupyterLab sends both.
    cookies["_xsrf"] = "xsrf-token-of-this-browser"
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    cookie_only = {"Authorization": "", "Cookie": cookie}

    # With the cookie alone, a GET works...
    status = await jp_fetch("code-interpreter", "status", headers=dict(cookie_only))
    assert status.code == 200
    # ...but a POST without X-XSRFToken is refused,
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*CHAT, method="POST", body=json.dumps(HELLO), headers=dict(cookie_only))
    assert caught.value.code == 403
    # and with it the request reaches the gateway (which then fails to reach port 9: 502).
    with_xsrf = {**cookie_only, "X-XSRFToken": cookies["_xsrf"]}
    response = await jp_fetch(
        *CHAT, method="POST", body=json.dumps(HELLO), headers=with_xsrf, raise_error=False
    )
    assert response.code == 502
    assert json.loads(response.body)["error"]["code"] == "upstream_unreachable"


async def test_token_authenticated_post_is_exempt_from_xsrf(jp_fetch):
    # jp_fetch sends "Authorization: token …" and no cookie; no endpoint is configured.
    response, body = await fetch_json(jp_fetch, *CHAT, method="POST", body=json.dumps(HELLO))
    assert response.code == 503
    assert body["error"]["code"] == "no_endpoint_configured"


async def test_status_without_endpoint_explains_how_to_configure(jp_fetch):
    response, status = await fetch_json(jp_fetch, "code-interpreter", "status")
    assert response.code == 200
    assert status["configured"] is False
    assert status["source"] is None and status["kind"] is None
    assert status["models"] == []
    for hint in ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY", "endpoint", "c.CodeInterpreter"):
        assert hint in status["message"]


async def test_no_endpoint_configured_is_an_openai_error_not_to_retry(jp_fetch):
    response, body = await fetch_json(jp_fetch, *CHAT, method="POST", body=json.dumps(HELLO))
    assert response.code == 503
    assert response.headers["x-should-retry"] == "false"
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == "no_endpoint_configured"
    assert "OPENAI_API_KEY" in body["error"]["message"]


async def test_models_lists_default_and_the_model_name(jp_fetch, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_MODEL", "llama3")
    response, models = await fetch_json(jp_fetch, "code-interpreter", "v1", "models")
    assert models["object"] == "list"
    assert [m["id"] for m in models["data"]] == ["default", "llama3"]
    assert all(m["object"] == "model" for m in models["data"])


async def test_unknown_alias_is_404_listing_the_aliases(jp_fetch, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    request = {**HELLO, "model": "gpt-5-turbo-max"}
    response, body = await fetch_json(jp_fetch, *CHAT, method="POST", body=json.dumps(request))
    assert response.code == 404
    assert response.headers["x-should-retry"] == "false"
    assert body["error"]["code"] == "model_not_found"
    assert "'default'" in body["error"]["message"]
    assert "gpt-4o-mini" in body["error"]["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b""])
async def test_invalid_json_body_is_400_not_to_retry(jp_fetch, monkeypatch, raw):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    response = await jp_fetch(*CHAT, method="POST", body=raw, raise_error=False)
    assert response.code == 400
    assert response.headers["x-should-retry"] == "false"
    assert json.loads(response.body)["error"]["code"] == "invalid_json"


async def test_server_config_endpoint_wins_and_status_shows_no_secret(
    jp_fetch, gateway, monkeypatch
):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env-host.example:1/v1")
    gateway.config.endpoint = {
        "kind": "azure",
        "base_url": "https://admin-resource.openai.azure.com/",
        "deployment": "gpt-4o",
        "api_key_env": "ADMIN_AZURE_KEY",
    }
    monkeypatch.setenv("ADMIN_AZURE_KEY", "sk-test-SECRET-1234567890")
    response, status = await fetch_json(jp_fetch, "code-interpreter", "status")
    # The pool added `endpoints` and `config_errors` (tested in test_pool_gateway.py).
    original = ("configured", "source", "kind", "host", "models", "message")
    assert {name: status[name] for name in original} == {
        "configured": True,
        "source": "server_config",
        "kind": "azure",
        "host": "admin-resource.openai.azure.com",
        "models": ["default", "gpt-4o"],
        "message": "",
    }


async def test_invalid_config_names_the_field(jp_fetch, gateway):
    gateway.config.endpoint = {"kind": "azure", "base_url": "https://r.openai.azure.com"}
    response, status = await fetch_json(jp_fetch, "code-interpreter", "status")
    assert status["configured"] is False
    assert status["source"] == "server_config"
    assert "c.CodeInterpreter.endpoint.deployment is empty" in status["message"]
    response, body = await fetch_json(jp_fetch, *CHAT, method="POST", body=json.dumps(HELLO))
    assert response.code == 503
    assert body["error"]["code"] == "endpoint_config_invalid"
    assert "deployment" in body["error"]["message"]
