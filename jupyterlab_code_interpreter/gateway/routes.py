"""Thin tornado handlers under `<base_url>/code-interpreter/`.

Each handler authenticates (jupyter_server's token or cookie, XSRF for POST), calls one method
of `Gateway`, and maps its `GatewayError`s to OpenAI-shaped JSON.
"""

from __future__ import annotations

import asyncio
import json
import re

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from ..request_body import BodyError, LimitedBody, format_size, parse_json
from . import errors
from .config import CodeInterpreter
from .core import Gateway
from .errors import GatewayError
from .kernel_helpers_route import KernelHelpersHandler
from .pool import KEY_NAME
from .responses import GatewayResponses
from .user_settings import UserSettingsFile, default_user_settings_dir

SETTINGS_KEY = "code_interpreter_gateway"
ROUTE_PREFIX = "code-interpreter"
# A key is one token of printable ASCII: a control character or a space in it would at best
# be refused by the endpoint, at worst split the header it is sent in.
_KEY_TEXT = re.compile(r"[\x21-\x7e]{1,8192}")
_KEY_NAME_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, up to 64."
_KEY_BODY_LIMIT = 64 * 1024


class GatewayHandler(GatewayResponses, APIHandler):
    auth_resource = "code-interpreter"

    @property
    def gateway(self) -> Gateway:
        return self.settings[SETTINGS_KEY]


class StatusHandler(GatewayHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(json.dumps(self.gateway.status()))


class ModelsHandler(GatewayHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(json.dumps(self.gateway.models()))


@web.stream_request_body
class ChatCompletionsHandler(LimitedBody, GatewayHandler):
    """Relays one chat completion; a streamed answer is forwarded event by event as it comes,
    scrubbed of the key (Relay.stream), and the upstream call is cancelled as soon as the
    browser goes away. The body is refused (413) past c.CodeInterpreter.max_request_bytes
    before it is read."""

    _relaying: asyncio.Task | None = None

    @web.authenticated
    @authorized
    async def post(self) -> None:
        # The request's own task (tornado's) runs the relay and is the one cancelled when the
        # browser leaves: no second Task and event-loop turn per request.
        task = asyncio.current_task()
        self._relaying = task
        try:
            await self._relay_chat()
        except asyncio.CancelledError:
            if not self._client_gone or task is None:
                raise
            if hasattr(task, "uncancel"):  # Python 3.11+: the cancellation is handled
                task.uncancel()
        finally:
            self._relaying = None

    def body_limit(self) -> int:
        return self.gateway.config.max_request_bytes

    def refuse_body(self, error: BodyError) -> None:
        if error.status == 413:
            self.write_gateway_error(errors.request_too_large(format_size(self.body_limit())))
        else:
            self.write_gateway_error(errors.invalid_json(error.message))

    def on_connection_close(self) -> None:
        self._client_gone = True
        if self._relaying is not None:
            self._relaying.cancel()
        super().on_connection_close()

    async def _relay_chat(self) -> None:
        if self._finished:  # refused (413) while its body streamed in
            return
        gateway = self.gateway
        body = self.take_body()
        self._beat_while_waiting(
            self.gateway.config.heartbeat_interval, lambda: _asks_for_stream(body)
        )
        try:
            relay = await gateway.open_chat(body, self.request.headers)
        except GatewayError as error:
            self.log.warning("code-interpreter gateway: %s %s", error.status, error.code)
            if self._stream_started:
                self._end_stream(error.sse_event())
            else:
                self.write_gateway_error(error)
            return
        finally:
            if self._waiting is not None:
                self._waiting.cancel()
        gateway.stats.in_flight += 1
        try:
            if relay.streaming:
                await self._forward_stream(relay)
            elif self._stream_started:
                self._end_stream(_as_event(relay.data))
            else:
                self._forward_whole(relay)
        except asyncio.CancelledError:
            if self._client_gone:
                gateway.stats.cancelled_by_client += 1
            raise
        finally:
            gateway.stats.in_flight -= 1
            await relay.aclose()

    def _forward_whole(self, relay) -> None:
        self.set_status(relay.status)
        self.set_header("Content-Type", relay.headers.get("content-type", "application/json"))
        self._pass_headers(relay)
        self.finish(relay.data)

    def _end_stream(self, event: bytes) -> None:
        self.write(event)
        self.finish()

    async def _forward_stream(self, relay) -> None:
        # The first chunk is already here (core.py retried on another deployment until one
        # sent it); from now on a failure becomes an SSE error event, never a replay.
        if not self._stream_started:
            self._start_stream()
            # Heartbeats before the first byte sent the headers without the upstream's.
            self._pass_headers(relay)
        try:
            try:
                # The headers leave with the first whole event (one write, as before scrubbing).
                async for piece in relay.stream(self.gateway.config.heartbeat_interval):
                    self.write(piece)
                    await self.flush()
            except GatewayError as error:
                self.log.warning("code-interpreter gateway: stream ended by %s", error.code)
                self.write(error.sse_event())
                await self.flush()
            self.finish()
        except StreamClosedError:
            self._client_gone = True
            self.gateway.stats.cancelled_by_client += 1


class KeysHandler(GatewayHandler):
    """`GET keys`: the names of the keys the user stored (never the keys)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        names = self.gateway.keys.store.names()
        self.finish(json.dumps({"keys": [{"name": name, "set": True} for name in names]}))


@web.stream_request_body
class KeyHandler(LimitedBody, GatewayHandler):
    """`PUT keys/<name>` {"key": "..."} stores a key (write-only, answered 204, never echoed);
    `DELETE keys/<name>` removes it."""

    def body_limit(self) -> int:
        return _KEY_BODY_LIMIT

    def refuse_body(self, error: BodyError) -> None:
        refused = errors.invalid_key_request(f"{error.message}.")
        refused.status = error.status  # 413 past the limit
        self.write_gateway_error(refused)

    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        if self._finished:  # refused (413) while its body streamed in
            return
        if not KEY_NAME.fullmatch(name):
            self.write_gateway_error(errors.invalid_name("key name", _KEY_NAME_RULE))
            return
        try:
            payload = parse_json(self.take_body())
            key = payload.get("key") if isinstance(payload, dict) else None
            if not isinstance(key, str):
                raise BodyError('The body must be {"key": "<the key>"}.')
            if not _KEY_TEXT.fullmatch(key.strip()):
                raise BodyError(
                    "The key must be one line of printable ASCII characters, without spaces "
                    "or control characters, at most 8192 of them. Copy it again from the "
                    "provider's page."
                )
            self.gateway.keys.store.put(name, key)
        except (BodyError, ValueError) as err:
            # Messages name what is wrong, never quoting the body (it holds the key).
            text = err.message if isinstance(err, BodyError) else str(err)
            self.write_gateway_error(errors.invalid_key_request(text))
            return
        self.log.info("code-interpreter gateway: stored key %r", name)
        self.set_status(204)
        self.finish()

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        if not KEY_NAME.fullmatch(name):
            self.write_gateway_error(errors.invalid_name("key name", _KEY_NAME_RULE))
            return
        try:
            found = self.gateway.keys.store.delete(name)
        except ValueError as err:
            self.write_gateway_error(errors.invalid_key_request(str(err)))
            return
        self.set_status(204 if found else 404)
        self.finish()


def create_gateway(server_app, parent) -> Gateway:
    """The gateway for `server_app`, configured by `c.CodeInterpreter` as `parent` (the
    extension app) sees it, reading the user's settings where JupyterLab saves them."""
    config = CodeInterpreter(parent=parent)
    settings_dir = default_user_settings_dir(_lab_user_settings_dir(server_app))
    return Gateway(config, UserSettingsFile(settings_dir), log=server_app.log)


def gateway_handlers() -> list[tuple[str, type[APIHandler]]]:
    """The gateway's routes, relative to the server's base URL."""
    return [
        (url_path_join(ROUTE_PREFIX, "v1/chat/completions"), ChatCompletionsHandler),
        (url_path_join(ROUTE_PREFIX, "v1/models"), ModelsHandler),
        (url_path_join(ROUTE_PREFIX, "status"), StatusHandler),
        (url_path_join(ROUTE_PREFIX, "kernel-helpers"), KernelHelpersHandler),
        (url_path_join(ROUTE_PREFIX, "keys"), KeysHandler),
        (url_path_join(ROUTE_PREFIX, "keys", r"([^/]+)"), KeyHandler),
    ]


def _lab_user_settings_dir(server_app) -> str | None:
    """`LabApp.user_settings_dir` from the running JupyterLab app, else from the config."""
    for app in server_app.extension_manager.extension_apps.get("jupyterlab", ()):
        configured = getattr(app, "user_settings_dir", None)
        if configured:
            return configured
    if "LabApp" in server_app.config:
        return server_app.config.LabApp.get("user_settings_dir")
    return None


def _asks_for_stream(body: bytes) -> bool:
    """Whether a chat request asks for a streamed answer (read only when its first byte is
    late: open_chat has checked the body by then, or is still waiting on it)."""
    try:
        request = json.loads(body)
    except ValueError:
        return False
    return isinstance(request, dict) and request.get("stream") is True


def _as_event(data: bytes) -> bytes:
    """A whole answer (an upstream's error) as the last event of a stream that heartbeats
    already started; the error shape stays the API's."""
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if not (isinstance(parsed, dict) and isinstance(parsed.get("error"), dict)):
        text = data[:500].decode("utf-8", "replace")
        parsed = {"error": {"message": f"The endpoint answered: {text}", "type": "server_error"}}
    return b"data: " + json.dumps(parsed).encode() + b"\n\n"
