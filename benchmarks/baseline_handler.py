"""Trivial authenticated jupyter_server API routes, loaded only by gateway_overhead.py: the
floor any extension's handler pays in jupyter_server (token authentication, the authorizer,
XSRF check, tornado), with no work of its own, and two floors of a gateway (`--floor`).

- `POST /bench-baseline` answers `{}`.
- `POST /bench-baseline/sleep` answers `{}` after a 0.7 ms timer: what being suspended once
  (as any relay is while the endpoint answers) costs the server.
- `POST /bench-baseline/passthrough` sends the body to `OPENAI_BASE_URL` with aiohttp (shared
  session, no timeouts, no routing, no checks) and answers what comes back: the least a relay
  inside jupyter_server can cost."""

import asyncio
import os

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

_SESSION = {}


class BaselineHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def post(self, variant: str | None = None) -> None:
        body = b"{}"
        if variant == "sleep":
            await asyncio.sleep(0.0007)
        elif variant == "passthrough":
            body = await self._passthrough()
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    async def _passthrough(self) -> bytes:
        import aiohttp

        if "session" not in _SESSION:
            _SESSION["session"] = aiohttp.ClientSession()
        url = os.environ["OPENAI_BASE_URL"] + "/chat/completions"
        headers = {
            "authorization": f"Bearer {os.environ['OPENAI_API_KEY']}",
            "content-type": "application/json",
        }
        model = os.environ["OPENAI_MODEL"].encode()
        content = self.request.body.replace(b'"default"', b'"' + model + b'"')
        async with _SESSION["session"].post(url, data=content, headers=headers) as response:
            return await response.read()


def _jupyter_server_extension_points():
    return [{"module": "baseline_handler"}]


def _load_jupyter_server_extension(server_app):
    web_app = server_app.web_app
    route = url_path_join(web_app.settings["base_url"], "bench-baseline")
    web_app.add_handlers(
        ".*$", [(route, BaselineHandler), (route + "/(sleep|passthrough)", BaselineHandler)]
    )
