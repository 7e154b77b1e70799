"""Hostile or broken requests through a real server: each gets a 4xx with a JSON body that says
what is wrong, never a bare 500, and the server answers normally afterwards. Bodies over the
limit are refused from their Content-Length without being read; routing headers do not reach
the endpoint."""

import asyncio
import json

import pytest

CHAT = ("code-interpreter", "v1", "chat/completions")
ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
CONVERSATION = ("code-interpreter", "conversations", ID)
KEY = "sk-bad-input-1234567890"


@pytest.fixture
async def sim(llm_simulator, monkeypatch):
    sim = await llm_simulator({"api_key": KEY, "default": "fine"})
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
    return sim


def chat_body(**extra) -> bytes:
    body = {"model": "default", "messages": [{"role": "user", "content": "hi"}], **extra}
    return json.dumps(body).encode()


async def still_answers(jp_fetch):
    ok = await jp_fetch(*CHAT, method="POST", body=chat_body(), raise_error=False)
    assert ok.code == 200, ok.body
    assert json.loads(ok.body)["choices"][0]["message"]["content"] == "fine"


def openai_error(response, status: int, *words: str) -> dict:
    assert response.code == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    error = json.loads(response.body)["error"]
    assert error["type"] == "invalid_request_error" and error["code"]
    for word in words:
        assert word in error["message"], error["message"]
    return error


DEEP = b'{"model": "default", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
CHAT_CASES = {
    "deeply nested": (DEEP, "nested too deeply"),
    "not UTF-8": (b'{"model": "default", "messages": "\xff\xfe"}', "not UTF-8"),
    "UTF-16": ('{"model": "default"}'.encode("utf-16"), "not UTF-8"),
    "NaN": (b'{"model": "default", "temperature": NaN, "messages": []}', "NaN"),
    "Infinity": (b'{"model": "default", "max_tokens": -Infinity}', "-Infinity"),
    "huge integer": (b'{"max_tokens": ' + b"9" * 5000 + b"}", "not acceptable JSON"),
    "not JSON": (b"model=default", "not valid JSON"),
    "a list": (b"[1, 2]", "JSON list"),
}


@pytest.mark.parametrize("case", CHAT_CASES)
async def test_bad_chat_bodies_get_a_clear_400(jp_fetch, sim, case):
    body, words = CHAT_CASES[case]
    response = await jp_fetch(*CHAT, method="POST", body=body, raise_error=False)
    error = openai_error(response, 400, words)
    assert error["code"] == "invalid_json"
    assert not sim.requests  # nothing went upstream
    await still_answers(jp_fetch)


REVISIONS = {
    "NaN": b"NaN",
    "Infinity": b"Infinity",
    "overflowing to infinity": b"1e999",
    "a string": b'"7"',
    "a boolean": b"true",
}


@pytest.mark.parametrize("case", REVISIONS)
async def test_a_revision_that_is_not_a_finite_number_is_refused(jp_fetch, case):
    body = b'{"revision": ' + REVISIONS[case] + b', "path": "a.ipynb", "data": {}}'
    response = await jp_fetch(*CONVERSATION, method="PUT", body=body, raise_error=False)
    assert response.code == 400
    assert "revision" in json.loads(response.body)["message"] or case in ("NaN", "Infinity")
    missing = await jp_fetch(*CONVERSATION, raise_error=False)
    assert missing.code == 404  # nothing was stored
    good = b'{"revision": 1, "path": "a.ipynb", "data": {}}'
    assert (await jp_fetch(*CONVERSATION, method="PUT", body=good)).code == 204


CONVERSATION_BODIES = {
    "deeply nested": (
        b'{"revision": 1, "path": "a", "data": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "nested too deeply",
    ),
    "not UTF-8": (b'{"revision": 1, "path": "\xc3\x28", "data": {}}', "not UTF-8"),
    "a lone surrogate": (
        b'{"revision": 1, "path": "a", "data": {"t": "\\ud800"}}',
        "lone surrogate",
    ),
    "a float too large": (b'{"revision": 1, "path": "a", "data": {"x": 1e400}}', "Infinity"),
}


@pytest.mark.parametrize("case", CONVERSATION_BODIES)
async def test_bad_conversation_bodies_get_a_clear_400(jp_fetch, case):
    body, words = CONVERSATION_BODIES[case]
    response = await jp_fetch(*CONVERSATION, method="PUT", body=body, raise_error=False)
    assert response.code == 400
    assert words in json.loads(response.body)["message"]
    good = b'{"revision": 1, "path": "a.ipynb", "data": {"t": "ok"}}'
    assert (await jp_fetch(*CONVERSATION, method="PUT", body=good)).code == 204
    assert json.loads((await jp_fetch(*CONVERSATION)).body)["data"] == {"t": "ok"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_conversation_id_with_a_trailing_newline_is_refused(jp_fetch, jp_data_dir, method):
    body = b'{"revision": 1, "path": "a.ipynb", "data": {}}' if method == "PUT" else None
    parts = ("code-interpreter", "conversations", ID + "\n")
    response = await jp_fetch(*parts, method=method, body=body, raise_error=False)
    assert response.code == 400
    assert "UUID" in json.loads(response.body)["message"]
    folder = jp_data_dir / "code_interpreter" / "conversations"
    assert not folder.exists() or not any("\n" in p.name for p in folder.iterdir())


# jp_fetch escapes each part: "team\n" arrives as team%0A, which tornado decodes to "team\n".
@pytest.mark.parametrize("name", ["team\n", "team\r", "\nteam", "te\x00am", "-team", "a" * 65])
async def test_a_key_name_that_is_not_a_plain_name_is_refused(jp_fetch, gateway, name):
    for method, body in (("PUT", json.dumps({"key": KEY})), ("DELETE", None)):
        response = await jp_fetch(
            "code-interpreter", "keys", name, method=method, body=body, raise_error=False
        )
        openai_error(response, 400, "key name")
    assert gateway.keys.store.names() == []
    assert not gateway.keys.store.directory.exists() or not any(
        gateway.keys.store.directory.iterdir()
    )


@pytest.mark.parametrize(
    "key",
    [
        "sk-abc\x07def-123456",
        "sk-abc\ndef-123456",
        "sk-abc def-123456",
        "sk-\x00-1234567",
        "sk-é-1234567",
    ],
)
async def test_a_key_with_control_characters_or_spaces_is_refused(jp_fetch, gateway, key):
    response = await jp_fetch(
        "code-interpreter",
        "keys",
        "team",
        method="PUT",
        body=json.dumps({"key": key}),
        raise_error=False,
    )
    error = openai_error(response, 400, "printable ASCII")
    assert key not in error["message"] and "sk-abc" not in response.body.decode()
    assert gateway.keys.store.names() == []
    ok = await jp_fetch(
        "code-interpreter", "keys", "team", method="PUT", body=json.dumps({"key": KEY})
    )
    assert ok.code == 204 and gateway.keys.store.get("team") == KEY


@pytest.mark.parametrize(
    "body, status",
    [(b"\xff\xfe", 400), (b'{"key": NaN}', 400), (b"[" * 60_000, 400), (b" " * 70_000, 413)],
)
async def test_a_bad_key_body_is_refused(jp_fetch, gateway, body, status):
    response = await jp_fetch(
        "code-interpreter", "keys", "team", method="PUT", body=body, raise_error=False
    )
    openai_error(response, status, "could not be stored")
    assert gateway.keys.store.names() == []


# Bodies over the limit, sent by hand: a client that announces 1 GiB and sends a few bytes.


async def exchange(port: int, request: bytes, wait: float = 10) -> bytes:
    """Send `request` on a new connection and read until the server closes it (or `wait`)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


def request_head(path: str, auth: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: {auth}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_response(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


@pytest.mark.parametrize("route", ["chat", "conversation"])
async def test_a_body_announced_over_the_limit_is_refused_before_it_is_read(
    jp_fetch, jp_http_port, jp_base_url, jp_auth_header, route
):
    path = jp_base_url + (
        "code-interpreter/v1/chat/completions"
        if route == "chat"
        else f"code-interpreter/conversations/{ID}"
    )
    method = "POST" if route == "chat" else "PUT"
    head = request_head(path, jp_auth_header["Authorization"], f"Content-Length: {1024**3}")
    head = head.replace(b"POST", method.encode(), 1)
    raw = await exchange(jp_http_port, head + b'{"revision": 1, ')  # 1 GiB announced, 16 B sent
    status, body = parse_response(raw)
    assert status == 413
    if route == "chat":
        assert body["error"]["code"] == "request_too_large"
        assert "32 MiB" in body["error"]["message"]
        assert "max_request_bytes" in body["error"]["message"]
    else:
        assert "16 MiB" in body["message"] and "max_body_bytes" in body["message"]
    assert (await jp_fetch("code-interpreter", "status")).code == 200


@pytest.mark.parametrize("ended", [False, True])
async def test_a_chunked_body_past_the_limit_is_refused(
    jp_fetch, jp_http_port, jp_base_url, jp_auth_header, gateway, sim, ended
):
    gateway.config.max_request_bytes = 4096
    path = jp_base_url + "code-interpreter/v1/chat/completions"
    head = request_head(path, jp_auth_header["Authorization"], "Transfer-Encoding: chunked")
    piece = b"x" * 3000
    chunks = b"".join(b"%x\r\n" % len(piece) + piece + b"\r\n" for _ in range(2))
    raw = await exchange(jp_http_port, head + chunks + (b"0\r\n\r\n" if ended else b""))
    assert raw.count(b"HTTP/1.1 ") == 1  # one answer, even when the whole body came
    status, body = parse_response(raw)
    assert status == 413 and body["error"]["code"] == "request_too_large"
    assert "4096 bytes" in body["error"]["message"]
    assert not sim.requests
    await still_answers(jp_fetch)  # a body under the limit still passes


async def test_a_body_at_the_limit_passes(jp_fetch, gateway, sim):
    body = chat_body()
    gateway.config.max_request_bytes = len(body)
    await still_answers(jp_fetch)
    gateway.config.max_request_bytes = len(body) - 1
    response = await jp_fetch(*CHAT, method="POST", body=body, raise_error=False)
    openai_error(response, 413, "max_request_bytes")


ROUTING_HEADERS = {
    "X-Original-URL": "/admin",
    "X-Rewrite-URL": "/admin",
    "X-HTTP-Method-Override": "DELETE",
    "X-HTTP-Method": "DELETE",
    "X-Forwarded-For": "10.0.0.1",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "Forwarded": "for=10.0.0.1;host=evil.example",
    "X-Real-IP": "10.0.0.1",
    "X-Remote-User": "alice",
    "Via": "1.1 proxy",
}


async def test_routing_and_proxy_headers_do_not_reach_the_endpoint(jp_fetch, sim):
    headers = {**ROUTING_HEADERS, "X-Stainless-Lang": "js", "User-Agent": "OpenAI/JS 6.0"}
    response = await jp_fetch(
        *CHAT, method="POST", body=chat_body(), headers=headers, raise_error=False
    )
    assert response.code == 200
    seen = sim.requests[-1]["headers"]
    for name in ROUTING_HEADERS:
        assert name.lower() not in seen, name
    assert seen["host"] == f"127.0.0.1:{sim.port}"  # the endpoint's own, not the browser's
    assert seen["x-stainless-lang"] == "js" and seen["user-agent"] == "OpenAI/JS 6.0"
    assert "cookie" not in seen and seen["authorization"] == f"Bearer {KEY}"


# The same full-string rule where names are checked without a route.


@pytest.mark.parametrize("name", ["team\n", "team\r\n", "team\x00"])
def test_the_key_store_refuses_a_name_with_a_trailing_newline(tmp_path, name):
    from jupyterlab_code_interpreter.gateway.keys import KeyStore

    store = KeyStore(tmp_path / "keys")
    with pytest.raises(ValueError, match="key name"):
        store.put(name, KEY)
    assert store.get(name) is None
    (tmp_path / "keys").mkdir(exist_ok=True)
    (tmp_path / "keys" / "team\n").write_text(KEY)  # left by anything else: not listed
    assert store.names() == []


@pytest.mark.parametrize(
    "field, value",
    [("name", "ea\nst"), ("api_key_env", "OPENAI\n_API_KEY"), ("api_key_name", "te\nam")],
)
def test_an_endpoint_name_or_key_reference_with_a_newline_is_invalid(field, value):
    from jupyterlab_code_interpreter.gateway.pool import resolve_pool

    endpoint = {"name": "east", "kind": "openai", "base_url": "http://127.0.0.1:9/v1"}
    endpoint = {**endpoint, "model": "gpt-4o", field: value}
    pool = resolve_pool([endpoint], {}, None, None, {})
    assert pool.errors and not pool.endpoints
    # Surrounding whitespace is trimmed, so a trailing newline never reaches a name.
    trailing = resolve_pool([{**endpoint, field: "east_2\n"}], {}, None, None, {})
    assert not trailing.errors and getattr(trailing.endpoints[0], field) == "east_2"
