"""The gateway against the real LLM simulator: both endpoint kinds, streaming, upstream
failures, cancellation, and precedence of the endpoint's sources."""

import asyncio
import json
import logging

import httpx
import pytest

KEY = "sk-test-SECRET-1234567890"
CHAT = ("code-interpreter", "v1", "chat/completions")
ANSWER = "Hello from the simulator, this answer streams in several chunks."

SCENARIO = {
    "api_key": KEY,
    "deployments": {"gpt-4o": {"model": "gpt-4o"}},
    "rules": [
        {"match": {"last_user": "rate"}, "fault": {"kind": "rate_limit", "retry_after": 7}},
        {"match": {"last_user": "hang"}, "fault": {"kind": "hang"}},
        {"match": {"last_user": "http500"}, "fault": {"kind": "http", "status": 500}},
        {
            "match": {"last_user": "reset"},
            "reply": {"content": ANSWER},
            "fault": {"kind": "reset_after_first_byte", "after_chunks": 3, "times": 100},
        },
        {
            "match": {"last_user": "malformed"},
            "reply": {"content": ANSWER},
            "fault": {"kind": "malformed_chunk", "after_chunks": 2, "times": 100},
        },
        {
            "match": {"last_user": "slow"},
            "reply": {"content": ANSWER * 20},
            "timing": {"ttft_ms": 0, "tokens_per_second": 20},
        },
        {
            "match": {"last_user": "paced"},
            "reply": {"content": ANSWER},
            "timing": {"ttft_ms": 0, "tokens_per_second": 100},
        },
    ],
    "default": {"content": ANSWER},
    "timing": {"ttft_ms": 0, "tokens_per_second": 0},
}


def chat(content, stream=False, model="default"):
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


async def post(jp_fetch, body, **kwargs):
    return await jp_fetch(*CHAT, method="POST", body=json.dumps(body), raise_error=False, **kwargs)


def sse_payloads(raw: bytes) -> list:
    """The events' data, with the fields that differ per request (id, created) removed."""
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.startswith("data: "):
            continue
        data = block[len("data: ") :]
        if data == "[DONE]":
            events.append(data)
            continue
        event = json.loads(data)
        event.pop("id", None)
        event.pop("created", None)
        event.pop("system_fingerprint", None)
        events.append(event)
    return events


@pytest.fixture
async def openai_sim(llm_simulator, monkeypatch):
    sim = await llm_simulator(SCENARIO)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
    return sim


@pytest.fixture
async def azure_sim(llm_simulator, monkeypatch):
    sim = await llm_simulator(SCENARIO)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"http://127.0.0.1:{sim.port}")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    return sim


async def test_openai_kind_rewrites_model_and_sends_bearer(jp_fetch, openai_sim):
    response = await post(
        jp_fetch, chat("hi"), headers={"Cookie": "session=abc", "X-Stainless-Lang": "js"}
    )
    assert response.code == 200
    assert json.loads(response.body)["choices"][0]["message"]["content"] == ANSWER
    seen = openai_sim.requests[-1]
    assert seen["api"] == "openai"
    assert seen["path"] == "/v1/chat/completions"
    assert seen["headers"]["authorization"] == f"Bearer {KEY}"
    assert seen["body"]["model"] == "gpt-4o"
    assert seen["body"]["messages"] == chat("hi")["messages"]
    assert "cookie" not in seen["headers"]
    assert seen["headers"]["x-stainless-lang"] == "js"


async def test_azure_kind_puts_deployment_in_path_and_sends_api_key(jp_fetch, azure_sim):
    response = await post(jp_fetch, chat("hi", model="gpt-4o"))
    assert response.code == 200
    seen = azure_sim.requests[-1]
    assert seen["api"] == "azure"
    assert seen["path"] == "/openai/deployments/gpt-4o/chat/completions"
    assert seen["deployment"] == "gpt-4o"
    assert seen["query"]["api-version"] == "2024-10-21"
    assert seen["headers"]["api-key"] == KEY
    assert "authorization" not in seen["headers"]


@pytest.mark.parametrize("kind", ["openai", "azure"])
async def test_stream_is_passed_through_event_for_event(jp_fetch, llm_simulator, monkeypatch, kind):
    sim = await llm_simulator(SCENARIO)
    base = f"http://127.0.0.1:{sim.port}"
    if kind == "azure":
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", base)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
        monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
        direct_url = f"{base}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
        direct_headers = {"api-key": KEY}
    else:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{base}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
        direct_url = f"{base}/v1/chat/completions"
        direct_headers = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient() as client:
        direct = await client.post(
            direct_url, json={**chat("hi", stream=True), "model": "gpt-4o"}, headers=direct_headers
        )
    through = await post(jp_fetch, chat("hi", stream=True))
    assert through.code == 200
    assert through.headers["Content-Type"] == "text/event-stream"
    assert through.headers["Cache-Control"] == "no-cache"
    assert through.headers["X-Accel-Buffering"] == "no"
    events = sse_payloads(through.body)
    assert events == sse_payloads(direct.content)
    assert events[-1] == "[DONE]"
    assert any(isinstance(e, dict) and e.get("usage") for e in events)


async def test_stream_arrives_chunk_by_chunk(jp_fetch, openai_sim):
    pieces = []
    response = await post(jp_fetch, chat("paced", stream=True), streaming_callback=pieces.append)
    assert response.code == 200
    assert len(pieces) > 5  # forwarded as the simulator paces them, not as one buffer


async def test_upstream_auth_failure_names_the_variable_not_the_key(
    jp_fetch, openai_sim, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-WRONG-0987654321")
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 401
    assert response.headers["x-should-retry"] == "false"
    error = json.loads(response.body)["error"]
    assert error["code"] == "upstream_auth_failed"
    assert "OPENAI_API_KEY" in error["message"] and "127.0.0.1" in error["message"]
    assert b"WRONG" not in response.body and b"sk-" not in response.body


async def test_unreachable_endpoint_is_502_naming_the_host(jp_fetch, monkeypatch):
    with socket_closed_port() as port:
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
        response = await post(jp_fetch, chat("hi"))
    assert response.code == 502
    error = json.loads(response.body)["error"]
    assert error["code"] == "upstream_unreachable"
    assert "127.0.0.1" in error["message"]


async def test_hanging_endpoint_times_out_with_504(jp_fetch, gateway, openai_sim):
    gateway.config.first_byte_timeout = 0.3
    for stream in (False, True):
        response = await post(jp_fetch, chat("hang", stream=stream))
        assert response.code == 504
        assert json.loads(response.body)["error"]["code"] == "upstream_timeout"


async def test_rate_limit_is_passed_through_with_retry_headers(jp_fetch, openai_sim):
    for stream in (False, True):
        response = await post(jp_fetch, chat("rate", stream=stream))
        assert response.code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.headers["retry-after-ms"] == "7000"
        assert "x-should-retry" not in response.headers
        assert "error" in json.loads(response.body)


async def test_upstream_server_error_is_passed_through(jp_fetch, openai_sim):
    response = await post(jp_fetch, chat("http500"))
    assert response.code == 500
    assert "error" in json.loads(response.body)


async def test_reset_mid_stream_ends_with_an_sse_error_event(jp_fetch, openai_sim):
    response = await post(jp_fetch, chat("reset", stream=True))
    assert response.code == 200
    events = sse_payloads(response.body)
    assert len(events) >= 2
    assert "choices" in events[0]
    assert events[-1]["error"]["code"] == "upstream_stream_interrupted"
    assert len(openai_sim.requests) == 1  # never replayed


async def test_malformed_chunk_is_passed_on_as_it_is(jp_fetch, openai_sim):
    response = await post(jp_fetch, chat("malformed", stream=True))
    assert response.code == 200
    assert b"data: {not json\n\n" in response.body


async def test_client_disconnect_cancels_the_upstream_request(
    jp_fetch, jp_http_port, jp_base_url, jp_serverapp, gateway, openai_sim
):
    token = jp_serverapp.identity_provider.token
    body = json.dumps(chat("slow, please", stream=True)).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    writer.write(
        f"POST {jp_base_url}code-interpreter/v1/chat/completions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{jp_http_port}\r\nAuthorization: token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    await reader.read(200)  # a few tokens have streamed
    assert gateway.stats.in_flight == 1
    writer.close()
    await wait_until(lambda: gateway.stats.in_flight == 0)
    assert gateway.stats.cancelled_by_client == 1
    # The simulator saw its client (the gateway) go away: its paced reply ended early.
    await wait_until(lambda: openai_sim.requests[-1]["status"] is not None)


async def test_user_setting_endpoint_beats_environment(
    jp_fetch, llm_simulator, user_settings_file, monkeypatch
):
    sim = await llm_simulator(SCENARIO)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # would fail: port 9
    # A setting's endpoint reads a key the user stored, never a server variable
    # (test_custody_settings.py).
    stored = await jp_fetch(
        "code-interpreter", "keys", "sim", method="PUT", body=json.dumps({"key": KEY})
    )
    assert stored.code == 204
    user_settings_file.write_text(
        "// JupyterLab writes JSON5\n{\n  endpoint: {kind: 'azure', baseUrl: "
        f"'http://127.0.0.1:{sim.port}', deployment: 'gpt-4o', apiKeyName: 'sim'}},\n}}\n"
    )
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    assert status["source"] == "user_settings" and status["kind"] == "azure"
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 200
    assert sim.requests[-1]["headers"]["api-key"] == KEY

    # Edited in JupyterLab: the change applies to the next request.
    user_settings_file.write_text('{"endpoint": {}, "temperature": 0.5}')
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    assert status["source"] == "environment" and status["kind"] == "openai"


async def test_server_config_beats_user_setting(jp_fetch, gateway, user_settings_file, monkeypatch):
    user_settings_file.write_text('{"endpoint": {"baseUrl": "http://user.example/v1"}}')
    gateway.config.endpoint = {"kind": "openai", "base_url": "http://admin.example/v1"}
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    assert (status["source"], status["host"]) == ("server_config", "admin.example")


async def test_no_key_in_any_response_or_log(jp_fetch, gateway, openai_sim, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    gateway.config.first_byte_timeout = 0.3
    responses = [
        await jp_fetch("code-interpreter", "status"),
        await jp_fetch("code-interpreter", "v1", "models"),
    ]
    for content in ("hi", "rate", "hang", "http500", "reset"):
        for stream in (False, True):
            responses.append(await post(jp_fetch, chat(content, stream=stream)))
    responses.append(await post(jp_fetch, chat("hi", model="nope")))
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "-revoked")  # rejected by the simulator
    responses.append(await post(jp_fetch, chat("hi")))
    responses.append(await jp_fetch("code-interpreter", "status"))
    for response in responses:
        assert KEY.encode() not in response.body
        assert b"SECRET" not in response.body
        assert all("SECRET" not in value for _, value in response.headers.get_all())
    assert "SECRET" not in caplog.text


class socket_closed_port:
    """A port nothing listens on (bound, then closed)."""

    def __enter__(self):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc):
        return False


async def wait_until(condition, seconds=5.0):
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
