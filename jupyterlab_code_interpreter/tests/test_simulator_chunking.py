"""The simulator's wire control, over real HTTP: content given as a list streams one delta per
item, and `timing.chunk_bytes` puts an answer on the wire in writes of that many bytes, so
events (and UTF-8 characters) arrive cut across reads."""

import asyncio
import json

import pytest

from jupyterlab_code_interpreter.simulator import ScenarioError, load_scenario

from .test_simulator_openai import ask, post, sse_events

PIECES = ["The key is sk-te", "st-12", "34 and ", "that is all ✓."]


def deltas(events: list) -> list[str]:
    return [
        e["choices"][0]["delta"]["content"]
        for e in events
        if isinstance(e, dict) and e["choices"] and "content" in e["choices"][0]["delta"]
    ]


async def test_content_as_a_list_is_one_delta_per_item(llm_simulator):
    sim = await llm_simulator({"default": {"content": PIECES}})
    streamed = await post(sim, ask(stream=True))
    assert deltas(sse_events(streamed)) == ["", *PIECES]
    whole = await post(sim, ask())
    assert whole.json()["choices"][0]["message"]["content"] == "".join(PIECES)


async def read_pieces(port: int, body: bytes) -> list[bytes]:
    """The response as the socket delivers it, read by read (headers included)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sim-key\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    writer.write(head + body)
    pieces = []
    while piece := await asyncio.wait_for(reader.read(65536), 10):
        pieces.append(piece)
    writer.close()
    return pieces


@pytest.mark.parametrize("stream", [True, False])
async def test_chunk_bytes_cuts_the_answer_into_small_writes(llm_simulator, stream):
    sim = await llm_simulator({"default": {"content": PIECES}, "timing": {"chunk_bytes": 9}})
    pieces = await read_pieces(sim.port, json.dumps(ask(stream=stream)).encode())
    body = b"".join(pieces).split(b"\r\n\r\n", 1)[1]
    # Many reads, most of them one 9-byte write each, in its HTTP chunk "9\r\n…\r\n" (a
    # loaded machine may join a few).
    assert len(pieces) > len(body) // 14 // 2
    assert sum(len(p) == 14 and p.startswith(b"9\r\n") for p in pieces) > len(pieces) // 2
    # Cut anywhere, put back together it is the same answer, "✓" (3 bytes) included.
    response = await post(sim, ask(stream=stream))
    if stream:
        assert "".join(deltas(sse_events(response))) == "".join(PIECES)
    else:
        assert response.json()["choices"][0]["message"]["content"] == "".join(PIECES)


@pytest.mark.parametrize(
    "timing, field",
    [({"chunk_bytes": -1}, "timing.chunk_bytes"), ({"chunk_bytes": "9"}, "timing.chunk_bytes")],
)
def test_chunk_bytes_must_be_a_whole_number(timing, field):
    with pytest.raises(ScenarioError, match=field):
        load_scenario({"timing": timing, "default": "x"})


def test_content_list_items_must_be_strings():
    with pytest.raises(ScenarioError, match=r"default.content\[1\]"):
        load_scenario({"default": {"content": ["a", 3]}})
