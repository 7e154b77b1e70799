"""The hub service's thin handlers: every route but `health` authenticates the caller's hub
token (HubAuth, the service's access scope), then calls one method of the gateway, the
billing or the state backend. Errors are the gateway's OpenAI-shaped JSON.
"""

from __future__ import annotations

import calendar
import json
import time

from jupyterhub.services.auth import HubAuthenticated
from tornado import web

from ..gateway import errors
from ..gateway.responses import GatewayResponses
from .quota import plan_request
from .state_guard import StateUnavailable

SETTINGS_KEY = "code_interpreter_hub"
ADMIN_SCOPE = "custom:code-interpreter:admin"


class HubServiceHandler(GatewayResponses, HubAuthenticated, web.RequestHandler):
    """Authenticated in `prepare` (asynchronously: HubAuth's synchronous path would block the
    event loop on the hub's answer); `self.current_user` is the caller's hub model."""

    @property
    def service(self):
        return self.settings[SETTINGS_KEY]

    @property
    def hub_auth(self):
        return self.service.hub_auth

    def check_xsrf_cookie(self) -> None:
        """Token-authenticated only: there is no cookie to forge."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")

    async def prepare(self) -> None:
        token = self.hub_auth.get_token(self, in_cookie=False)
        if not token:
            return self.write_gateway_error(
                errors.hub_auth_failed(401, "the request has no 'Authorization: token …' header")
            )
        model = await self.hub_auth.user_for_token(token, sync=False)
        if not model:
            return self.write_gateway_error(
                errors.hub_auth_failed(403, "the hub does not know this token")
            )
        if not self.hub_auth.check_scopes(self.hub_scopes, model):
            scopes = ", ".join(sorted(self.hub_scopes))
            return self.write_gateway_error(
                errors.hub_auth_failed(403, f"the token has none of the scopes {scopes}")
            )
        if model.get("kind", "user") != "user":
            return self.write_gateway_error(
                errors.hub_auth_failed(403, "only users' tokens are served (usage is billed)")
            )
        self.current_user = model

    def write_error(self, status_code: int, **kwargs) -> None:
        reason = self._reason or "error"
        body = {"error": {"message": reason, "type": "server_error", "param": None, "code": None}}
        self.finish(json.dumps(body))


class HealthHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": True}))


class ModelsHandler(HubServiceHandler):
    async def get(self) -> None:
        self.finish(json.dumps(self.service.gateway.models()))


class StatusHandler(HubServiceHandler):
    """The pool's status, and whether the state store answers (one trivial call: a PING, a
    one-row read)."""

    async def get(self) -> None:
        status = self.service.gateway.status()
        status["mode"] = "hub-service"
        state = self.service.state
        status["state"] = {"store": state.store, "answers": await state.ping()}
        self.finish(json.dumps(status))


class UsageHandler(HubServiceHandler):
    """The caller's own usage: totals today and this month, the latest entries, and each
    limit with its current counter."""

    async def get(self) -> None:
        try:
            body = await self._report()
        except StateUnavailable as failure:
            return self.write_gateway_error(errors.hub_state_unavailable(failure.store))
        self.finish(json.dumps(body))

    async def _report(self) -> dict:
        user = self.current_user["name"]
        state, now = self.service.state, time.time()
        limits = self.service.billing.policy.limits_for(user, self.current_user.get("groups", []))
        counters = await state.counters(plan_request(user, limits, 0, now, "-"), now)
        day_start = now - now % 86400
        month_start = calendar.timegm(time.gmtime(now)[:2] + (1, 0, 0, 0))
        body = {
            "user": user,
            "today": (await state.usage(user, day_start)).get(user, {}),
            "this_month": (await state.usage(user, month_start)).get(user, {}),
            "limits": {name: {"limit": limits[name], "used": counters[name]} for name in limits},
            "entries": await state.entries(user, 0.0, _int_argument(self, "entries", 20)),
        }
        return body


class AdminUsageHandler(HubServiceHandler):
    """Usage per user, for holders of the admin scope only."""

    async def get(self) -> None:
        if ADMIN_SCOPE not in self.current_user.get("scopes", []):
            self.write_gateway_error(
                errors.hub_auth_failed(403, f"the usage report needs the scope {ADMIN_SCOPE}")
            )
            return
        since = _since(self.get_argument("since", ""))
        if since is None:
            self.write_gateway_error(errors.invalid_name("since date", "use YYYY-MM-DD."))
            return
        user = self.get_argument("user", None)
        try:
            report = await self.service.state.usage(user, since)
        except StateUnavailable as failure:
            return self.write_gateway_error(errors.hub_state_unavailable(failure.store))
        self.finish(json.dumps({"since": since, "users": report}))


def _since(text: str) -> float | None:
    """A YYYY-MM-DD date as Unix seconds (UTC); empty: the beginning."""
    if not text:
        return 0.0
    try:
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%d")))
    except ValueError:
        return None


def _int_argument(handler: web.RequestHandler, name: str, default: int) -> int:
    value = handler.get_argument(name, "")
    return min(int(value), 1000) if value.isdigit() else default
