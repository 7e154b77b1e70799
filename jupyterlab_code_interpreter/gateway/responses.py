"""How the gateway's tornado handlers answer, in both homes (the user's server, gateway/routes.py
and hub/forward.py; the hub service, hub/): an error as the OpenAI-shaped JSON body with its
headers, an upstream answer's headers, the start of an event stream and its heartbeats."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from .errors import GatewayError
from .relay import HEARTBEAT, Relay
from .upstream import passed_response_headers


class GatewayResponses:
    """A mixin for `tornado.web.RequestHandler` subclasses."""

    _stream_started = False  # the event stream began before the first byte (heartbeats)
    _client_gone = False
    _waiting: asyncio.TimerHandle | None = None

    def write_gateway_error(self, error: GatewayError) -> None:
        self.set_status(error.status)
        self.set_header("Content-Type", "application/json")
        for name, value in error.headers.items():
            self.set_header(name, value)
        self.finish(json.dumps(error.body()))

    def _start_stream(self) -> None:
        self._stream_started = True
        self.set_status(200)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        # Each chunk leaves at once: with Nagle's algorithm a chunk waits for the browser's
        # (delayed) ACK of the previous one, up to 40 ms. Tornado turns it back on at finish.
        stream = getattr(self.request.connection, "stream", None)
        if stream is not None:
            stream.set_nodelay(True)

    def _pass_headers(self, relay: Relay) -> None:
        for name, value in passed_response_headers(relay.headers).items():
            self.set_header(name, relay.scrubber.text(value))

    def _beat_while_waiting(self, interval: float, streamed: Callable[[], bool]) -> None:
        """A model on a CPU may read a long prompt for half a minute before its first token:
        when a streamed answer's first byte takes longer than `interval`, the event stream
        starts with an SSE comment, repeated every interval, so that nothing between the
        browser and here (a proxy, the hub's, the browser's own timeout) gives up. Faster
        answers keep their HTTP status; a failure after that is an SSE error event.
        `streamed` is asked only when the first beat is due (it may parse the body)."""
        if interval <= 0:
            return
        loop = asyncio.get_running_loop()

        def beat() -> None:
            if self._client_gone:
                return
            if not self._stream_started:
                if not streamed():
                    return
                self._start_stream()
            self.write(HEARTBEAT)
            # A browser gone meanwhile cancels the request; the flush's error is not news.
            self.flush().add_done_callback(lambda done: done.exception())
            self._waiting = loop.call_later(interval, beat)

        self._waiting = loop.call_later(interval, beat)
