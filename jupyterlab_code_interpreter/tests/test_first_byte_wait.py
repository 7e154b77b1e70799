"""A model on a CPU takes 20-30 s before its first token: the first-byte timeout is per endpoint
(administrator's and user's), and a streamed answer that waits longer than a heartbeat interval
starts its event stream with SSE comments so that nothing in between gives up."""

import json
import time

import pytest

from .test_gateway import KEY, chat, post, sse_payloads

ANSWER = "A slow local model answers."


@pytest.fixture
async def sim(llm_simulator, monkeypatch, gateway):
    monkeypatch.setenv("LOCAL_KEY", KEY)
    gateway.keys.store.put("local", KEY)
    scenario = {
        "api_key": KEY,
        "rules": [
            {"match": {"model": "slow"}, "reply": ANSWER, "timing": {"ttft_ms": 1500}},
            {"match": {"model": "broken"}, "fault": {"kind": "http", "status": 400}},
        ],
        "default": {"content": ANSWER},
    }
    return await llm_simulator(scenario)


def local(sim, **extra):
    return {
        "name": "local",
        "kind": "openai",
        "base_url": f"http://127.0.0.1:{sim.port}/v1",
        "model": "slow",
        "api_key_env": "LOCAL_KEY",
        **extra,
    }


async def test_the_endpoints_own_first_byte_timeout_wins(jp_fetch, gateway, sim):
    gateway.config.first_byte_timeout = 0.3  # too short for this model...
    gateway.config.heartbeat_interval = 0
    gateway.config.endpoints = [local(sim, first_byte_timeout=5)]  # ...but not for its endpoint
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 200, response.body
    gateway.config.endpoints = [local(sim, first_byte_timeout=0.3)]
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 504
    assert "first byte" in json.loads(response.body)["error"]["message"]


async def test_a_user_settings_endpoint_has_its_own_first_byte_timeout(
    jp_fetch, gateway, sim, user_settings_file
):
    gateway.config.first_byte_timeout = 0.3
    gateway.config.heartbeat_interval = 0
    endpoint = {
        "baseUrl": f"http://127.0.0.1:{sim.port}/v1",
        "model": "slow",
        "apiKeyName": "local",
    }
    user_settings_file.write_text(json.dumps({"endpoint": {**endpoint, "firstByteTimeout": 5}}))
    response = await post(jp_fetch, chat("hi"))
    assert response.code == 200, response.body
    assert json.loads(response.body)["choices"][0]["message"]["content"] == ANSWER


async def test_a_late_first_byte_is_preceded_by_heartbeats(jp_fetch, gateway, sim):
    gateway.config.heartbeat_interval = 0.4
    gateway.config.endpoints = [local(sim, first_byte_timeout=5)]
    started = time.monotonic()
    response = await post(jp_fetch, chat("hi", stream=True))
    assert time.monotonic() - started >= 1.5
    assert response.code == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    raw = response.body.decode()
    before_answer = raw.split("data: ", 1)[0]
    # 1.5 s of waiting at 0.4 s intervals: three comments at least, and only comments.
    assert before_answer.count(": keep-alive\n\n") >= 3
    assert before_answer.replace(": keep-alive\n\n", "") == ""
    events = sse_payloads(response.body)
    text = "".join(
        e["choices"][0]["delta"].get("content") or ""
        for e in events
        if isinstance(e, dict) and e.get("choices")
    )
    assert text == ANSWER and events[-1] == "[DONE]"


async def test_a_failure_after_heartbeats_is_an_error_event(jp_fetch, gateway, sim):
    gateway.config.heartbeat_interval = 0.2
    gateway.config.endpoints = [local(sim, first_byte_timeout=0.7)]
    response = await post(jp_fetch, chat("hi", stream=True))
    assert response.code == 200  # the stream had started
    raw = response.body.decode()
    assert raw.startswith(": keep-alive\n\n")
    (event,) = sse_payloads(response.body)
    assert event["error"]["code"] == "upstream_timeout"
    assert "first byte" in event["error"]["message"]


async def test_a_fast_answer_and_a_fast_error_keep_their_http_form(jp_fetch, gateway, sim):
    gateway.config.heartbeat_interval = 0.4
    gateway.config.endpoints = [
        local(sim, model="fast"),
        local(sim, name="b", model="broken", models=["broken"]),
    ]
    response = await post(jp_fetch, chat("hi", stream=True))
    assert response.code == 200 and b"keep-alive" not in response.body
    response = await post(jp_fetch, chat("hi", stream=True, model="broken"))
    assert response.code == 400
