"""How the gateway's tornado handlers answer, in both homes (the user's server, gateway/routes.py
and hub/forward.py; the hub service, hub/): an error as the OpenAI-shaped JSON body with its
headers, and the start of an event stream."""

from __future__ import annotations

import json

from .errors import GatewayError


class GatewayResponses:
    """A mixin for `tornado.web.RequestHandler` subclasses."""

    _stream_started = False

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
