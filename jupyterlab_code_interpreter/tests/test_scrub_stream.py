"""The key never reaches the browser, through a real server and the real simulator: a key in a
later event, a key cut across two network reads (the simulator's `chunk_bytes`), a key a model
spells out over many deltas (content and tool-call arguments), in whole answers and in error
bodies; the rest of the text arrives intact, the stream stays valid SSE, and usage cut across
two reads is still counted."""

import json

import pytest

from jupyterlab_code_interpreter.gateway.scrub import REDACTED

KEY = "sk-scrub-TEST-9f8e7d6c5b4a3210"
CHAT = ("code-interpreter", "v1", "chat/completions")
BEFORE, AFTER = "Your configuration uses the key ", ", as printed by the cell above."
SAID = BEFORE + KEY + AFTER
SEEN = BEFORE + REDACTED + AFTER
ARGUMENTS = {"code": f"import os\nos.environ['OPENAI_API_KEY'] = '{KEY}'\nprint('set')"}


def scenario():
    """Rules the tests pick by the last user message; the key is always in the reply."""
    one_event = ["Here ", "is what ", "I found. ", SAID]  # the key whole, in the fourth delta
    return {
        "api_key": KEY,
        "rules": [
            {"match": {"last_user": "^later$"}, "reply": {"content": one_event}},
            {
                "match": {"last_user": "^split (\\d+)$"},
                "reply": {"content": one_event},
                "timing": {"chunk_bytes": 7},
            },
            {"match": {"last_user": "^spelled$"}, "reply": {"content": SAID}},
            {
                "match": {"last_user": "^tool$"},
                "reply": {"tool_calls": [{"name": "run_python", "arguments": ARGUMENTS}]},
            },
            {
                "match": {"last_user": "^error (\\d+)$"},
                "fault": {
                    "kind": "http",
                    "status": 400,
                    "body": {"error": {"message": f"Bad key {KEY} for this deployment."}},
                    "headers": {"x-request-id": f"req-{KEY}"},  # a header the browser gets
                },
            },
            {
                "match": {"last_user": "^error500$"},
                "fault": {"kind": "http", "status": 500, "message": f"upstream saw {KEY}"},
            },
        ],
        "default": "Nothing to say.",
    }


@pytest.fixture
async def sim(llm_simulator, monkeypatch):
    sim = await llm_simulator(scenario())
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
    return sim


async def ask(jp_fetch, content, stream):
    body = {"model": "default", "messages": [{"role": "user", "content": content}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    pieces = []
    response = await jp_fetch(
        *CHAT,
        method="POST",
        body=json.dumps(body),
        raise_error=False,
        **({"streaming_callback": pieces.append} if stream else {}),
    )
    return response, b"".join(pieces) if stream else response.body


def events(raw: bytes) -> list:
    """Every event's data, each parsed: any event the gateway broke would fail here."""
    assert raw.endswith(b"\n\n")
    out = []
    for block in raw.decode().split("\n\n")[:-1]:
        assert block.startswith("data: "), block
        data = block[len("data: ") :]
        out.append(data if data == "[DONE]" else json.loads(data))
    return out


def streamed_text(raw: bytes) -> str:
    return "".join(
        e["choices"][0]["delta"].get("content") or ""
        for e in events(raw)
        if isinstance(e, dict) and e["choices"]
    )


def no_key_anywhere(raw: bytes) -> None:
    assert KEY.encode() not in raw
    assert KEY[len("sk-") :].encode() not in raw  # not even without its well-known start


@pytest.mark.parametrize("stream", [True, False])
async def test_a_key_in_a_later_event_is_redacted(jp_fetch, sim, stream):
    response, raw = await ask(jp_fetch, "later", stream)
    assert response.code == 200
    no_key_anywhere(raw)
    if stream:
        assert streamed_text(raw) == "Here is what I found. " + SEEN
        assert events(raw)[-1] == "[DONE]"
    else:
        message = json.loads(raw)["choices"][0]["message"]
        assert message["content"] == "Here is what I found. " + SEEN


@pytest.mark.parametrize("run", range(3))
async def test_a_key_cut_across_network_reads_is_redacted(jp_fetch, sim, run):
    # 7-byte writes, each its own segment: the key (30 bytes) is cut in four or five places,
    # and every event, the usage one included, across at least one read boundary.
    response, raw = await ask(jp_fetch, f"split {run}", stream=True)
    assert response.code == 200
    no_key_anywhere(raw)
    assert streamed_text(raw) == "Here is what I found. " + SEEN
    assert events(raw)[-1] == "[DONE]"


async def test_a_key_spelled_over_many_deltas_is_redacted(jp_fetch, sim):
    response, raw = await ask(jp_fetch, "spelled", stream=True)
    assert response.code == 200
    no_key_anywhere(raw)
    assert streamed_text(raw) == SEEN
    # The simulator streams a token-sized piece per event: the key took many of them.
    direct = [e for e in events(raw) if isinstance(e, dict) and e["choices"]]
    assert len(direct) > 15


async def test_a_key_in_tool_call_arguments_is_redacted(jp_fetch, sim):
    response, raw = await ask(jp_fetch, "tool", stream=True)
    assert response.code == 200
    no_key_anywhere(raw)
    arguments = "".join(
        call["function"].get("arguments") or ""
        for e in events(raw)
        if isinstance(e, dict) and e["choices"]
        for call in e["choices"][0]["delta"].get("tool_calls") or []
    )
    assert json.loads(arguments) == {"code": ARGUMENTS["code"].replace(KEY, REDACTED)}


@pytest.mark.parametrize("stream", [True, False])
async def test_error_bodies_are_scrubbed(jp_fetch, sim, stream):
    response, raw = await ask(jp_fetch, "error 1", stream)
    assert response.code == 400
    no_key_anywhere(raw)
    assert json.loads(raw)["error"]["message"] == f"Bad key {REDACTED} for this deployment."
    assert response.headers["x-request-id"] == f"req-{REDACTED}"
    response, raw = await ask(jp_fetch, "error500", stream)
    assert response.code == 500
    no_key_anywhere(raw)
    assert REDACTED.encode() in raw


async def test_a_usage_event_cut_across_reads_is_counted(jp_fetch, sim, gateway):
    response, raw = await ask(jp_fetch, "split 9", stream=True)
    assert response.code == 200
    usage = next(e["usage"] for e in events(raw) if isinstance(e, dict) and e.get("usage"))
    status = json.loads((await jp_fetch("code-interpreter", "status")).body)
    counted = status["endpoints"][0]
    assert counted["tokens_prompt"] == usage["prompt_tokens"] > 0
    assert counted["tokens_completion"] == usage["completion_tokens"] > 0


async def test_a_stream_without_a_key_passes_event_for_event(jp_fetch, sim):
    # "Nothing to say." ends pieces with "s" (the key's first letter): they may wait one
    # event, but they leave exactly as the simulator sent them.
    response, raw = await ask(jp_fetch, "hello", stream=True)
    assert response.code == 200
    texts = [e["choices"][0]["delta"].get("content") for e in events(raw)[1:-3]]
    assert texts == ["Nothin", "g", " to", " say", "."]
