"""The request to the model endpoint, built purely: URL from the endpoint's configuration only,
the key in the header its kind expects, the client's safe headers, `model` replaced. The HTTP
client that sends it is in http_client.py.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlencode

from . import errors
from .endpoint import Endpoint

_MODEL_KEY = re.compile(rb'"model"\s*:\s*')

# The only browser headers forwarded to the endpoint: what the openai SDK sends about itself
# (x-stainless-*: language, version, retry count, timeout) and content negotiation. Everything
# else stays here: our credentials and cookies, hop-by-hop headers, headers that steer a
# request elsewhere on their way (Host, Forwarded, X-Forwarded-*, X-Original-URL,
# X-Rewrite-URL, X-HTTP-Method-Override…), and whatever a proxy in front of Jupyter adds about
# the user (X-Remote-User, X-Auth-Request-Email…), which an endpoint has no business seeing.
_PASSED_REQUEST_HEADERS = frozenset({"accept", "user-agent", "openai-beta"})
_PASSED_REQUEST_PREFIXES = ("x-stainless-",)

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
    replaced when that can be done unambiguously (faster than serialising it again). The
    client's headers pass only if they are on the short list above."""
    headers = {}
    for name, value in client_headers.items():
        lower = name.lower()
        if lower in _PASSED_REQUEST_HEADERS or lower.startswith(_PASSED_REQUEST_PREFIXES):
            headers[name] = value
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
    if raw_body is not None and isinstance(alias, str) and raw_body.count(b'"model"') == 1:
        found = _model_key_holding(alias).search(raw_body)
        if found is not None:
            replacement = b'"model":' + json.dumps(model).encode()
            return raw_body[: found.start()] + replacement + raw_body[found.end() :]
    try:
        return json.dumps({**body, "model": model}).encode()
    except RecursionError:  # parsed a few frames higher up the stack, just within the limit
        raise errors.invalid_json("it is nested too deeply") from None


@functools.lru_cache(maxsize=64)
def _model_key_holding(alias: str) -> re.Pattern[bytes]:
    """`"model":` followed by `alias` as JSON; compiled once per alias (aliases are few)."""
    return re.compile(_MODEL_KEY.pattern + re.escape(json.dumps(alias).encode()))


def passed_response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The endpoint's response headers the browser may see."""
    return {
        name.lower(): value
        for name, value in headers.items()
        if name.lower() in _PASSED_RESPONSE_HEADERS
        or name.lower().startswith(_PASSED_RESPONSE_PREFIXES)
    }
