"""Tornado handlers: parse the request, check it as the real service would, then deliver.

The OpenAI and Azure endpoints differ only in authentication, routing (model vs deployment)
and error shapes; everything after that is shared in ``ChatHandler.post``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler

from . import delivery, error_bodies, protocol
from .conversation import read_conversation
from .limits import retry_headers
from .scenario import Deployment, Fault, Reply

if TYPE_CHECKING:
    from .server import Simulator

# What a stream-breaking fault streams when its rule has no reply of its own.
_FILLER = Reply(content="This reply is cut short by a simulated fault before it ends.")


class SimulatorHandler(RequestHandler):
    """Records every API request and answers errors in the caller's API shape."""

    api = "openai"

    def initialize(self, simulator: Simulator) -> None:
        self.sim = simulator
        self.record: dict = {}
        self._closed = asyncio.Event()

    def prepare(self) -> None:
        self.set_header("x-request-id", str(uuid.uuid4()))
        self.record = {
            "method": self.request.method,
            "path": self.request.path,
            "query": {k: v[-1].decode() for k, v in self.request.query_arguments.items()},
            "headers": {k.lower(): v for k, v in self.request.headers.items()},
            "body": self.json_body(),
            "deployment": self.path_kwargs.get("deployment"),
            "api": self.api,
            "status": None,
            "time": time.time(),
        }
        self.sim.log.add(self.record)

    def on_finish(self) -> None:
        self.record["status"] = self.get_status()

    def on_connection_close(self) -> None:
        self._closed.set()

    async def pause(self, seconds: float) -> bool:
        """Sleep, waking early if the client goes away; True if it is still connected."""
        if seconds > 0:
            try:
                await asyncio.wait_for(self._closed.wait(), seconds)
            except asyncio.TimeoutError:
                pass
        return not self._closed.is_set()

    def json_body(self) -> Any:
        try:
            return json.loads(self.request.body) if self.request.body else None
        except ValueError:
            return None

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.set_status(status)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        self.set_header("Content-Type", "application/json")
        self.finish(delivery.dumps(body))

    def send_error_body(self, status: int, message: str, code: str | None = None) -> None:
        self.send_json(status, error_bodies.generic(self.api, status, message, code))

    def presented_key(self) -> str | None:
        auth = self.request.headers.get("Authorization", "")
        return auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None

    def key_is_valid(self, key: str | None) -> bool:
        return key is not None and key in self.sim.scenario.api_keys


class ChatHandler(SimulatorHandler):
    """``POST .../chat/completions``: the whole request pipeline after API-specific routing."""

    def route(self, body: dict) -> tuple[Deployment | None, str, str] | None:
        """Authenticate and resolve (deployment options, name, model), or answer and return None."""
        raise NotImplementedError

    async def post(self, **_: str) -> None:
        body = self.record["body"]
        routed = self.route(body if isinstance(body, dict) else {})
        if routed is None:
            return
        if not isinstance(body, dict):
            self.send_error_body(400, "We could not parse the JSON body of your request.")
            return
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            self.send_error_body(400, "Missing required parameter: 'messages'.", "missing_required")
            return
        deployment, name, model = routed
        try:
            await self._answer(body, deployment, name, model)
        except StreamClosedError:
            pass  # the client hung up; nobody is left to tell

    async def _answer(
        self, body: dict, deployment: Deployment | None, name: str, model: str
    ) -> None:
        conversation = read_conversation(body, self.record["deployment"])
        decision = self.sim.matcher.decide(conversation, deployment)
        if decision.reply is None and decision.fault is None:
            self.send_error_body(
                400,
                "LLM simulator: no scenario rule matched and the scenario has no default. "
                f"Last user message: {conversation.last_user!r}",
                "simulator_no_match",
            )
            return
        reply = decision.reply or _FILLER
        completion = protocol.make_completion(
            reply,
            model,
            conversation.prompt_tokens,
            conversation.max_tokens,
            conversation.last_user,
        )
        limits = self.sim.limits_for(name, deployment)
        if limits is not None:
            cost = conversation.prompt_tokens + (
                conversation.max_tokens or completion.completion_tokens
            )
            admission = limits.admit(cost)
            if not admission.allowed:
                self._send_rate_limited(name, admission.retry_after, admission.headers)
                return
            for header, value in admission.headers.items():
                self.set_header(header, value)
        self.sim.matcher.commit(decision)
        fault = decision.fault
        if fault is not None and await self._apply_fault(name, fault):
            return
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            await delivery.send_stream(self, completion, decision.timing, fault, include_usage)
        else:
            await delivery.send_whole(self, completion, decision.timing, fault)

    async def _apply_fault(self, name: str, fault: Fault) -> bool:
        """Carry out faults that replace the reply; True if the request is now dealt with."""
        if fault.kind == "http":
            body = fault.body
            if body is None:
                message = fault.message or f"Simulated HTTP {fault.status} from the LLM simulator."
                body = error_bodies.generic(self.api, fault.status, message)
            self.send_json(fault.status, body, fault.headers)
        elif fault.kind == "rate_limit":
            self._send_rate_limited(name, fault.retry_after, fault.headers)
        elif fault.kind == "reset_before_first_byte":
            delivery.reset_connection(self)
        elif fault.kind == "hang":
            await self._closed.wait()  # released when the client or Simulator.stop closes it
        else:
            return False
        return True

    def _send_rate_limited(self, name: str, retry_after: float, headers: dict[str, str]) -> None:
        seconds = retry_headers(retry_after)
        body = error_bodies.rate_limited(
            self.api,
            name,
            int(seconds["Retry-After"]),
            self.get_query_argument("api-version", None),
        )
        self.send_json(429, body, {**headers, **seconds})
