"""The gateway core: resolve the pool, choose a deployment, move to another on failure.

No tornado here; the handlers in routes.py parse, authorise, call one method of `Gateway` and
map its `GatewayError`s to HTTP. The choice is router.py's, health is breaker.py's, and what
each request came to is booked by its deployment in one call (`Deployment.record`, reported
by the relay); this module is the loop between them: a request moves to another deployment at
once (never sleeping while one is healthy) until one answers, the hops or the time budget run
out, or the request itself is at fault (400/404).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ..request_body import BodyError, parse_json
from . import errors
from .breaker import COOLING
from .config import CodeInterpreter
from .deployment import Deployment, Outcome, Verdict, retry_after_seconds
from .endpoint import DEFAULT_ALIAS, Endpoint
from .keys import KeyMissing, KeyResolver, KeyStore, has_key_source
from .pool import Pool, resolve_pool
from .relay import Relay, estimate_tokens
from .router import Router
from .scrub import scrubber_for
from .status import pool_status
from .upstream import UpstreamRequest, build_chat_request
from .user_settings import UserSettingsFile

if TYPE_CHECKING:
    from .http_client import UpstreamClient

# The longest a request waits, in all, for a deployment's short-window share to free up
# rather than being answered 429 at once. Only when no deployment has room; never more.
PACING_LIMIT = 1.0
# How often a request with nowhere to go looks again while a new deployment's first request
# is out (slow start, breaker.py): its answer frees the deployment for all.
SLOW_START_POLL = 0.01
_ENV_NAMES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION")
_ENV_NAMES += ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL")


@dataclass
class GatewayStats:
    """Counters the tests and the status page can observe."""

    in_flight: int = 0
    requests: int = 0
    cancelled_by_client: int = 0


class _Retry(Exception):
    """This deployment failed before the first byte; `answer` is what the browser gets if no
    other deployment does better."""

    def __init__(self, answer: GatewayErrorOrRelay):
        self.answer = answer


GatewayErrorOrRelay = errors.GatewayError | Relay


class _Lines:
    """Requests waiting for a deployment to have room, one line per set of deployments, served
    first come, first served: only the first in a line polls for the next free slot, the others
    wait for their turn, so a freed slot wakes one waiter rather than all of them, and a request
    that has just arrived cannot take it before one that has waited longer."""

    def __init__(self) -> None:
        self._lines: dict[frozenset[str], deque[asyncio.Future]] = {}

    def busy(self, key: frozenset[str]) -> bool:
        return bool(self._lines.get(key))

    def join(self, key: frozenset[str]) -> asyncio.Future:
        """A place at the end of the line; done when it is this request's turn."""
        line = self._lines.setdefault(key, deque())
        turn = asyncio.get_running_loop().create_future()
        if not line:
            turn.set_result(None)
        line.append(turn)
        return turn

    def leave(self, key: frozenset[str], turn: asyncio.Future) -> None:
        """Out of the line (served, gave up or cancelled); the next one's turn if it was first."""
        line = self._lines.get(key)
        if not line or turn not in line:
            return
        first = line[0] is turn
        line.remove(turn)
        if not line:
            del self._lines[key]
        elif first and not line[0].done():
            line[0].set_result(None)


class Gateway:
    """One per server.

    `clock` (monotonic seconds) is the only time the core, the deployments and their breakers
    read, and `sleep` the only way pacing waits, so tests drive both with a fake clock;
    `wall_clock` (Unix time) only turns clock times into dates for the status route. The
    deployments take `clock` when the pool is first resolved (on the first request)."""

    def __init__(
        self,
        config: CodeInterpreter,
        user_settings: UserSettingsFile,
        environ: Mapping[str, str] = os.environ,
        key_store: KeyStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        log: logging.Logger | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.config = config
        self.user_settings = user_settings
        self.environ = environ
        self.stats = GatewayStats()
        self._client: UpstreamClient | None = None
        self._client_loading: asyncio.Future[UpstreamClient] | None = None
        self.keys = KeyResolver(environ, key_store or KeyStore())
        self.router = Router()
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.log = log or logging.getLogger(__name__)
        self._pool_input: object = None
        self._pool = Pool()
        self._deployments: dict[Endpoint, Deployment] = {}
        self._lines = _Lines()

    @property
    def client(self) -> UpstreamClient:
        """The shared HTTP client, created (and aiohttp imported, here, in place) on first use;
        requests use `load_client`, which does not hold up the event loop."""
        if self._client is None:
            from .http_client import UpstreamClient

            self._client = UpstreamClient(self.config)
        return self._client

    def load_client(self) -> asyncio.Future[UpstreamClient]:
        """The shared HTTP client, made ready off the event loop: importing aiohttp and reading
        the trust store take ~0.2 s, which on the loop would stall every route of the server.
        The extension starts this once the server runs (app.py), so the first chat request
        usually finds the client ready; one that comes sooner awaits the same future."""
        if self._client is not None:
            ready = asyncio.get_running_loop().create_future()
            ready.set_result(self._client)
            return ready
        loading = self._client_loading
        if loading is None or loading.cancelled() or (loading.done() and loading.exception()):
            # None yet, or the last try failed: the next request tries again.
            self._client_loading = asyncio.ensure_future(self._make_client())
        return self._client_loading

    async def _make_client(self) -> UpstreamClient:
        module, ssl_context = await asyncio.to_thread(_import_client)
        if self._client is None:
            self._client = module.UpstreamClient(self.config, ssl_context)
        return self._client

    def pool(self) -> Pool:
        """The current pool, resolved again only when its inputs change; new configuration
        errors are logged once."""
        # Checked on every request, so kept cheap: the settings file by its stamp (one stat),
        # not by its content.
        inputs = (
            repr(self.config.endpoints),
            repr(self.config.endpoint),
            self.config.allow_user_endpoints,
            self.config.allow_user_key_sources,
            self.user_settings.stamp(),
            tuple(map(self.environ.get, _ENV_NAMES)),
        )
        if inputs != self._pool_input:
            setting, problem = self.user_settings.endpoint()
            pool = resolve_pool(
                self.config.endpoints,
                self.config.endpoint,
                self.user_settings.endpoints(),
                setting,
                self.environ,
                problem,
                allow_user_endpoints=self.config.allow_user_endpoints,
                allow_user_key_sources=self.config.allow_user_key_sources,
            )
            for error in pool.errors:
                self.log.error("code-interpreter gateway: invalid endpoint: %s", error.message)
            for note in pool.notes:
                self.log.warning("code-interpreter gateway: %s", note)
            self._pool_input, self._pool = inputs, pool
            self._deployments = {
                e: self._deployments.get(e) or self._new(e) for e in pool.endpoints
            }
        return self._pool

    def _new(self, endpoint: Endpoint) -> Deployment:
        return Deployment(
            endpoint.label,
            endpoint.tier,
            endpoint.weight,
            endpoint.rpm,
            endpoint.tpm,
            self.clock,
            log=self.log,
            wall_clock=lambda: self.wall_clock(),
        )

    def deployment(self, endpoint: Endpoint) -> Deployment:
        self.pool()
        return self._deployments[endpoint]

    def status(self) -> dict:
        return pool_status(self)

    def models(self) -> dict:
        """OpenAI's list shape; aliases only, nothing about where they point."""
        return {
            "object": "list",
            "data": [
                {"id": alias, "object": "model", "created": 0, "owned_by": "code-interpreter"}
                for alias in self.pool().aliases()
            ],
        }

    async def open_chat(self, raw_body: bytes, client_headers: Mapping[str, str]) -> Relay:
        """Parse the browser's request and get an answer started from some deployment.

        Raises `GatewayError` for everything the browser should see as an HTTP error."""
        body = _parse_body(raw_body)
        pool = self.pool()
        if not pool.configured:
            if pool.problem:
                raise errors.endpoint_invalid(pool.problem)
            if pool.notes:
                raise errors.user_endpoints_disabled(" ".join(pool.notes))
            raise errors.no_endpoint_configured()
        alias = body.get("model") or DEFAULT_ALIAS
        serving = pool.serving(alias) if isinstance(alias, str) else []
        if not serving:
            raise errors.model_not_found(str(alias), pool.aliases())
        usable = [e for e in serving if self.keys.missing(e) is None]
        if not usable:
            raise errors.key_missing(self.keys.missing(serving[0]), serving[0].where)
        candidates = {self._deployments[e].name: (e, self._deployments[e]) for e in usable}
        deployments = [d for _, d in candidates.values()]
        tokens = estimate_tokens(raw_body, body)
        self.stats.requests += 1
        tried: list[str] = []
        rate_limited: set[str] = set()
        answer: GatewayErrorOrRelay | None = None
        # Hops after slow failures (5xx, timeouts, resets) are bounded; a 429 or a rejected
        # key answers at once and benches that deployment, so moving on from it is free.
        # Each deployment is tried at most once per request, or twice when its first answer
        # was a 429 whose cooldown ends within the pacing allowance.
        slow_failures = 0
        paced = 0.0  # seconds waited for a share to free up, at most PACING_LIMIT in all
        started = self.clock()
        # A request that has not tried anything yet waits in line behind those already waiting
        # for the same deployments (a request that has, e.g. after a 5xx, may be unable to use
        # the slot the others wait for, so it paces on its own).
        line, turn = frozenset(candidates), None
        try:
            while (
                len(tried) < len(deployments)
                and slow_failures <= max(0, self.config.max_hops)
                and self.clock() - started < self.config.retry_budget
            ):
                if turn is None and not tried and self._lines.busy(line):
                    turn = self._lines.join(line)
                if turn is not None and not turn.done():
                    waiting = self.clock()
                    served = await self._await_turn(turn, PACING_LIMIT - paced)
                    paced += self.clock() - waiting
                    if not served:
                        break
                chosen = self.router.pick(deployments, tokens, exclude=tried)
                if chosen is None:
                    pause = self._pacing(deployments, tried)
                    if pause is None or paced + pause > PACING_LIMIT:
                        break
                    if turn is None and not tried:
                        turn = self._lines.join(line)  # the first to wait for these
                    paced += pause
                    await self.sleep(pause)
                    continue
                if turn is not None:
                    self._lines.leave(line, turn)  # served: the next one may try now
                    turn = None
                tried.append(chosen.name)
                endpoint = candidates[chosen.name][0]
                try:
                    return await self._attempt(
                        endpoint, chosen, body, raw_body, client_headers, tokens
                    )
                except _Retry as retry:
                    answer = retry.answer
                    status = answer.status if isinstance(answer, errors.GatewayError) else 0
                    slow_failures += 0 if status in (401, 403, 429) else 1
                    if status == 429 and chosen.name not in rate_limited:
                        # Cooling, so not picked again; but if its Retry-After is short,
                        # pacing may wait for it once (a window edge the estimate missed).
                        rate_limited.add(chosen.name)
                        tried.remove(chosen.name)
        finally:
            if turn is not None:
                self._lines.leave(line, turn)
        return self._exhausted(str(alias), deployments, answer)

    async def _await_turn(self, turn: asyncio.Future, timeout: float) -> bool:
        """Whether this request's turn in the line came within `timeout` seconds (waited with
        `self.sleep`; the turn itself is left as it is)."""
        if timeout <= 0:
            return turn.done()
        timer = asyncio.ensure_future(self.sleep(timeout))
        try:
            await asyncio.wait({turn, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        return turn.done()

    def _pacing(self, deployments: list[Deployment], tried: list[str]) -> float | None:
        """Seconds until the first untried deployment has room again (its short-window share,
        the minute's budget, or the end of a 429's cooldown); None when none is expected to."""
        waits = []
        sole = len(deployments) == 1
        for deployment in deployments:
            if deployment.name in tried:
                continue
            breaker, now = deployment.breaker, deployment.clock()
            if breaker.allows(sole):
                waits.append(deployment.next_room(now) - now)
            elif breaker.state == COOLING:
                waits.append(max(breaker.until or now, deployment.next_room(now)) - now)
            elif breaker.slow_start:
                waits.append(SLOW_START_POLL)
        if not waits or min(waits) <= 0:
            return None
        return min(waits)

    def _exhausted(
        self, alias: str, deployments: list[Deployment], answer: GatewayErrorOrRelay | None
    ) -> Relay:
        if isinstance(answer, Relay):
            return answer  # the last deployment's own 5xx, passed on as it is
        if answer is not None and answer.status != 429:
            raise answer
        wait = self.router.soonest(deployments)
        if wait is None and isinstance(answer, errors.GatewayError):
            raise answer
        if wait is None:
            endpoint = next(e for e, d in self._deployments.items() if d is deployments[0])
            raise errors.upstream_key_rejected(401, endpoint.where, self.keys.source_of(endpoint))
        raise errors.pool_exhausted(alias, len(deployments), wait)

    async def _attempt(
        self,
        endpoint: Endpoint,
        deployment: Deployment,
        body: dict,
        raw_body: bytes,
        client_headers: Mapping[str, str],
        tokens: int,
    ) -> Relay:
        try:
            credential = await self.keys.credential(endpoint)
        except KeyMissing as missing:
            deployment.record(Outcome(Verdict.NOT_SENT, error=str(missing)))
            raise _Retry(errors.key_missing(str(missing), endpoint.where)) from None
        request = build_chat_request(
            endpoint, body, client_headers, credential.value, credential.bearer, raw_body
        )
        stream = body.get("stream") is True
        sent = deployment.on_send(tokens)
        relay = Relay(0, {}, endpoint, deployment, sent=sent)
        # The key just sent is the one an answer could carry back.
        relay.scrubber = scrubber_for(credential.value)
        try:
            await self._answer(relay, request, stream)
        except errors.GatewayError as error:
            relay.failed(error.message)
            await relay.aclose()
            raise _Retry(error) from None
        except BaseException:  # _Retry, or the browser left (cancelled)
            await relay.aclose()
            raise
        if not relay.streaming:
            await relay.aclose()  # read whole: the deployment is done with it
        return relay

    async def _answer(self, relay: Relay, request: UpstreamRequest, stream: bool) -> None:
        """Send the request and read what decides its fate: the status, and the first piece of
        a stream or the whole of any other answer. The relay has reported the outcome unless
        it is a stream under way; raises `_Retry` when another deployment should be tried."""
        endpoint, sent, deployment = relay.endpoint, relay.sent, relay.deployment
        assert endpoint is not None and sent is not None and deployment is not None
        client = self._client or await asyncio.shield(self.load_client())
        response = await client.open(endpoint.host, request, self._timeouts(endpoint))
        relay.opened(response)
        status = response.status
        deployment.on_answered(status)
        if status == 429:
            retry_after = retry_after_seconds(response.headers)
            relay.report(Verdict.RATE_LIMITED, "HTTP 429 (rate limited)", retry_after)
            raise _Retry(errors.pool_exhausted("", 1, 0))
        if status in (401, 403):
            # The body may echo part of the key: drop it unread.
            if not has_key_source(endpoint):
                relay.report(Verdict.AUTH_REJECTED, f"HTTP {status}: it wants a key")
                raise _Retry(errors.upstream_wants_key(status, endpoint.where))
            relay.report(Verdict.AUTH_REJECTED, f"HTTP {status}: the key was rejected")
            source = self.keys.source_of(endpoint)
            raise _Retry(errors.upstream_key_rejected(status, endpoint.where, source))
        if status == 200 and stream:
            relay.next_piece = response.next_piece
            relay.first = await response.next_piece()
            if not relay.first:
                raise errors.stream_interrupted(endpoint.host, "empty response")
            relay.latency = self.clock() - sent.at
            return
        relay.data = relay.scrubber.body(await response.read())
        relay.latency = self.clock() - sent.at
        if status >= 500 or status == 408:
            relay.report(Verdict.FAILED, f"HTTP {status}")
            raise _Retry(relay)
        if status == 200:
            try:
                relay.count_usage_json(json.loads(relay.data))
            except ValueError:
                raise errors.upstream_malformed(endpoint.host) from None
            relay.succeeded()
        else:
            relay.report(Verdict.RELEASED)  # 400/404...: the request's fault

    def _timeouts(self, endpoint: Endpoint) -> SimpleNamespace:
        return SimpleNamespace(
            connect_timeout=endpoint.connect_timeout or self.config.connect_timeout,
            first_byte_timeout=endpoint.first_byte_timeout or self.config.first_byte_timeout,
            read_timeout=endpoint.read_timeout or self.config.read_timeout,
        )

    def scrub(self, endpoint: Endpoint, data: bytes) -> bytes:
        """Remove the endpoint's key from bytes shown to the browser (e.g. a last error)."""
        return scrubber_for(self.keys.peek(endpoint)).bytes(data)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _import_client():
    """In a worker thread: the client's module (aiohttp with it) and its TLS trust store."""
    from . import http_client

    return http_client, http_client.ssl_context()


def _parse_body(raw: bytes) -> dict:
    """The request as a dict; strict JSON (request_body.parse_json), a 400 naming the fault."""
    try:
        body = parse_json(raw)
    except BodyError as err:
        raise errors.invalid_json(err.message) from None
    if not isinstance(body, dict):
        raise errors.invalid_json(f"got a JSON {type(body).__name__}")
    return body
