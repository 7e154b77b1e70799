"""The log of requests the simulator received, for tests to assert on."""

from __future__ import annotations

from collections import deque

MAX_RECORDED = 1000  # enough for any test; bounded so a benchmark run does not grow memory


class RequestLog:
    """The last ``MAX_RECORDED`` requests, oldest first, as plain JSON-able dicts."""

    def __init__(self, capacity: int = MAX_RECORDED):
        self._entries: deque[dict] = deque(maxlen=capacity)

    def add(self, entry: dict) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def list(self) -> list[dict]:
        return list(self._entries)
