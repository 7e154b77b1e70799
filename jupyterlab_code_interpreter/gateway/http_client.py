"""The HTTP client that sends requests to the model endpoints: aiohttp's (its C HTTP parser and
keep-alive pool cost about a third of httpx's CPU per request here: see benchmarks/README.md).
Imported in a worker thread once the server runs, not at server start (aiohttp takes ~0.1 s
to import): `Gateway.load_client`.

Timeouts are enforced here, per phase: connect (aiohttp: TCP, TLS, or waiting for a pooled
connection), first byte (response headers and the first chunk, one deadline), and the gap
between two chunks. Redirects are never followed (the key must reach only the configured host).
Every failure becomes a `GatewayError` that names the endpoint's host, never its key.
"""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Mapping

import aiohttp
from yarl import URL

from . import errors
from .upstream import Timeouts, UpstreamRequest

if hasattr(asyncio, "timeout"):  # Python 3.11+: a deadline on the running task

    async def _within(awaitable, seconds: float):
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # pragma: no cover - Python 3.10
    _within = asyncio.wait_for  # wraps the awaitable in a Task: slower, same result


class UpstreamResponse:
    """An open response from the endpoint; close it with `aclose` (or `async with`)."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        host: str,
        deadline: float,
        first_byte_timeout: float,
        read_timeout: float,
    ):
        self._response = response
        self._content = response.content
        self._host = host
        # Monotonic time by which the next piece must arrive: the first byte's deadline, then
        # `read_timeout` after each piece.
        self._deadline = deadline
        self._timeout, self._phase = first_byte_timeout, "the first byte"
        self._read_timeout = read_timeout
        self.status: int = response.status
        self.headers: Mapping[str, str] = response.headers

    async def next_piece(self, silence: float = 0.0) -> bytes | None:
        """The next piece of the body as it arrives, within its timeout; b"" at the end.
        With `silence` > 0: None once that many seconds pass without a piece (the deadline not
        yet), so the caller can send a heartbeat and ask again; no Task per wait."""
        content = self._content
        try:
            # Already buffered (most non-streamed answers arrive with their headers): no
            # deadline to arm, no event-loop turn.
            piece = content.read_nowait()
            if not piece and not content.at_eof():
                remaining = self._deadline - time.monotonic()
                wait = min(silence, remaining) if silence > 0 else remaining
                try:
                    piece = await _within(content.readany(), max(0.0, wait))
                except asyncio.TimeoutError:
                    if wait < remaining:
                        return None
                    raise errors.upstream_timeout(self._host, self._phase, self._timeout) from None
        except (aiohttp.ClientError, OSError) as err:
            raise errors.stream_interrupted(self._host, _reason(err)) from None
        if piece:
            self._deadline = time.monotonic() + self._read_timeout
            self._timeout, self._phase = self._read_timeout, "waiting for the next chunk"
        return piece

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives, piece by piece, each within its timeout."""
        while piece := await self.next_piece():
            yield piece

    async def read(self, limit: int = 16 * 1024 * 1024) -> bytes:
        """The whole body (non-streamed answers and error bodies)."""
        parts: list[bytes] = []
        size = 0
        while piece := await self.next_piece():
            parts.append(piece)
            size += len(piece)
            if size > limit:
                break
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def aclose(self) -> None:
        # Back to the pool when the body was read to its end, else the connection is closed:
        # that is what cancels the upstream request when the browser goes away.
        self._response.release()

    async def __aenter__(self) -> UpstreamResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class UpstreamClient:
    """One shared connection pool per server, created on first use, closed by `aclose` (on
    server shutdown: see routes.py).

    `timeouts` has connect_timeout, first_byte_timeout and read_timeout (seconds), read per
    request so a changed config applies at once."""

    def __init__(self, timeouts: Timeouts, ssl_context: ssl.SSLContext | None = None):
        self.timeouts = timeouts
        self._ssl_context = ssl_context  # read from disk when first needed if not given
        self._session: aiohttp.ClientSession | None = None
        # Per URL: the parsed URL and the proxy from the environment (both fixed for a URL).
        self._targets: dict[str, tuple[URL, URL | None, dict[str, str] | None]] = {}
        self._client_timeouts: dict[float, aiohttp.ClientTimeout] = {}

    def _shared(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if self._ssl_context is None:
                self._ssl_context = ssl_context()
            connector = aiohttp.TCPConnector(limit=1000, ssl=self._ssl_context)
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Upstream cookies are not kept between requests (nor between users).
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                # The environment's proxies are read once per URL below; trust_env would also
                # read ~/.netrc in a thread on every request.
                trust_env=False,
            )
        return self._session

    async def open(
        self, host: str, request: UpstreamRequest, timeouts: Timeouts | None = None
    ) -> UpstreamResponse:
        """Send `request` and wait for the response headers (within the first-byte deadline).
        `timeouts` overrides the shared ones (an endpoint's own)."""
        session = self._shared()
        timeouts = timeouts or self.timeouts
        connect = timeouts.connect_timeout
        first_byte = timeouts.first_byte_timeout
        deadline = time.monotonic() + first_byte
        url, proxy, proxy_headers = self._target(request.url)
        headers = request.headers
        if proxy_headers and url.scheme == "http":
            # A plain-HTTP request goes to the proxy as it is: its credentials travel with it
            # (aiohttp sends proxy_headers only on the CONNECT that tunnels HTTPS).
            headers, proxy_headers = {**headers, **proxy_headers}, None
        sending = session.request(
            "POST",
            url,
            data=request.content,
            headers=headers,
            timeout=self._client_timeout(connect),
            allow_redirects=False,
            proxy=proxy,
            proxy_headers=proxy_headers,
        )
        try:
            response = await _within(sending, first_byte)
        except aiohttp.ConnectionTimeoutError:
            raise errors.upstream_timeout(host, "connecting", connect) from None
        except asyncio.TimeoutError:
            raise errors.upstream_timeout(host, "the first byte", first_byte) from None
        except (aiohttp.ClientError, OSError, ValueError) as err:
            raise errors.upstream_unreachable(host, _reason(err)) from None
        return UpstreamResponse(response, host, deadline, first_byte, timeouts.read_timeout)

    def _target(self, url: str) -> tuple[URL, URL | None, dict[str, str] | None]:
        # Parsing the URL and looking up the proxy are a measurable part of a request's CPU;
        # endpoints are few.
        target = self._targets.get(url)
        if target is None:
            if len(self._targets) > 256:
                self._targets.clear()
            parsed = URL(url)
            target = self._targets[url] = (parsed, *_env_proxy(parsed))
        return target

    def _client_timeout(self, connect: float) -> aiohttp.ClientTimeout:
        timeout = self._client_timeouts.get(connect)
        if timeout is None:
            # `connect` includes waiting for a free pooled connection, as httpx's pool timeout
            # did; read deadlines are ours (UpstreamResponse.next_piece).
            timeout = aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect)
            self._client_timeouts[connect] = timeout
        return timeout

    @property
    def closed(self) -> bool:
        """No connection pool is open (none yet, or closed by `aclose`)."""
        return self._session is None or self._session.closed

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


def ssl_context() -> ssl.SSLContext:
    """The trust store httpx used: SSL_CERT_FILE, else SSL_CERT_DIR, else certifi's bundle
    (else the system's)."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with jupyterlab's httpx
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _env_proxy(url: URL) -> tuple[URL | None, dict[str, str] | None]:
    """The proxy the environment names for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, with
    NO_PROXY), as httpx honoured them, and its credentials, if any, as the header for it."""
    if url.host and urllib.request.proxy_bypass(url.host):
        return None, None
    proxies = urllib.request.getproxies()
    found = proxies.get(url.scheme) or proxies.get("all")
    if not found:
        return None, None
    proxy = URL(found if "://" in found else f"http://{found}")
    if not proxy.user:
        return proxy, None
    credentials = f"{proxy.user}:{proxy.password or ''}".encode()
    header = "Basic " + base64.b64encode(credentials).decode("ascii")
    return proxy.with_user(None), {"Proxy-Authorization": header}


def _reason(err: Exception) -> str:
    # Messages can include the URL; the URL holds no key (keys travel in headers only).
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
