"""Trivial authenticated jupyter_server API routes, loaded only by gateway_overhead.py: the
floor any extension's handler pays in jupyter_server (token authentication, the authorizer,
XSRF check, tornado), with no work of its own, and three floors of a gateway (`--floor`).

- `POST /bench-baseline` answers `{}`.
- `POST /bench-baseline/sleep` answers `{}` after a 0.7 ms timer: what being suspended once
  (as any relay is while the endpoint answers) costs the server.
- `POST /bench-baseline/raw` relays the request over one kept-alive socket to the simulator
  with no HTTP client at all (the request written as bytes, the answer read up to its
  Content-Length; of a stream, the first chunk sent at once and the rest at the end): the least
  any relay inside jupyter_server can cost.
- `POST /bench-baseline/passthrough` sends the body to `OPENAI_BASE_URL` with aiohttp (shared
  session, no timeouts, no routing, no checks) and answers what comes back, a stream piece by
  piece as it arrives: the least a relay with an HTTP client costs."""

import asyncio
import os
from urllib.parse import urlsplit

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

_SESSION = {}
_RAW = {}


class BaselineHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def post(self, variant: str | None = None) -> None:
        body = b"{}"
        if variant == "sleep":
            await asyncio.sleep(0.0007)
        elif variant == "raw":
            await self._raw()
            return
        elif variant == "passthrough":
            await self._passthrough()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    def _upstream(self) -> tuple[str, dict[str, str], bytes]:
        url = os.environ["OPENAI_BASE_URL"] + "/chat/completions"
        headers = {
            "authorization": f"Bearer {os.environ['OPENAI_API_KEY']}",
            "content-type": "application/json",
        }
        model = os.environ["OPENAI_MODEL"].encode()
        return url, headers, self.request.body.replace(b'"default"', b'"' + model + b'"')

    async def _passthrough(self) -> None:
        import aiohttp

        if "session" not in _SESSION:
            _SESSION["session"] = aiohttp.ClientSession()
        url, headers, content = self._upstream()
        async with _SESSION["session"].post(url, data=content, headers=headers) as response:
            self.set_header("Content-Type", response.headers.get("content-type", ""))
            if not response.headers.get("content-type", "").startswith("text/event-stream"):
                self.finish(await response.read())
                return
            async for piece in response.content.iter_any():
                self.write(piece)
                await self.flush()
            self.finish()

    async def _raw(self) -> None:
        url, headers, content = self._upstream()
        target = urlsplit(url)
        if "conn" not in _RAW or _RAW["conn"][0].at_eof():  # none yet, or closed when idle
            _RAW["conn"] = await asyncio.open_connection(target.hostname, target.port)
        reader, writer = _RAW["conn"]
        lines = [f"POST {target.path} HTTP/1.1", f"Host: {target.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(content)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + content)
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        if b"transfer-encoding: chunked" not in head:
            length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            self.set_header("Content-Type", "application/json")
            self.finish(await reader.readexactly(length))
            return
        # A stream (size line, data, CRLF per chunk): the first chunk is sent as soon as it is
        # read, the others with the end (only the time to the first is measured).
        self.set_header("Content-Type", "text/event-stream")
        first = True
        while size := int((await reader.readuntil(b"\r\n"))[:-2], 16):
            self.write((await reader.readexactly(size + 2))[:-2])
            if first:
                await self.flush()
                first = False
        await reader.readexactly(2)
        self.finish()


def _jupyter_server_extension_points():
    return [{"module": "baseline_handler"}]


def _load_jupyter_server_extension(server_app):
    web_app = server_app.web_app
    route = url_path_join(web_app.settings["base_url"], "bench-baseline")
    web_app.add_handlers(
        ".*$", [(route, BaselineHandler), (route + "/(sleep|raw|passthrough)", BaselineHandler)]
    )
