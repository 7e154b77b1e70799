"""The gateway core: resolve the endpoint, map aliases, open the upstream call.

No tornado here; the handlers in routes.py parse, authorise, call one method of `Gateway` and
map its `GatewayError`s to HTTP.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from . import errors
from .config import CodeInterpreter
from .endpoint import DEFAULT_ALIAS, Endpoint, Resolution, resolve
from .upstream import UpstreamClient, UpstreamResponse, build_chat_request
from .user_settings import UserSettingsFile


@dataclass
class GatewayStats:
    """Counters the tests and the status page can observe."""

    in_flight: int = 0
    requests: int = 0
    cancelled_by_client: int = 0


class Gateway:
    """One per server."""

    def __init__(
        self,
        config: CodeInterpreter,
        user_settings: UserSettingsFile,
        environ: Mapping[str, str] = os.environ,
    ):
        self.config = config
        self.user_settings = user_settings
        self.environ = environ
        self.stats = GatewayStats()
        self.client = UpstreamClient(config)

    def resolution(self) -> Resolution:
        setting, problem = self.user_settings.endpoint()
        return resolve(self.config.endpoint, setting, self.environ, problem)

    def status(self) -> dict:
        """What the chat's empty state shows: no URLs with credentials, no keys."""
        found = self.resolution()
        endpoint = found.endpoints[0] if found.endpoints else None
        if endpoint is None:
            message = (
                errors.endpoint_invalid(found.problem).message
                if found.problem
                else errors.no_endpoint_configured().message
            )
        elif endpoint.kind == "azure" and not self.environ.get(endpoint.api_key_env):
            message = errors.api_key_missing(endpoint.api_key_env, endpoint.where).message
        else:
            message = ""
        return {
            "configured": endpoint is not None,
            "source": found.source,
            "kind": endpoint.kind if endpoint else None,
            "host": endpoint.host if endpoint else None,
            "models": found.aliases(),
            "message": message,
        }

    def models(self) -> dict:
        """OpenAI's list shape; aliases only, nothing about where they point."""
        return {
            "object": "list",
            "data": [
                {"id": alias, "object": "model", "created": 0, "owned_by": "code-interpreter"}
                for alias in self.resolution().aliases()
            ],
        }

    async def open_chat(
        self, raw_body: bytes, client_headers: Mapping[str, str]
    ) -> tuple[dict, Endpoint, UpstreamResponse]:
        """Parse the browser's request and open the upstream call.

        Returns (the request body, the endpoint, the open response). Raises `GatewayError` for
        everything the browser should see as an HTTP error, including upstream auth failures."""
        body = _parse_body(raw_body)
        found = self.resolution()
        if not found.configured:
            if found.problem:
                raise errors.endpoint_invalid(found.problem)
            raise errors.no_endpoint_configured()
        alias = body.get("model") or DEFAULT_ALIAS
        endpoint = found.route(alias) if isinstance(alias, str) else None
        if endpoint is None:
            raise errors.model_not_found(str(alias), found.aliases())
        api_key = self.environ.get(endpoint.api_key_env) or None
        if api_key is None and endpoint.kind == "azure":
            raise errors.api_key_missing(endpoint.api_key_env, endpoint.where)
        request = build_chat_request(endpoint, body, client_headers, api_key)
        self.stats.requests += 1
        response = await self.client.open(endpoint.host, request)
        if response.status in (401, 403):
            # The body may echo part of the key: drop it unread.
            await response.aclose()
            raise errors.upstream_auth_rejected(
                response.status, endpoint.where, endpoint.api_key_env if api_key else None
            )
        return body, endpoint, response

    def scrub(self, endpoint: Endpoint, data: bytes) -> bytes:
        """Remove the endpoint's key from a body passed through, should it ever echo it."""
        key = self.environ.get(endpoint.api_key_env)
        if key and len(key) >= 8:
            return data.replace(key.encode(), b"***")
        return data

    async def aclose(self) -> None:
        await self.client.aclose()


def _parse_body(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as err:
        raise errors.invalid_json(f"it is not valid JSON ({type(err).__name__})") from None
    if not isinstance(body, dict):
        raise errors.invalid_json(f"got a JSON {type(body).__name__}")
    return body
