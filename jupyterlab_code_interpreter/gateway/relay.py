"""One answer on its way to the browser: the open upstream response of the deployment that
won, with what was already read of it, and the bookkeeping that follows it to the end (pure
of tornado; routes.py writes it out).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from .endpoint import Endpoint
from .errors import GatewayError
from .router import Deployment

HEARTBEAT = b": keep-alive\n\n"


@dataclass
class Relay:
    """What the handler forwards. `data` is the whole body when it was read here (non-streamed
    answers, errors); for a stream, `first` is its first piece and `rest()` the others, read
    with `next_piece` (UpstreamResponse.next_piece)."""

    status: int
    headers: Mapping[str, str]
    endpoint: Endpoint | None = None
    deployment: Deployment | None = None
    data: bytes = b""
    first: bytes = b""
    next_piece: Callable[[float], Awaitable[bytes | None]] | None = None
    response: object | None = None  # UpstreamResponse, closed by aclose
    tokens_estimate: int = 0
    sent_entry: list | None = None  # the deployment's record of this request (router.py)
    scrub: Callable[[bytes], bytes] = lambda data: data
    _finished: bool = False

    @property
    def streaming(self) -> bool:
        return self.next_piece is not None

    async def rest(self, heartbeat: float = 0.0) -> AsyncIterator[bytes]:
        """The stream after `first`, with SSE comments after `heartbeat` s of silence. A
        failure marks the deployment and is raised as a GatewayError (the handler turns it
        into an SSE error event); nothing is ever replayed."""
        next_piece = self.next_piece
        assert next_piece is not None
        self._count_usage(self.first)
        try:
            while True:
                piece = await next_piece(heartbeat)
                if piece is None:
                    yield HEARTBEAT
                    continue
                if not piece:
                    break
                self._count_usage(piece)
                yield piece
        except GatewayError as error:
            self.failed(error.message)
            raise
        self.succeeded()

    def succeeded(self) -> None:
        if self.deployment is not None and not self._finished:
            self.deployment.breaker.on_success()
        self._finished = True

    def failed(self, reason: str) -> None:
        if self.deployment is not None and not self._finished:
            self.deployment.breaker.on_failure()
            self.deployment.usage.errors_5xx += 1
            self.deployment.usage.last_error = reason
        self._finished = True

    async def aclose(self) -> None:
        """Always called once: frees the deployment's in-flight slot and the connection."""
        if self.deployment is not None:
            if not self._finished:
                self.deployment.breaker.on_release()  # the browser left: no verdict
                self._finished = True
            self.deployment.on_done()
            self.deployment = None
        if self.response is not None:
            response, self.response = self.response, None
            await response.aclose()

    def count_usage_json(self, body: dict) -> None:
        usage = body.get("usage") if isinstance(body, dict) else None
        if isinstance(usage, dict):
            self._add_usage(usage)

    def _count_usage(self, piece: bytes) -> None:
        # Only the usage chunk (stream_options.include_usage) carries it; skip the rest cheaply.
        if b'"usage"' not in piece or self.deployment is None:
            return
        for line in piece.split(b"\n"):
            if line.startswith(b"data: {") and b'"usage"' in line:
                try:
                    self.count_usage_json(json.loads(line[6:]))
                except ValueError:
                    continue

    def _add_usage(self, usage: dict) -> None:
        if self.deployment is None:
            return
        prompt = usage.get("prompt_tokens")
        completion = usage.get("completion_tokens")
        if not isinstance(prompt, int) or not isinstance(completion, int):
            return
        stats = self.deployment.usage
        stats.tokens_prompt += prompt
        stats.tokens_completion += completion
        self.deployment.correct_tokens(self.tokens_estimate, prompt + completion, self.sent_entry)


def estimate_tokens(raw_body: bytes, body: dict) -> int:
    """What Azure charges at admission: the prompt (about 4 bytes a token, JSON included, so a
    little over) plus the completion allowance (`max_tokens`, else a modest guess)."""
    allowance = body.get("max_completion_tokens") or body.get("max_tokens")
    if not isinstance(allowance, int) or allowance <= 0:
        allowance = 256
    return len(raw_body) // 4 + allowance
