"""Keys taken out of what the browser receives: whole bodies, bytes of a stream, and text.

An endpoint should never send its key back, but a proxy's error page, a misconfigured server
or a model that was shown the key could. The gateway knows the key it sent (`Scrubber` is
built from it) and replaces every occurrence with `REDACTED` before a byte leaves. Only whole
keys are replaced; keys shorter than `MIN_KEY_LENGTH` are not looked for (they would match
ordinary words).

Streams cannot be scrubbed piece by piece: a key can be cut across two network reads, or be
spelled out by a model over several deltas. `ByteStream` holds back the end of each piece
while it could be the start of a key, and only that; sse.py does the same for events.
"""

from __future__ import annotations

import functools
import json
from typing import AnyStr

REDACTED = "[redacted]"
MIN_KEY_LENGTH = 8


class Scrubber:
    """Finds and replaces a set of keys; immutable, so shared between requests."""

    def __init__(self, keys: tuple[str, ...]):
        self.keys = tuple(sorted({k for k in keys if len(k) >= MIN_KEY_LENGTH}, key=len))[::-1]
        patterns = set()
        for key in self.keys:
            patterns.add(key.encode("utf-8", "surrogatepass"))
            # As it would appear inside a JSON string (a key with a quote or a backslash).
            patterns.add(json.dumps(key)[1:-1].encode())
        self.patterns = tuple(sorted(patterns, key=len, reverse=True))

    @property
    def active(self) -> bool:
        return bool(self.keys)

    def bytes(self, data: bytes) -> bytes:
        """`data` with every key (raw or JSON-escaped) replaced."""
        for pattern in self.patterns:
            if pattern in data:
                data = data.replace(pattern, _REDACTED_BYTES)
        return data

    def text(self, text: str) -> str:
        """`text` with every key replaced."""
        for key in self.keys:
            if key in text:
                text = text.replace(key, REDACTED)
        return text

    def body(self, data: bytes) -> bytes:
        """A whole body (a non-streamed answer or an error): the bytes scrubbed, and, when it
        is JSON with escapes (`\\u0073k-…` spells a key no byte search finds), every string
        in it too."""
        if not self.patterns:
            return data
        data = self.bytes(data)
        if b"\\" not in data:
            return data
        try:
            value = json.loads(data)
        except (ValueError, RecursionError):
            return data
        scrubbed, changed = self.json_value(value)
        if not changed:
            return data
        return json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":")).encode()

    def json_value(self, value: object) -> tuple[object, bool]:
        """`value` with every string in it scrubbed, and whether any changed."""
        if isinstance(value, str):
            scrubbed = self.text(value)
            return scrubbed, scrubbed != value
        if isinstance(value, list):
            results = [self.json_value(item) for item in value]
            if any(changed for _, changed in results):
                return [item for item, _ in results], True
            return value, False
        if isinstance(value, dict):
            changed = False
            out = {}
            for name, item in value.items():
                new_name, name_changed = self.json_value(name)
                new_item, item_changed = self.json_value(item)
                out[new_name] = new_item
                changed = changed or name_changed or item_changed
            return (out, True) if changed else (value, False)
        return value, False

    def held_text(self, text: str) -> int:
        """How many characters at the end of `text` could be the start of a key."""
        if len(self.keys) == 1:  # the usual case, on every delta of a stream
            return _held(text, self.keys[0])
        return max((_held(text, key) for key in self.keys), default=0)

    def held_bytes(self, data: bytes) -> int:
        """How many bytes at the end of `data` could be the start of a key."""
        if len(self.patterns) == 1:
            return _held(data, self.patterns[0])
        return max((_held(data, pattern) for pattern in self.patterns), default=0)


_REDACTED_BYTES = REDACTED.encode()
NO_KEYS = Scrubber(())


@functools.lru_cache(maxsize=32)
def scrubber_for(*keys: str | None) -> Scrubber:
    """The scrubber of these keys (None and short ones ignored), built once per key set."""
    return Scrubber(tuple(k for k in keys if k))


def _held(data: AnyStr, key: AnyStr) -> int:
    """The length of the longest end of `data` that is a proper start of `key`."""
    first = key[:1]
    position = data.find(first, max(0, len(data) - len(key) + 1))
    while position != -1:
        if key.startswith(data[position:]):
            return len(data) - position
        position = data.find(first, position + 1)
    return 0


class ByteStream:
    """Scrubs a byte stream piece by piece, holding back a possible start of a key at the end
    of each piece (for bodies that are not server-sent events)."""

    def __init__(self, scrubber: Scrubber):
        self.scrubber = scrubber
        self._held = b""

    def feed(self, piece: bytes) -> bytes:
        data = self.scrubber.bytes(self._held + piece if self._held else piece)
        hold = self.scrubber.held_bytes(data)
        self._held = data[len(data) - hold :] if hold else b""
        return data[: len(data) - hold] if hold else data

    def close(self) -> bytes:
        held, self._held = self._held, b""
        return held
