"""Billing one request to the user who made it: admit it against their quotas (reserving an
estimate), then settle it with the tokens the endpoint counted and write the usage log.
No tornado here; hub/chat.py calls `admit` before the gateway and `finish` after.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from ..gateway import errors
from ..gateway.relay import Relay, estimate_tokens
from .quota import QUOTAS, Plan, QuotaPolicy, Refusal, plan_request, refusal_message
from .state import StateBackend, UsageEntry
from .state_guard import StateUnavailable

# The longest prompt kept in the log when an administrator turns prompt logging on.
_PROMPT_CHARS = 4000


@dataclass
class Bill:
    """One admitted request: its plan (the reservation) and what the log will say of it."""

    plan: Plan
    user: str
    alias: str
    prompt: str | None


class Billing:
    def __init__(
        self,
        policy: QuotaPolicy,
        state: StateBackend,
        log_prompts: bool = False,
        clock: Callable[[], float] = time.time,
        log: logging.Logger | None = None,
    ):
        self.policy = policy
        self.state = state
        self.log_prompts = log_prompts
        self.clock = clock
        self.log = log or logging.getLogger(__name__)

    async def admit(self, user: str, groups: list[str], body: dict, raw_body: bytes) -> Bill:
        """Reserve the request's estimate, or raise the GatewayError of the first limit
        reached (logged as refused), or `hub_state_unavailable` when the store fails: a
        request whose usage cannot be counted is not sent (quotas hold)."""
        now = self.clock()
        limits = self.policy.limits_for(user, groups)
        plan = plan_request(user, limits, estimate_tokens(raw_body, body), now, uuid.uuid4().hex)
        alias = body.get("model") if isinstance(body.get("model"), str) else "default"
        prompt = _last_user_text(body) if self.log_prompts else None
        try:
            refusal = await self.state.admit(plan, now)
        except StateUnavailable as failure:
            raise errors.hub_state_unavailable(failure.store) from None
        if refusal is not None:
            error = refusal_error(refusal)
            entry = UsageEntry(user, now, alias, "", 0, 0, error.status, prompt)
            try:
                await self.state.record(entry)
            except StateUnavailable as failure:
                self._unrecorded(entry, 0, failure)  # the refusal is still the answer
            raise error
        return Bill(plan, user, alias, prompt)

    async def finish(self, bill: Bill, status: int, relay: Relay | None) -> None:
        """Settle the reservation with what the endpoint counted: its usage if it reported one;
        the estimate for an answer that came without (the browser left mid-stream, say); nothing
        for a request no endpoint answered."""
        usage = relay.usage if relay is not None else None
        if usage is not None:
            prompt_tokens, completion_tokens = usage
            spent = prompt_tokens + completion_tokens
        else:
            prompt_tokens = completion_tokens = 0
            spent = bill.plan.estimate if status == 200 else 0
        endpoint = relay.endpoint if relay is not None else None
        deployment = endpoint.label if endpoint is not None else ""
        entry = UsageEntry(
            bill.user,
            self.clock(),
            bill.alias,
            deployment,
            prompt_tokens,
            completion_tokens,
            status,
            bill.prompt,
        )
        try:
            await self.state.settle(bill.plan, spent, entry)
        except StateUnavailable as failure:
            # The answer is already the user's: keep what it cost where an administrator
            # can find it, and go on.
            self._unrecorded(entry, spent, failure)

    def _unrecorded(self, entry: UsageEntry, billed: int, failure: StateUnavailable) -> None:
        """An ERROR line holding the usage entry the store did not take (prompt text left
        out: the service's log is not the usage log), to reconcile by hand."""
        fields = {k: v for k, v in entry.as_dict().items() if k != "prompt"}
        fields["billed_tokens"] = billed
        self.log.error(
            "code-interpreter hub: usage NOT recorded (%s failed: %s); "
            "reconcile this entry by hand: %s",
            failure.store,
            failure.reason,
            json.dumps(fields, sort_keys=True),
        )


def refusal_error(refusal: Refusal) -> errors.GatewayError:
    message = refusal_message(refusal)
    resets_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(refusal.resets_at))
    if refusal.limit in QUOTAS:
        return errors.user_quota_exceeded(refusal.limit, message, resets_at)
    return errors.user_rate_limited(refusal.limit, message, refusal.retry_after, resets_at)


def with_usage_requested(body: dict, raw_body: bytes) -> bytes:
    """A streamed request asks for the usage chunk (stream_options.include_usage), since the
    bill is counted from it; other requests are passed on byte for byte."""
    if body.get("stream") is not True:
        return raw_body
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        return raw_body
    body["stream_options"] = {
        **(options if isinstance(options, dict) else {}),
        "include_usage": True,
    }
    return json.dumps(body).encode()


def _last_user_text(body: dict) -> str | None:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return None
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(
                    part.get("text", "") for part in content if isinstance(part, dict)
                )
            return str(content)[:_PROMPT_CHARS] if content is not None else None
    return None
