"""Putting a completion or a fault on the wire: pacing, streaming, and breaking connections.

Everything here writes to a live ``ChatHandler``; the JSON comes ready-made from protocol.py.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import TYPE_CHECKING

from . import protocol
from .scenario import Fault, Timing

if TYPE_CHECKING:
    from .handlers import ChatHandler

_BREAKING_KINDS = ("reset_after_first_byte", "malformed_chunk")
_MALFORMED_EVENT = "data: {not json\n\n"
# Between two writes of `chunk_bytes`: long enough for the reader to take each as its own read.
_SPLIT_PAUSE = 0.003


class _Wire:
    """Writes to the handler as they come, or, with `chunk_bytes`, in writes of exactly that
    many bytes, each flushed on its own (Nagle off) and followed by a short pause."""

    def __init__(self, handler: ChatHandler, chunk_bytes: int):
        self.handler = handler
        self.chunk_bytes = chunk_bytes
        self._pending = b""
        if chunk_bytes:
            stream = getattr(handler.request.connection, "stream", None)
            if stream is not None:
                stream.set_nodelay(True)

    async def write(self, text: str) -> bool:
        """False once the client has gone."""
        if not self.chunk_bytes:
            self.handler.write(text)
            return True
        self._pending += text.encode()
        while len(self._pending) >= self.chunk_bytes:
            piece, self._pending = (
                self._pending[: self.chunk_bytes],
                self._pending[self.chunk_bytes :],
            )
            if not await self._send(piece):
                return False
        return True

    async def drain(self) -> bool:
        """Send what is pending (less than `chunk_bytes`)."""
        pending, self._pending = self._pending, b""
        return await self._send(pending) if pending else True

    async def _send(self, piece: bytes) -> bool:
        self.handler.write(piece)
        await self.handler.flush()
        return await self.handler.pause(_SPLIT_PAUSE)


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def reset_connection(handler: ChatHandler) -> None:
    """Abort the TCP connection with a RST, as a crashed proxy or load balancer would."""
    stream = handler.detach()
    handler.record["status"] = None
    if stream.socket is not None:
        # Linger 0 makes close() send RST rather than FIN: clients see "connection reset".
        stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.close()


async def send_whole(
    handler: ChatHandler, completion: protocol.Completion, timing: Timing, fault: Fault | None
) -> None:
    """Answer a non-streaming request, after the time the model would have taken."""
    delay = timing.ttft_ms / 1000
    if timing.tokens_per_second:
        delay += completion.completion_tokens / timing.tokens_per_second
    if not await handler.pause(delay):
        return
    body = dumps(protocol.completion_body(completion, handler.api == "azure"))
    handler.set_header("Content-Type", "application/json")
    if timing.chunk_bytes and fault is None:
        wire = _Wire(handler, timing.chunk_bytes)
        if await wire.write(body) and await wire.drain():
            handler.finish()
        return
    if fault is not None and fault.kind == "malformed_chunk":
        handler.finish("{not json")
    elif fault is not None and fault.kind == "reset_after_first_byte":
        handler.write(body[: len(body) // 2])
        await handler.flush()
        reset_connection(handler)
    else:
        handler.finish(body)


async def send_stream(
    handler: ChatHandler,
    completion: protocol.Completion,
    timing: Timing,
    fault: Fault | None,
    include_usage: bool,
) -> None:
    """Answer ``stream: true`` with server-sent events, one token-sized piece per chunk."""
    chunks = protocol.stream_chunks(completion, handler.api == "azure", include_usage)
    breaking = fault if fault is not None and fault.kind in _BREAKING_KINDS else None
    handler.set_header("Content-Type", "text/event-stream; charset=utf-8")
    handler.set_header("Cache-Control", "no-cache")
    paced = bool(timing.ttft_ms or timing.tokens_per_second)
    if paced:
        await handler.flush()  # real services send headers at once and tokens later
        if not await handler.pause(timing.ttft_ms / 1000):
            return
    per_piece = 1 / timing.tokens_per_second if timing.tokens_per_second else 0
    wire = _Wire(handler, timing.chunk_bytes)
    for index, chunk in enumerate(chunks):
        if breaking is not None and index == breaking.after_chunks:
            if not await wire.drain() or not await _break_stream(handler, breaking):
                return
        if not await wire.write(f"data: {dumps(chunk)}\n\n"):
            return
        if per_piece and index > 0:
            await handler.flush()
            if not await handler.pause(per_piece):
                return
    if breaking is not None and breaking.after_chunks >= len(chunks):
        if not await wire.drain() or not await _break_stream(handler, breaking):
            return
    if await wire.write("data: [DONE]\n\n") and await wire.drain():
        handler.finish()


async def _break_stream(handler: ChatHandler, fault: Fault) -> bool:
    """Inject the stream fault; True if the stream should carry on afterwards."""
    if fault.kind == "reset_after_first_byte":
        await handler.flush()
        reset_connection(handler)
        return False
    handler.write(_MALFORMED_EVENT)
    if fault.then == "stop":
        handler.finish()
        return False
    return True
