"""The scrubbers on their own: every place a key can be cut (across reads, across deltas, in
two and three pieces), text that only looks like a key's start, escapes, and events that must
leave exactly as they came."""

import json

import pytest

from jupyterlab_code_interpreter.gateway.scrub import REDACTED, ByteStream, Scrubber, scrubber_for
from jupyterlab_code_interpreter.gateway.sse import MAX_EVENT_BYTES, SseScrubber

KEY = "sk-unit-0123456789abcdef"
OTHER = "3f2a9c8b7d6e5f40"  # a second key (an Azure-style hex key)
SCRUB = scrubber_for(KEY, OTHER)


def chunk(content=None, finish=None, calls=None, index=0) -> bytes:
    delta = {} if content is None else {"content": content}
    if calls is not None:
        delta["tool_calls"] = calls
    event = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def wire(pieces, tail=True) -> bytes:
    body = chunk("") + b"".join(chunk(p) for p in pieces)
    return body + (chunk(None, "stop") + b"data: [DONE]\n\n" if tail else b"")


def run(data_pieces) -> bytes:
    scrubber = SseScrubber(SCRUB)
    return b"".join(scrubber.feed(p) for p in data_pieces) + scrubber.close()


def parsed(raw: bytes) -> list:
    assert raw.endswith(b"\n\n")
    out = []
    for block in raw.split(b"\n\n")[:-1]:
        assert block.startswith(b"data: "), block
        data = block[len(b"data: ") :]
        out.append("[DONE]" if data == b"[DONE]" else json.loads(data))
    return out


def text_of(raw: bytes) -> str:
    return "".join(
        e["choices"][0]["delta"].get("content") or ""
        for e in parsed(raw)
        if isinstance(e, dict) and e["choices"]
    )


def assert_clean(raw: bytes) -> None:
    for key in (KEY, OTHER):
        assert key.encode() not in raw


# Whole bodies and text.


def test_short_or_missing_keys_are_not_looked_for():
    assert not scrubber_for(None, "", "short").active
    assert scrubber_for("short", KEY).keys == (KEY,)


def test_a_body_loses_every_key_raw_and_json_escaped():
    body = json.dumps({"error": {"message": f"{KEY} / {OTHER} / {KEY}"}}).encode()
    assert SCRUB.body(body) == body.replace(KEY.encode(), b"[redacted]").replace(
        OTHER.encode(), b"[redacted]"
    )
    escaped = b'{"message": "the key is \\u0073k-unit-0123456789abcdef, \\"quoted\\""}'
    scrubbed = SCRUB.body(escaped)
    assert json.loads(scrubbed) == {"message": f'the key is {REDACTED}, "quoted"'}
    assert SCRUB.body(b'{"not": "json"') == b'{"not": "json"'  # left as it is, no key in it


def test_a_key_with_a_quote_is_found_as_json_writes_it():
    scrubber = scrubber_for('ab"cdefgh\\ij')
    body = json.dumps({"m": 'x ab"cdefgh\\ij y'}).encode()
    assert json.loads(scrubber.body(body)) == {"m": f"x {REDACTED} y"}


def test_held_counts_only_a_proper_start_of_a_key():
    assert SCRUB.held_text("the key is sk-un") == len("sk-un")
    assert SCRUB.held_text("plural words") == len("s")
    assert SCRUB.held_text("no match here.") == 0
    assert SCRUB.held_text("ends with " + KEY) == 0  # a whole key is replaced, not held
    assert SCRUB.held_text("hex 3f2a9") == len("3f2a9")


# A byte stream (a body that is not SSE).


@pytest.mark.parametrize("cut", range(1, len(KEY)))
def test_a_byte_stream_cut_inside_a_key(cut):
    data = f"prefix {KEY} suffix".encode()
    at = len("prefix ") + cut
    stream = ByteStream(SCRUB)
    out = stream.feed(data[:at]) + stream.feed(data[at:]) + stream.close()
    assert out == f"prefix {REDACTED} suffix".encode()


def test_a_byte_stream_holds_back_only_a_possible_start():
    stream = ByteStream(SCRUB)
    assert stream.feed(b"no key, just text") == b"no key, just text"
    assert stream.feed(b"ends in sk-u") == b"ends in "
    assert stream.feed(b"nknown") == b"sk-unknown"
    assert stream.close() == b""


# Server-sent events.

SAID = ["The key is ", KEY, " as you asked."]
SAID_TEXT = "".join(SAID)
SEEN_TEXT = SAID_TEXT.replace(KEY, REDACTED)


@pytest.mark.parametrize("at", range(1, len(wire(SAID))))
def test_every_read_boundary_in_a_stream(at):
    data = wire(SAID)
    out = run([data[:at], data[at:]])
    assert_clean(out)
    assert text_of(out) == SEEN_TEXT
    assert parsed(out)[-1] == "[DONE]"


def test_a_stream_read_byte_by_byte():
    data = wire(SAID)
    out = run([data[i : i + 1] for i in range(len(data))])
    assert_clean(out)
    assert text_of(out) == SEEN_TEXT


@pytest.mark.parametrize("cut", range(1, len(KEY)))
def test_a_key_spelled_over_two_deltas_at_every_cut(cut):
    pieces = ["The key is ", KEY[:cut], KEY[cut:], " as you asked."]
    out = run([wire(pieces)])
    assert_clean(out)
    assert text_of(out) == SEEN_TEXT
    assert KEY[:cut].encode() not in out or KEY[:cut] in "The key is  as you asked."


@pytest.mark.parametrize("first", [1, 3, 8, 15])
@pytest.mark.parametrize("second", [2, 5, 9])
def test_a_key_spelled_over_three_deltas_and_read_in_pieces(first, second):
    cut2 = min(first + second, len(KEY) - 1)
    pieces = ["The key is ", KEY[:first], KEY[first:cut2], KEY[cut2:], " as you asked."]
    data = wire(pieces)
    out = run([data[i : i + 37] for i in range(0, len(data), 37)])
    assert_clean(out)
    assert text_of(out) == SEEN_TEXT


def test_a_key_spelled_one_character_a_delta():
    out = run([wire(["The key is ", *KEY, " as you asked."])])
    assert_clean(out)
    assert text_of(out) == SEEN_TEXT


def test_a_key_in_tool_call_arguments_over_deltas():
    arguments = json.dumps({"code": f"key = '{KEY}'"})
    calls = [
        [{"index": 0, "function": {"arguments": arguments[i : i + 4]}}]
        for i in range(0, len(arguments), 4)
    ]
    data = chunk("") + b"".join(chunk(calls=c) for c in calls) + chunk(None, "tool_calls")
    out = run([data + b"data: [DONE]\n\n"])
    assert_clean(out)
    joined = "".join(
        call["function"]["arguments"]
        for e in parsed(out)
        if isinstance(e, dict)
        for call in e["choices"][0]["delta"].get("tool_calls") or []
    )
    assert json.loads(joined) == {"code": f"key = '{REDACTED}'"}


def test_a_key_in_one_later_event_and_json_escaped():
    escaped = (
        b'data: {"choices":[{"index":0,"delta":{"content":"\\u0073k-unit-0123456789abcdef"}}]}\n\n'
    )
    out = run(
        [wire(["a", "b", "c"], tail=False), chunk(f"here: {KEY}."), escaped, chunk(None, "stop")]
    )
    assert_clean(out)
    assert text_of(out) == f"abchere: {REDACTED}.{REDACTED}"


def test_text_that_only_looks_like_a_key_leaves_event_for_event():
    pieces = ["Thi", "s is", " sk", "-un", "known", " and 3f", "2a", " words"]
    data = wire(pieces)
    scrubber = SseScrubber(SCRUB)
    assert scrubber.feed(data) + scrubber.close() == data


def test_an_event_waits_only_while_its_end_could_be_a_key():
    scrubber = SseScrubber(SCRUB)
    assert scrubber.feed(chunk("plain text.")) == chunk("plain text.")
    assert scrubber.feed(chunk("the key is sk-un")) == b""  # waits
    assert scrubber.feed(chunk("it")) == b""  # "sk-unit" still could be
    released = scrubber.feed(chunk("ed."))  # "sk-united.": not the key
    assert released == chunk("the key is sk-un") + chunk("it") + chunk("ed.")


def test_the_end_of_the_stream_releases_what_waits():
    scrubber = SseScrubber(SCRUB)
    assert scrubber.feed(chunk("trailing sk-u")) == b""
    assert scrubber.feed(b"data: [DONE]\n\n") == chunk("trailing sk-u") + b"data: [DONE]\n\n"
    scrubber = SseScrubber(SCRUB)
    assert scrubber.feed(chunk("trailing sk-u")) == b""
    assert scrubber.close() == chunk("trailing sk-u")


def test_a_broken_stream_drops_only_the_half_event():
    scrubber = SseScrubber(SCRUB)
    half = chunk("cut off")[:20]
    assert scrubber.feed(chunk("whole") + half) == chunk("whole")
    assert scrubber.close(complete=False) == b""


def test_a_last_event_without_its_blank_line_is_completed():
    scrubber = SseScrubber(SCRUB)
    assert scrubber.feed(b"data: [DONE]") == b""
    assert scrubber.close() == b"data: [DONE]\n\n"


def test_comments_and_crlf_events():
    data = b": keep-alive\r\n\r\n" + chunk(f"a {KEY} b").replace(b"\n", b"\r\n")
    out = run([data])
    assert out.startswith(b": keep-alive\n\n")
    assert_clean(out)
    assert text_of(out.split(b"\n\n", 1)[1]) == f"a {REDACTED} b"


def test_what_is_not_sse_is_scrubbed_as_bytes():
    body = b"x" * (MAX_EVENT_BYTES + 10) + KEY.encode()
    at = len(body) - 5
    out = run([body[:at], body[at:]])
    assert out == b"x" * (MAX_EVENT_BYTES + 10) + REDACTED.encode()


def test_two_choices_are_followed_apart():
    pieces = [chunk("key ", index=0), chunk(KEY[:6], index=1), chunk(KEY[:6], index=0)]
    pieces += [chunk(KEY[6:], index=0), chunk("zzz", index=1)]
    out = run([b"".join(pieces) + b"data: [DONE]\n\n"])
    assert_clean(out)
    by_choice = {0: "", 1: ""}
    for event in parsed(out)[:-1]:
        choice = event["choices"][0]
        by_choice[choice["index"]] += choice["delta"].get("content", "")
    assert by_choice == {0: f"key {REDACTED}", 1: KEY[:6] + "zzz"}


def test_a_scrubber_without_keys_passes_everything():
    scrubber = SseScrubber(Scrubber(()))
    data = wire(SAID)
    assert scrubber.feed(data) + scrubber.close() == data


def test_a_crlf_stream_at_every_read_boundary():
    data = wire(SAID).replace(b"\n", b"\r\n")
    for at in range(1, len(data)):
        out = run([data[:at], data[at:]])
        assert_clean(out)
        assert text_of(out) == SEEN_TEXT


def test_an_event_in_many_small_reads_is_kept_whole():
    data = chunk(f"one event holding {KEY} whole") + b"data: [DONE]\n\n"
    scrubber = SseScrubber(SCRUB)
    outs = [scrubber.feed(data[i : i + 3]) for i in range(0, len(data), 3)]
    # Nothing leaves until the event is whole, and then it leaves whole.
    assert all(out.startswith(b"data: ") and out.endswith(b"\n\n") for out in outs if out)
    out = b"".join(outs) + scrubber.close()
    assert_clean(out)
    assert text_of(out) == f"one event holding {REDACTED} whole"


# Usage is read from whole lines of the stream the relay forwards.

USAGE = {"prompt_tokens": 123, "completion_tokens": 45, "total_tokens": 168}


async def relay_stream(pieces: list[bytes]):
    from jupyterlab_code_interpreter.gateway.deployment import Deployment
    from jupyterlab_code_interpreter.gateway.relay import Relay

    queue = list(pieces[1:]) + [b""]

    async def next_piece(_silence: float = 0.0) -> bytes:
        return queue.pop(0)

    deployment = Deployment("east")
    relay = Relay(200, {}, deployment=deployment, first=pieces[0], next_piece=next_piece)
    relay.scrubber = SCRUB
    out = b"".join([piece async for piece in relay.stream()])
    return out, deployment.usage


async def test_a_usage_event_is_counted_at_every_read_boundary():
    usage_event = b"data: " + json.dumps({"choices": [], "usage": USAGE}).encode() + b"\n\n"
    data = wire(SAID, tail=False) + chunk(None, "stop") + usage_event + b"data: [DONE]\n\n"
    start = data.index(usage_event)
    for at in range(start + 1, start + len(usage_event)):
        out, usage = await relay_stream([data[:at], data[at:]])
        assert (usage.tokens_prompt, usage.tokens_completion) == (123, 45), at
        assert_clean(out)
        assert text_of(out) == SEEN_TEXT


async def test_usage_on_a_last_line_without_its_newline_is_counted():
    usage_event = b"data: " + json.dumps({"choices": [], "usage": USAGE}).encode()
    _, usage = await relay_stream([chunk("hi"), usage_event[:30], usage_event[30:]])
    assert (usage.tokens_prompt, usage.tokens_completion) == (123, 45)
