"""`POST v1/chat/completions` of the hub service: admitted against the caller's quotas, relayed
by the gateway core, streamed as the single-user gateway streams (events as they come, an SSE
comment while the first byte is late and every `heartbeat_interval` of silence, a failure after
the start as an error event, never a replay), then billed to the caller.
"""

from __future__ import annotations

import asyncio

from tornado.iostream import StreamClosedError
from tornado.log import app_log

from ..gateway import errors
from ..gateway.errors import GatewayError
from ..gateway.relay import Relay
from ..request_body import BodyError, format_size, parse_json
from .billing import with_usage_requested
from .handlers import HubServiceHandler


class ChatHandler(HubServiceHandler):
    """Reads the whole body before `prepare` authenticates (tornado's default): a refusal
    then leaves the proxy's keep-alive connection usable, which a refusal before the body is
    read does not (tornado closes it). The server's max_body_size bounds it (app.py)."""

    _task: asyncio.Task | None = None

    def on_connection_close(self) -> None:
        self._client_gone = True
        if self._task is not None:
            self._task.cancel()
        super().on_connection_close()

    async def post(self) -> None:
        limit = self.service.gateway.config.max_request_bytes
        if len(self.request.body) > limit:
            return self.write_gateway_error(errors.request_too_large(format_size(limit)))
        self._task = asyncio.current_task()
        try:
            await self._serve()
        except asyncio.CancelledError:
            if not self._client_gone:
                raise
        finally:
            self._task = None

    async def _serve(self) -> None:
        service = self.service
        raw = self.request.body
        try:
            body = parse_json(raw)
        except BodyError as err:
            return self.write_gateway_error(errors.invalid_json(err.message))
        if not isinstance(body, dict):
            return self.write_gateway_error(errors.invalid_json("it is not a JSON object"))
        raw = with_usage_requested(body, raw)
        user = self.current_user
        try:
            bill = await service.billing.admit(user["name"], user.get("groups", []), body, raw)
        except GatewayError as error:
            app_log.info("code-interpreter hub: %s refused: %s", user["name"], error.code)
            return self.write_gateway_error(error)
        status, relay = 0, None
        try:
            streamed = body.get("stream") is True
            self._beat_while_waiting(service.gateway.config.heartbeat_interval, lambda: streamed)
            try:
                relay = await service.gateway.open_chat(raw, self.request.headers)
            except GatewayError as error:
                status = error.status
                self._answer_error(error)
                return
            finally:
                if self._waiting is not None:
                    self._waiting.cancel()
            status = relay.status
            await self._forward(relay)
        finally:
            if relay is not None:
                await relay.aclose()
            await asyncio.shield(service.billing.finish(bill, status, relay))

    def _answer_error(self, error: GatewayError) -> None:
        if self._stream_started:
            self.write(error.sse_event())
            self.finish()
        else:
            self.write_gateway_error(error)

    async def _forward(self, relay: Relay) -> None:
        if not relay.streaming:
            if self._stream_started:
                self.write(b"data: " + relay.data + b"\n\n")
                self.finish()
                return
            self.set_status(relay.status)
            self.set_header("Content-Type", relay.headers.get("content-type", "application/json"))
            self._pass_headers(relay)
            self.finish(relay.data)
            return
        if not self._stream_started:
            self._start_stream()
            self._pass_headers(relay)
        try:
            try:
                async for piece in relay.stream(self.service.gateway.config.heartbeat_interval):
                    self.write(piece)
                    await self.flush()
            except GatewayError as error:
                app_log.warning("code-interpreter hub: stream ended by %s", error.code)
                self.write(error.sse_event())
                await self.flush()
            self.finish()
        except StreamClosedError:
            self._client_gone = True
