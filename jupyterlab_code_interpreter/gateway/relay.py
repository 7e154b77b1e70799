"""One answer on its way to the browser: the open upstream response of the deployment that
won, with what was already read of it (pure of tornado; routes.py writes it out). It reports
what its request came to to the deployment once (`Relay.report`), with the latency and the
usage it saw, and frees the deployment's slot when it is closed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .deployment import Deployment, Outcome, Sent, Verdict
from .endpoint import Endpoint
from .errors import GatewayError
from .scrub import NO_KEYS, Scrubber
from .sse import SseScrubber

if TYPE_CHECKING:
    from .http_client import UpstreamResponse

HEARTBEAT = b": keep-alive\n\n"
# A usage chunk is a few hundred bytes; the start of a longer line is not kept whole.
_MAX_USAGE_LINE = 64 * 1024


@dataclass
class Relay:
    """What the handler forwards. `data` is the whole body when it was read here (non-streamed
    answers, errors; already scrubbed); for a stream, `first` is its first piece and the
    others are read with `next_piece` (UpstreamResponse.next_piece): `stream()` yields them
    all, scrubbed of `scrubber`'s keys."""

    status: int
    headers: Mapping[str, str]
    endpoint: Endpoint | None = None
    deployment: Deployment | None = None
    data: bytes = b""
    first: bytes = b""
    next_piece: Callable[[float], Awaitable[bytes | None]] | None = None
    response: UpstreamResponse | None = None  # closed by aclose
    sent: Sent | None = None  # the deployment's record of this request
    latency: float | None = None  # seconds from sending to the first byte
    scrubber: Scrubber = NO_KEYS
    _reported: bool = False
    _usage: tuple[int, int] | None = None  # (prompt, completion) tokens reported so far
    _usage_tail: bytes = b""  # the start of a line whose end has not arrived yet

    @property
    def streaming(self) -> bool:
        return self.next_piece is not None

    @property
    def usage(self) -> tuple[int, int] | None:
        """(prompt, completion) tokens the endpoint reported so far, None if it has not."""
        return self._usage

    async def stream(self, heartbeat: float = 0.0) -> AsyncIterator[bytes]:
        """The whole stream from `first` on, scrubbed, whole events only, with SSE comments
        after `heartbeat` s of silence (between events, never inside one). A failure marks the
        deployment and is raised as a GatewayError after what was whole (the handler turns it
        into an SSE error event); nothing is ever replayed."""
        next_piece = self.next_piece
        assert next_piece is not None
        # Framed into whole events even with no key to look for: a failure's error event
        # then never lands in the middle of one.
        events = SseScrubber(self.scrubber)
        piece: bytes | None = self.first
        try:
            while True:
                if piece is None:
                    yield HEARTBEAT
                elif not piece:
                    break
                else:
                    self._count_usage(piece)
                    out = events.feed(piece)
                    if out:
                        yield out
                piece = await next_piece(heartbeat)
        except GatewayError as error:
            self.failed(error.message)
            tail = events.close(complete=False)
            if tail:
                yield tail
            raise
        self._count_usage(b"\n")  # a last line without its newline
        tail = events.close()
        if tail:
            yield tail
        self.succeeded()

    def opened(self, response: UpstreamResponse) -> None:
        """The deployment answered: keep its response, and let the deployment take what the
        rate-limit headers say of its budget (whatever the status)."""
        self.response, self.status, self.headers = response, response.status, response.headers
        if self.deployment is not None:
            self.deployment.observe_headers(response.headers)

    def report(
        self, verdict: Verdict, error: str | None = None, retry_after: float | None = None
    ) -> None:
        """Record what the request came to with its deployment; only the first report counts
        (a request has one outcome)."""
        if self._reported:
            return
        self._reported = True
        if self.deployment is not None:
            outcome = Outcome(verdict, self.sent, error, retry_after, self.latency, self._usage)
            self.deployment.record(outcome)

    def succeeded(self) -> None:
        self.report(Verdict.SUCCESS)

    def failed(self, reason: str) -> None:
        self.report(Verdict.FAILED, reason)

    async def aclose(self) -> None:
        """Always called: reports a request that ended without a verdict (the browser left),
        frees the deployment's in-flight slot and the connection."""
        if self.deployment is not None:
            self.report(Verdict.RELEASED)
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
        """Count the usage chunk (stream_options.include_usage) found in whole lines: one cut
        across two reads is put together first. Cheap when a piece has no usage object."""
        if self.deployment is None:
            return
        data = self._usage_tail + piece if self._usage_tail else piece
        end = data.rfind(b"\n") + 1
        self._usage_tail = data[end:][-_MAX_USAGE_LINE:] if end < len(data) else b""
        if b'"usage":{' not in data and b'"usage": {' not in data:
            return
        for line in data[:end].split(b"\n"):
            if line.startswith(b"data:") and b'"usage"' in line:
                try:
                    self.count_usage_json(json.loads(line[5:]))
                except (ValueError, RecursionError):
                    continue

    def _add_usage(self, usage: dict) -> None:
        if self.deployment is None:
            return
        prompt = usage.get("prompt_tokens")
        completion = usage.get("completion_tokens")
        if not isinstance(prompt, int) or not isinstance(completion, int):
            return
        before = self._usage or (0, 0)
        self._usage = (before[0] + prompt, before[1] + completion)


def estimate_tokens(raw_body: bytes, body: dict) -> int:
    """What Azure charges at admission: the prompt (about 4 bytes a token, JSON included, so a
    little over) plus the completion allowance (`max_tokens`, else a modest guess)."""
    allowance = body.get("max_completion_tokens") or body.get("max_tokens")
    if not isinstance(allowance, int) or allowance <= 0:
        allowance = 256
    return len(raw_body) // 4 + allowance
