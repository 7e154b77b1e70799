"""Scrubbing a streamed answer (server-sent events) without delaying it.

Upstream reads are cut anywhere; events are not. `SseScrubber.feed` passes on only whole
events (what it keeps of a read is the start of an event whose end has not arrived, which no
browser could use earlier anyway), so an event is never split and a key cut across two reads
is whole again before it is looked for.

A model spells a key over several deltas (`choices[].delta.content` "sk-", "abc", …). The
texts each choice streams (content, refusal, reasoning, each tool call's arguments) are
followed as one text each: when the text so far ends with what could be the start of a key,
the event that brought that end waits, with every event after it, until a later delta shows
whether it was one. If not (nearly always), the events leave exactly as they came; if so, the
key's pieces are taken out of the events holding them and the event that completed it says
`REDACTED` instead. Events are only written again as JSON when a key was in them. `[DONE]`,
a finishing choice and the end of the stream release what waits.
"""

from __future__ import annotations

import json
import re

from .scrub import ByteStream, Scrubber

# The C scanner json.loads ends in, without its encoding guess and whitespace regexes (an
# event's payload is stripped UTF-8): a fifth of the cost of following an event.
_scan_json = json.JSONDecoder().scan_once

# Past this, a piece without an event boundary is not SSE as we know it (or an absurd event):
# it is passed on as bytes, scrubbed with a held-back end, rather than buffered.
MAX_EVENT_BYTES = 1024 * 1024
_EVENT_ENDS = (b"\n\n", b"\n\r\n")  # a blank line, LF or CRLF
_TEXT_FIELDS = ("content", "refusal", "reasoning_content", "reasoning")
# In an event without a backslash every quote delimits a string, so this finds each text a
# delta carries, exactly: when none could end in the start of a key and nothing is held, the
# event needs no parsing (most events of most streams).
_TEXT_VALUES = re.compile(
    rb'"(?:content|refusal|reasoning_content|reasoning|arguments)"\s*:\s*"([^"]*)"'
)


class _Event:
    """One whole event as received (without its blank line), and how to write it again."""

    __slots__ = ("raw", "chunk", "lines", "at", "dirty")

    def __init__(self, raw: bytes):
        self.raw = raw
        self.chunk: dict | None = None  # the JSON of its data line, when it has one
        self.lines: list[bytes] | None = None  # when the event has more than one line
        self.at = 0  # the data line's index in `lines`
        self.dirty = False  # `chunk` changed: write it again

    def bytes(self) -> bytes:
        if not self.dirty:
            return self.raw
        line = (
            b"data: " + json.dumps(self.chunk, ensure_ascii=False, separators=(",", ":")).encode()
        )
        if self.lines is None:
            return line
        return b"\n".join([*self.lines[: self.at], line, *self.lines[self.at + 1 :]])


class _Slot:
    """Where part of a followed text sits: `container[name]` of `event`, its last `length`
    characters."""

    __slots__ = ("event", "container", "name", "length")

    def __init__(self, event: _Event, container: dict, name: str, length: int):
        self.event, self.container, self.name, self.length = event, container, name, length

    def text(self) -> str:
        return self.container[self.name][-self.length :]

    def cut(self) -> None:
        self.container[self.name] = self.container[self.name][: -self.length]
        self.event.dirty = True


class SseScrubber:
    """One stream's scrubbing state; `feed` each upstream piece, then `close` once."""

    def __init__(self, scrubber: Scrubber):
        self.scrubber = scrubber
        self._parts: list[bytes] = []  # the start of an event whose end has not come
        self._size = 0
        self._waiting: list[_Event] = []  # events kept back, in order
        self._held: dict[tuple[int, object], list[_Slot]] = {}  # (choice, place) -> its end
        self._bytes: ByteStream | None = None  # set once the stream is not SSE

    def feed(self, piece: bytes) -> bytes:
        """What can be forwarded now: whole events, scrubbed."""
        if self._bytes is not None:
            return self._bytes.feed(piece)
        if self._parts:
            # The start of an event is waiting for its end: join only once it has come, so
            # an event arriving in many small reads is not copied again at each one.
            probe = self._parts[-1][-2:] + piece[:2]  # a blank line across the two
            if not any(end in piece or end in probe for end in _EVENT_ENDS):
                return self._keep(piece)
            buffer = b"".join([*self._parts, piece])
            self._parts, self._size = [], 0
        else:
            buffer = piece
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
        end = buffer.rfind(b"\n\n")
        if end < 0:
            return self._keep(buffer)
        if end + 2 < len(buffer):  # checked against MAX_EVENT_BYTES with the next piece
            self._parts, self._size = [buffer[end + 2 :]], len(buffer) - end - 2
        untouched = not self._waiting  # every event leaves as it came, none waits
        out: list[bytes] = []
        for raw in buffer[:end].split(b"\n\n"):
            event = self._event(raw)
            if self._held or self._waiting:
                untouched = False
                self._waiting.append(event)
                if not self._held:
                    out.extend(self._take_waiting())
            else:
                scrubbed = self.scrubber.bytes(event.bytes())
                untouched = untouched and scrubbed is raw
                out.append(scrubbed)
        if untouched:
            return buffer[: end + 2]
        return b"\n\n".join(out) + b"\n\n" if out else b""

    def _keep(self, part: bytes) -> bytes:
        """Keep the start of an event; past MAX_EVENT_BYTES, give up framing (b"" else)."""
        self._parts.append(part)
        self._size += len(part)
        if self._size <= MAX_EVENT_BYTES:
            return b""
        buffer = b"".join(self._parts)
        self._parts, self._size = [], 0
        self._bytes = ByteStream(self.scrubber)
        return self._release() + self._bytes.feed(buffer)

    def close(self, complete: bool = True) -> bytes:
        """The rest: a last event that lacked its blank line (dropped if the stream broke
        off, `complete` False: half an event is no use), and every event kept back."""
        if self._bytes is not None:
            return self._bytes.close()
        last = b"".join(self._parts).replace(b"\r\n", b"\n")
        self._parts, self._size = [], 0
        if complete and last.strip():
            self._waiting.append(self._event(last))
        return self._release()

    def _release(self) -> bytes:
        self._held.clear()
        out = self._take_waiting()
        return b"\n\n".join(out) + b"\n\n" if out else b""

    def _take_waiting(self) -> list[bytes]:
        waiting, self._waiting = self._waiting, []
        return [self.scrubber.bytes(event.bytes()) for event in waiting]

    def _event(self, raw: bytes) -> _Event:
        """Parse one event and follow its texts (its chunk may change while it waits)."""
        event = _Event(raw)
        if not self.scrubber.patterns:  # no key (a local server): framing only
            return event
        if not self._held and b"\\" not in raw:
            held = self.scrubber.held_bytes
            if not any(held(value) for value in _TEXT_VALUES.findall(raw)):
                return event  # a whole key in it is still replaced, as bytes
        line = raw
        if b"\n" in raw:
            lines = raw.split(b"\n")
            data_lines = [i for i, one in enumerate(lines) if one.startswith(b"data:")]
            if len(data_lines) != 1:
                return event
            event.lines, event.at = lines, data_lines[0]
            line = lines[event.at]
        if not line.startswith(b"data:"):
            return event
        payload = line[5:].strip()
        if payload == b"[DONE]":
            self._held.clear()  # nothing follows: what waits is not a key
            return event
        if not payload.startswith(b"{"):
            return event
        try:
            chunk, end = _scan_json(payload.decode(), 0)
        except (StopIteration, ValueError, RecursionError):  # StopIteration: no JSON value
            return event
        if end != len(payload) and payload[end:].strip():
            return event
        if b"\\" in payload:  # escapes can spell a key that no byte search finds
            chunk, event.dirty = self.scrubber.json_value(chunk)
        if isinstance(chunk, dict):
            event.chunk = chunk
            self._choices(event, chunk)
        return event

    def _choices(self, event: _Event, chunk: dict) -> None:
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            return
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", position)
            final = choice.get("finish_reason") is not None
            delta = choice.get("delta")
            if isinstance(delta, dict):
                self._delta(event, index, delta, final)
            if final:  # the choice is over: the ends it kept were not keys
                for place in [p for p in self._held if p[0] == index]:
                    del self._held[place]

    def _delta(self, event: _Event, index: object, delta: dict, final: bool) -> None:
        for name in _TEXT_FIELDS:
            if isinstance(delta.get(name), str):
                self._follow((index, name), event, delta, name, final)
        calls = delta.get("tool_calls")
        if not isinstance(calls, list):
            return
        for position, call in enumerate(calls):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                place = (index, ("tool", call.get("index", position)))
                self._follow(place, event, function, "arguments", final)

    def _follow(
        self, place: tuple[int, object], event: _Event, container: dict, name: str, final: bool
    ) -> None:
        """Add one delta's text (`container[name]`) to the text of `place`, scrub it, and
        keep its end if that could be the start of a key."""
        value = container[name]
        held = self._held.get(place)
        text = "".join(s.text() for s in held) + value if held else value
        scrubbed = self.scrubber.text(text)
        if scrubbed is not text:  # a key: its pieces leave the events that wait, all of it here
            for earlier in held or ():
                earlier.cut()
            container[name] = value = text = scrubbed
            event.dirty = True
            held = None
        hold = 0 if final else self.scrubber.held_text(text)
        if not hold:
            self._held.pop(place, None)
            return
        kept = []
        slot = _Slot(event, container, name, min(hold, len(value)))
        if slot.length:
            kept.append(slot)
        remaining = hold - slot.length
        for earlier in reversed(held or ()):
            if remaining <= 0:
                break
            earlier.length = min(earlier.length, remaining)
            remaining -= earlier.length
            kept.insert(0, earlier)
        self._held[place] = kept
