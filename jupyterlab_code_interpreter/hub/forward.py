"""Forwarding mode of a user's server on a JupyterHub (docs/hub-service.md): the server holds
no endpoint and no key; its chat, models and status routes pass the browser's request (already
authenticated and XSRF-checked by jupyter_server) to the hub service with the server's own
JUPYTERHUB_API_TOKEN, the user's token, so the service bills the user. Answers come back
unchanged, streamed as they arrive: statuses, error bodies and Retry-After included.
"""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import urlparse

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from ..gateway import errors
from ..gateway.errors import GatewayError
from ..gateway.responses import GatewayResponses
from ..gateway.upstream import passed_response_headers
from ..request_body import format_size

SETTINGS_KEY = "code_interpreter_hub_forwarder"
ROUTE_PREFIX = "code-interpreter"
_PASSED_REQUEST = ("accept", "user-agent", "openai-beta")


class HubForwarder:
    """The connection to the service: its URL, the token to send, one aiohttp session."""

    def __init__(self, service_url: str, config, environ=os.environ):
        self.url = service_url if service_url.endswith("/") else service_url + "/"
        self.config = config
        self.environ = environ
        self._session = None

    @property
    def host(self) -> str:
        return urlparse(self.url).netloc

    def token(self) -> str:
        token = self.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not token:
            raise errors.hub_auth_failed(
                401, "this server has no JUPYTERHUB_API_TOKEN (is it started by JupyterHub?)"
            )
        return token

    def session(self):
        if self._session is None:
            import aiohttp

            timeout = aiohttp.ClientTimeout(
                total=None,
                connect=self.config.connect_timeout,
                sock_read=self.config.first_byte_timeout + self.config.read_timeout,
            )
            self._session = aiohttp.ClientSession(timeout=timeout, auto_decompress=False)
        return self._session

    def request(self, method: str, path: str, headers, body: bytes | None = None):
        sent = {k: v for k, v in headers.items() if k.lower() in _PASSED_REQUEST}
        sent["Authorization"] = f"token {self.token()}"
        if body is not None:
            sent["Content-Type"] = "application/json"
        return self.session().request(method, self.url + path, data=body, headers=sent)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class ForwardingHandler(GatewayResponses, APIHandler):
    auth_resource = "code-interpreter"

    @property
    def forwarder(self) -> HubForwarder:
        return self.settings[SETTINGS_KEY]

    def unreachable(self, err: BaseException) -> GatewayError:
        reason = f"{type(err).__name__}: {err}".rstrip(": ")
        return errors.upstream_unreachable(f"hub service {self.forwarder.host}", reason)

    async def pass_through(self, method: str, path: str, body: bytes | None = None) -> None:
        """Forward one request and relay its answer as it arrives."""
        import aiohttp

        try:
            async with self.forwarder.request(method, path, self.request.headers, body) as answer:
                self.set_status(answer.status)
                self.set_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                for name, value in passed_response_headers(answer.headers).items():
                    self.set_header(name, value)
                if answer.headers.get("Content-Type", "").startswith("text/event-stream"):
                    self.set_header("Cache-Control", "no-cache")
                    self.set_header("X-Accel-Buffering", "no")
                async for piece in answer.content.iter_any():
                    self.write(piece)
                    await self.flush()
        except GatewayError as error:
            return self.write_gateway_error(error)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            if self._headers_written:
                self.write(self.unreachable(err).sse_event())
            else:
                self.clear_header("Content-Type")
                return self.write_gateway_error(self.unreachable(err))
        except StreamClosedError:
            return
        self.finish()


class ForwardChatHandler(ForwardingHandler):
    """`POST code-interpreter/v1/chat/completions`; when the browser goes away the forwarded
    request is cancelled, so the service cancels its upstream call too. The body is read whole
    before jupyter_server authenticates (a refusal before the body is read would close the
    proxy's keep-alive connection); the service enforces its own limit again."""

    _task: asyncio.Task | None = None
    _client_gone = False

    def on_connection_close(self) -> None:
        self._client_gone = True
        if self._task is not None:
            self._task.cancel()
        super().on_connection_close()

    @web.authenticated
    @authorized
    async def post(self) -> None:
        limit = self.settings["code_interpreter_gateway"].config.max_request_bytes
        if len(self.request.body) > limit:
            return self.write_gateway_error(errors.request_too_large(format_size(limit)))
        self._task = asyncio.current_task()
        try:
            await self.pass_through("POST", "v1/chat/completions", self.request.body)
        except asyncio.CancelledError:
            if not self._client_gone:
                raise
        finally:
            self._task = None


class ForwardModelsHandler(ForwardingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.pass_through("GET", "v1/models")


class ForwardStatusHandler(ForwardingHandler):
    """The service's pool, marked `"mode": "hub"`; an unreachable service is reported as an
    unconfigured gateway whose message says why."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        import aiohttp

        forwarder = self.forwarder
        try:
            async with forwarder.request("GET", "status", self.request.headers) as answer:
                text = await answer.text()
                status = json.loads(text) if answer.status == 200 else None
                problem = None if status else _error_message(text, answer.status)
        except GatewayError as error:
            status, problem = None, error.message
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as err:
            status, problem = None, self.unreachable(err).message
        if status is None:
            status = {"configured": False, "models": [], "endpoints": [], "message": problem}
        status["mode"] = "hub"
        status["hub_service"] = forwarder.url
        self.finish(json.dumps(status))


def forwarding_handlers(
    handlers: list[tuple[str, type[APIHandler]]],
) -> list[tuple[str, type[APIHandler]]]:
    """The gateway's routes (routes.gateway_handlers) in forwarding mode: chat, models and
    status forward; the key routes go (this server holds no key); the others stay."""
    forwarded = {
        url_path_join(ROUTE_PREFIX, "v1/chat/completions"): ForwardChatHandler,
        url_path_join(ROUTE_PREFIX, "v1/models"): ForwardModelsHandler,
        url_path_join(ROUTE_PREFIX, "status"): ForwardStatusHandler,
    }
    keys = url_path_join(ROUTE_PREFIX, "keys")
    return [
        (path, forwarded.get(path, handler))
        for path, handler in handlers
        if not path.startswith(keys)
    ]


def _error_message(text: str, status: int) -> str:
    try:
        return json.loads(text)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"The hub service answered HTTP {status}."
