"""The request to the model endpoint (built purely) and the streaming HTTP client that sends it.

Timeouts are enforced here, per phase: connect (httpx), first byte (response headers and the
first chunk, one deadline), and the gap between two chunks. Every failure becomes a
`GatewayError` that names the endpoint's host, never its key.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlencode

import httpx

from . import errors
from .endpoint import Endpoint


def _cache_missing_sniffio() -> None:
    """httpcore runs `import sniffio` on every request (to tell asyncio from trio); anyio 4
    no longer installs sniffio, and a failed import is not cached, so each request searched
    sys.path for it again: four times per request, about 0.5 ms in all (measured with
    cProfile, see benchmarks/README.md). `None` in sys.modules makes the import fail at
    once, which httpcore takes as asyncio, what it was concluding anyway."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_cache_missing_sniffio()

if hasattr(asyncio, "timeout"):  # Python 3.11+: a deadline on the running task

    async def _within(awaitable, seconds: float):
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # pragma: no cover - Python 3.10
    _within = asyncio.wait_for  # wraps the awaitable in a Task: slower, same result

_MODEL_KEY = re.compile(rb'"model"\s*:\s*')

# Never forwarded to the endpoint: our own credentials and cookies, hop-by-hop headers, and
# anything that would steer the request somewhere else.
_DROPPED_REQUEST_HEADERS = frozenset(
    {
        "authorization",
        "api-key",
        "cookie",
        "x-xsrftoken",
        "x-csrftoken",
        "host",
        "origin",
        "referer",
        "content-length",
        "content-type",
        "accept-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "forwarded",
        "x-real-ip",
    }
)
_DROPPED_REQUEST_PREFIXES = ("proxy-", "x-forwarded-", "sec-")

# Passed back to the browser: what the openai SDK reads to decide whether and when to retry.
_PASSED_RESPONSE_HEADERS = frozenset(
    {"retry-after", "retry-after-ms", "x-should-retry", "x-request-id", "apim-request-id"}
)
_PASSED_RESPONSE_PREFIXES = ("x-ratelimit-",)


class Timeouts(Protocol):
    connect_timeout: float
    first_byte_timeout: float
    read_timeout: float


@dataclass(frozen=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    content: bytes


def build_chat_request(
    endpoint: Endpoint,
    body: dict,
    client_headers: Mapping[str, str],
    api_key: str | None,
    bearer: bool | None = None,
    raw_body: bytes | None = None,
) -> UpstreamRequest:
    """The chat completions request for `endpoint`: `model` rewritten, the key in the header
    the endpoint's kind expects (`bearer` forces `Authorization: Bearer`, as Entra ID tokens
    need on Azure), the client's safe headers kept. The URL comes only from the endpoint's
    configuration. `raw_body`, the bytes `body` was parsed from, is sent with only `model`
    replaced when that can be done unambiguously (faster than serialising it again)."""
    headers = {
        name: value
        for name, value in client_headers.items()
        if name.lower() not in _DROPPED_REQUEST_HEADERS
        and not name.lower().startswith(_DROPPED_REQUEST_PREFIXES)
    }
    headers["content-type"] = "application/json"
    headers["accept-encoding"] = "identity"  # compressed SSE would be buffered
    content = _with_model(raw_body, body, endpoint.model)
    if endpoint.kind == "azure":
        query = urlencode({"api-version": endpoint.api_version})
        deployment = quote(endpoint.model, safe="")
        url = f"{endpoint.base_url}/openai/deployments/{deployment}/chat/completions?{query}"
        if api_key and bearer:
            headers["authorization"] = f"Bearer {api_key}"
        elif api_key:
            headers["api-key"] = api_key
    else:
        url = f"{endpoint.base_url}/chat/completions"
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
    return UpstreamRequest(url=url, headers=headers, content=content)


def _with_model(raw_body: bytes | None, body: dict, model: str) -> bytes:
    """`body` with `model` set. A JSON string cannot hold an unescaped quote, so `"model":`
    in the raw bytes is a key; when exactly one such key holds the parsed value, it is the
    top-level one and only its value is replaced. Otherwise the body is serialised again."""
    alias = body.get("model")
    if raw_body is not None and isinstance(alias, str):
        pattern = _MODEL_KEY.pattern + re.escape(json.dumps(alias).encode())
        found = re.findall(pattern, raw_body)
        if len(found) == 1 and raw_body.count(b'"model"') == 1:
            replacement = b'"model":' + json.dumps(model).encode()
            return re.sub(pattern, lambda _: replacement, raw_body, count=1)
    return json.dumps({**body, "model": model}).encode()


def passed_response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The endpoint's response headers the browser may see."""
    return {
        name.lower(): value
        for name, value in headers.items()
        if name.lower() in _PASSED_RESPONSE_HEADERS
        or name.lower().startswith(_PASSED_RESPONSE_PREFIXES)
    }


class UpstreamResponse:
    """An open response from the endpoint; close it with `aclose` (or `async with`)."""

    def __init__(self, response: httpx.Response, host: str, deadline: float, read_timeout: float):
        self._response = response
        self._host = host
        self._deadline = deadline  # monotonic time by which the first chunk must arrive
        self._read_timeout = read_timeout
        self.status: int = response.status_code
        self.headers: Mapping[str, str] = response.headers

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives, piece by piece, each within its timeout."""
        pieces = self._response.aiter_bytes()
        first = True
        while True:
            if first:
                timeout, phase = max(0.0, self._deadline - time.monotonic()), "the first byte"
            else:
                timeout, phase = self._read_timeout, "waiting for the next chunk"
            try:
                piece = await _within(pieces.__anext__(), timeout)
            except StopAsyncIteration:
                return
            except asyncio.TimeoutError:
                raise errors.upstream_timeout(self._host, phase, timeout) from None
            except httpx.HTTPError as err:
                raise errors.stream_interrupted(self._host, _reason(err)) from None
            if piece:
                first = False
                yield piece

    async def read(self, limit: int = 16 * 1024 * 1024) -> bytes:
        """The whole body (non-streamed answers and error bodies)."""
        parts: list[bytes] = []
        size = 0
        async for piece in self.chunks():
            parts.append(piece)
            size += len(piece)
            if size > limit:
                break
        return b"".join(parts)

    async def aclose(self) -> None:
        await self._response.aclose()

    async def __aenter__(self) -> UpstreamResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class UpstreamClient:
    """One shared connection pool per server, created on first use.

    `timeouts` has connect_timeout, first_byte_timeout and read_timeout (seconds), read per
    request so a changed config applies at once."""

    def __init__(self, timeouts: Timeouts):
        self.timeouts = timeouts
        self._client: httpx.AsyncClient | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._timeouts: dict[float, httpx.Timeout] = {}

    def _shared(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            # Read deadlines are ours (see UpstreamResponse.chunks); httpx handles connect.
            timeout = httpx.Timeout(None)
            limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
            self._client = httpx.AsyncClient(timeout=timeout, limits=limits)
        return self._client

    async def open(
        self, host: str, request: UpstreamRequest, timeouts: Timeouts | None = None
    ) -> UpstreamResponse:
        """Send `request` and wait for the response headers (within the first-byte deadline).
        `timeouts` overrides the shared ones (an endpoint's own)."""
        client = self._shared()
        timeouts = timeouts or self.timeouts
        connect = timeouts.connect_timeout
        first_byte = timeouts.first_byte_timeout
        deadline = time.monotonic() + first_byte
        outgoing = client.build_request(
            "POST",
            self._url(request.url),
            headers=request.headers,
            content=request.content,
            timeout=self._timeout(connect),
        )
        try:
            response = await _within(client.send(outgoing, stream=True), first_byte)
        except asyncio.TimeoutError:
            raise errors.upstream_timeout(host, "the first byte", first_byte) from None
        except httpx.ConnectTimeout:
            raise errors.upstream_timeout(host, "connecting", connect) from None
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as err:
            raise errors.upstream_unreachable(host, _reason(err)) from None
        except httpx.HTTPError as err:
            raise errors.upstream_unreachable(host, _reason(err)) from None
        return UpstreamResponse(response, host, deadline, timeouts.read_timeout)

    def _url(self, url: str) -> httpx.URL:
        # Parsing the URL is a measurable part of httpx's per-request work; endpoints are few.
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) > 256:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    def _timeout(self, connect: float) -> httpx.Timeout:
        timeout = self._timeouts.get(connect)
        if timeout is None:
            timeout = httpx.Timeout(connect=connect, read=None, write=connect, pool=connect)
            self._timeouts[connect] = timeout
        return timeout

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _reason(err: Exception) -> str:
    # httpx messages can include the URL; the URL holds no key (keys travel in headers only).
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
