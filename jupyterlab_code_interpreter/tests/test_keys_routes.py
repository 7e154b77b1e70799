"""The key store routes refuse what jupyter_server refuses: no authentication at all, and a
cookie-authenticated PUT or DELETE without the XSRF header; nothing is stored or removed."""

import json

import pytest

from .conftest import cookie_headers

KEYS = ("code-interpreter", "keys")
TEAM = ("code-interpreter", "keys", "team")
BODY = json.dumps({"key": "sk-route-test-1234567890"})


@pytest.mark.parametrize(
    "method, parts, body",
    [("GET", KEYS, None), ("PUT", TEAM, BODY), ("DELETE", TEAM, None)],
)
async def test_key_routes_require_authentication(jp_fetch, gateway, method, parts, body):
    gateway.keys.store.put("team", "sk-stored-before-0000")
    response = await jp_fetch(
        *parts, method=method, body=body, headers={"Authorization": ""}, raise_error=False
    )
    assert response.code == 403
    assert b"sk-stored-before" not in response.body
    assert gateway.keys.store.get("team") == "sk-stored-before-0000"  # untouched


async def test_cookie_put_and_delete_need_the_xsrf_header(jp_fetch, gateway, browser_cookie):
    no_xsrf = cookie_headers(browser_cookie)
    put = await jp_fetch(*TEAM, method="PUT", body=BODY, headers=no_xsrf, raise_error=False)
    assert put.code == 403 and gateway.keys.store.names() == []
    listed = await jp_fetch(*KEYS, headers=no_xsrf)  # a GET with the cookie alone is fine
    assert json.loads(listed.body) == {"keys": []}

    with_xsrf = cookie_headers(browser_cookie, xsrf=True)
    put = await jp_fetch(*TEAM, method="PUT", body=BODY, headers=with_xsrf)
    assert put.code == 204 and gateway.keys.store.names() == ["team"]

    delete = await jp_fetch(*TEAM, method="DELETE", headers=no_xsrf, raise_error=False)
    assert delete.code == 403 and gateway.keys.store.names() == ["team"]
    delete = await jp_fetch(*TEAM, method="DELETE", headers=with_xsrf)
    assert delete.code == 204 and gateway.keys.store.names() == []
