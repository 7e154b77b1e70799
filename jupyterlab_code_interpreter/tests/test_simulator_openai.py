"""The OpenAI API over real HTTP: whole responses, streams, tool calls, auth, models."""

import json

import httpx

OPENAI_AUTH = {"Authorization": "Bearer sim-key"}
MARKDOWN = "# Result\n\nThe answer is **42**, computed with `numpy`.\n\n- one\n- two\n"
CODE = {"code": "import numpy as np\nprint(np.arange(10).sum())"}
SCENARIO = {
    "models": ["gpt-4o"],
    "rules": [
        {
            "match": {"last_user": "run"},
            "reply": {"tool_calls": [{"name": "run_python", "arguments": CODE}]},
        },
    ],
    "default": {"content": MARKDOWN},
}


def ask(text="hello", **extra):
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}], **extra}


def sse_events(response: httpx.Response) -> list:
    """The ``data:`` payloads of a server-sent-events body, JSON-decoded except ``[DONE]``."""
    events = []
    for block in response.text.split("\n\n"):
        if block.startswith("data: "):
            payload = block[len("data: ") :]
            events.append(payload if payload == "[DONE]" else json.loads(payload))
    return events


async def post(sim, body, headers=OPENAI_AUTH, path="/v1/chat/completions"):
    async with httpx.AsyncClient() as client:
        return await client.post(sim.base_url + path, json=body, headers=headers)


async def test_non_streaming_completion(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, ask())
    assert response.status_code == 200
    assert response.headers["x-request-id"]
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": MARKDOWN, "refusal": None}
    assert choice["finish_reason"] == "stop" and choice["logprobs"] is None
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


async def test_stream_reassembles_to_the_scripted_text(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, ask(stream=True))
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    pieces = [c["choices"][0]["delta"].get("content") or "" for c in chunks]
    assert "".join(pieces) == MARKDOWN
    assert len([p for p in pieces if p]) > 10
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    assert all("usage" not in c for c in chunks)


async def test_stream_tool_call_arguments_arrive_in_pieces(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    events = sse_events(await post(sim, ask("run it", stream=True)))
    deltas = [e["choices"][0]["delta"] for e in events[:-1] if e["choices"]]
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    opening = calls[0]
    assert opening["id"].startswith("call_") and opening["type"] == "function"
    assert opening["function"] == {"name": "run_python", "arguments": ""}
    argument_pieces = [c["function"]["arguments"] for c in calls[1:]]
    assert len(argument_pieces) > 1
    assert json.loads("".join(argument_pieces)) == CODE
    assert events[-2]["choices"][0]["finish_reason"] == "tool_calls"


async def test_usage_chunk_only_when_asked(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    events = sse_events(await post(sim, ask(stream=True, stream_options={"include_usage": True})))
    assert events[-1] == "[DONE]"
    usage_chunk = events[-2]
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["completion_tokens"] > 0
    assert all("usage" not in e for e in events[:-2])


async def test_wrong_and_missing_keys_are_401_with_a_masked_key(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    secret = "sk-proj-abcdefghijklmnop1234"
    wrong = await post(sim, ask(), headers={"Authorization": f"Bearer {secret}"})
    assert wrong.status_code == 401
    error = wrong.json()["error"]
    assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"
    assert secret not in error["message"] and "1234" in error["message"]
    missing = await post(sim, ask(), headers={})
    assert missing.status_code == 401
    assert "didn't provide an API key" in missing.json()["error"]["message"]


async def test_unknown_model_and_models_list(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    unknown = await post(sim, {**ask(), "model": "gpt-9"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "model_not_found"
    async with httpx.AsyncClient() as client:
        models = await client.get(f"{sim.base_url}/v1/models", headers=OPENAI_AUTH)
    assert [m["id"] for m in models.json()["data"]] == ["gpt-4o"]


async def test_scenario_api_key_list(llm_simulator):
    sim = await llm_simulator({"api_key": ["one", "two"], "default": "hi"})
    assert (await post(sim, ask(), headers={"Authorization": "Bearer two"})).status_code == 200
    assert (await post(sim, ask())).status_code == 401


async def test_no_matching_rule_is_a_clear_400(llm_simulator):
    sim = await llm_simulator({"rules": [{"match": {"last_user": "plot"}, "reply": "p"}]})
    response = await post(sim, ask("draw a cat"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "simulator_no_match" and "draw a cat" in error["message"]


async def test_rule_times_then_falls_through(llm_simulator):
    scenario = {
        "rules": [
            {"match": {"turn": 0}, "times": 1, "reply": "first"},
            {"match": {"has_tools": True}, "reply": "tools"},
        ],
        "default": "later",
    }
    sim = await llm_simulator(scenario)
    texts = []
    for body in (ask(), ask(), ask(tools=[{"type": "function", "function": {"name": "f"}}])):
        texts.append((await post(sim, body)).json()["choices"][0]["message"]["content"])
    assert texts == ["first", "later", "tools"]
