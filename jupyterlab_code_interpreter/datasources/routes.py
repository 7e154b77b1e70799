"""HTTP routes of the data sources.

- `GET <base_url>/code-interpreter/data-sources[?refresh=1]` (Jupyter authentication): each
  source's name, password-free URL, read-only flag and schema, for the model's context.
- `POST <base_url>/code-interpreter/data-sources/password`: a kernel's `connect(name)` asks for
  a source's password here. It has no Jupyter token or cookie, so the route uses neither: the
  request must come from the loopback interface and be signed (HMAC-SHA256) with the
  connection key of a kernel this server started, which only the server and that kernel hold
  (registry.py `password_for`). The answer is the only response that ever holds a password.
"""

from __future__ import annotations

import json
import time

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .registry import DataSourceRegistry, PasswordRefused

SETTINGS_KEY = "code_interpreter_data_sources"
ROUTE = url_path_join("code-interpreter", "data-sources")
PASSWORD_ROUTE = url_path_join(ROUTE, "password")
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
MAX_BODY_BYTES = 4096


class DataSourcesHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        registry: DataSourceRegistry = self.settings[SETTINGS_KEY]
        refresh = self.get_query_argument("refresh", "") in ("1", "true")
        described = await registry.describe(refresh=refresh)
        for source in described["sources"]:
            if source["error"]:
                self.log.warning("code-interpreter data sources: %s", source["error"])
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(described))


class PasswordHandler(web.RequestHandler):
    def check_xsrf_cookie(self) -> None:
        """No cookie is involved: the signature is the authentication."""

    @allow_unauthenticated
    def post(self) -> None:
        registry: DataSourceRegistry = self.settings[SETTINGS_KEY]
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        try:
            server_ip = getattr(self.settings.get("serverapp"), "ip", "")
            if self.request.remote_ip not in LOOPBACK | {server_ip}:
                raise PasswordRefused(403, "passwords are given to local kernels only")
            if len(self.request.body) > MAX_BODY_BYTES:
                raise PasswordRefused(413, "the request is too large")
            try:
                body = json.loads(self.request.body or b"null")
            except ValueError:
                raise PasswordRefused(400, "the request is not JSON") from None
            password = registry.password_for(body, kernel_keys(self.settings), time.time())
        except PasswordRefused as refused:
            self.set_status(refused.status)
            self.finish(json.dumps({"message": str(refused)}))
            return
        self.finish(json.dumps({"password": password}))


def kernel_keys(settings) -> list[bytes]:
    """The connection keys of the kernels this server runs now."""
    manager = settings.get("kernel_manager")
    if manager is None:
        return []
    keys = []
    for kernel_id in list(manager.list_kernel_ids()):
        try:
            keys.append(manager.get_kernel(kernel_id).session.key)
        except (KeyError, AttributeError):
            continue
    return keys


def password_route_url(server_app) -> str:
    """The password route as a kernel on this machine reaches it (loopback address)."""
    scheme = "https" if getattr(server_app, "certfile", "") else "http"
    ip = server_app.ip or ""
    if ip in ("", "0.0.0.0", "*", "localhost", "127.0.0.1"):
        host = "127.0.0.1"
    elif ip in ("::", "::1"):
        host = "[::1]"
    else:
        host = f"[{ip}]" if ":" in ip else ip
    path = url_path_join(server_app.base_url or "/", PASSWORD_ROUTE)
    return f"{scheme}://{host}:{server_app.port}{path}"


def data_source_handlers() -> list[tuple[str, type]]:
    return [(ROUTE, DataSourcesHandler), (PASSWORD_ROUTE, PasswordHandler)]


def data_source_settings(config) -> dict[str, object]:
    registry = DataSourceRegistry(config.sources, config.schema_cache_seconds, config.max_tables)
    return {SETTINGS_KEY: registry}
