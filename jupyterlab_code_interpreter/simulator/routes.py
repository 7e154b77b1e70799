"""URL routes: the OpenAI and Azure OpenAI endpoints, and ``/_simulator/*`` control routes."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from tornado.web import Application, RequestHandler

from . import error_bodies
from .delivery import dumps
from .handlers import ChatHandler, SimulatorHandler
from .scenario import Deployment

if TYPE_CHECKING:
    from .server import Simulator


class OpenAIChatHandler(ChatHandler):
    api = "openai"

    def route(self, body: dict) -> tuple[Deployment | None, str, str] | None:
        key = self.presented_key()
        if not self.key_is_valid(key):
            self.send_json(401, error_bodies.bad_key("openai", key))
            return None
        model = body.get("model")
        if not isinstance(model, str) or not model:
            self.send_error_body(400, "you must provide a model parameter")
            return None
        scenario = self.sim.scenario
        if scenario.models and model not in scenario.models:
            self.send_json(404, error_bodies.model_not_found(model))
            return None
        return (scenario.deployments or {}).get(model), model, model


class AzureChatHandler(ChatHandler):
    api = "azure"

    def route(self, body: dict) -> tuple[Deployment | None, str, str] | None:
        if not self.get_query_argument("api-version", ""):
            self.send_json(404, error_bodies.resource_not_found())
            return None
        key = self.request.headers.get("api-key") or self.presented_key()
        if not self.key_is_valid(key):
            self.send_json(401, error_bodies.bad_key("azure", key))
            return None
        name = self.path_kwargs["deployment"]
        deployments = self.sim.scenario.deployments
        if deployments is None:
            return None, name, name
        if name not in deployments:
            self.send_json(404, error_bodies.deployment_not_found())
            return None
        return deployments[name], name, deployments[name].model


class ModelsHandler(SimulatorHandler):
    def get(self) -> None:
        key = self.presented_key()
        if not self.key_is_valid(key):
            self.send_json(401, error_bodies.bad_key("openai", key))
            return
        scenario = self.sim.scenario
        ids = list(scenario.models) or sorted(scenario.deployments or {}) or ["gpt-4o"]
        data = [
            {"id": i, "object": "model", "created": int(time.time()), "owned_by": "system"}
            for i in ids
        ]
        self.send_json(200, {"object": "list", "data": data})


class NotFoundHandler(SimulatorHandler):
    """Unknown paths: recorded like any request, answered in the shape the caller expects."""

    def prepare(self) -> None:
        self.api = "azure" if self.request.path.startswith("/openai/") else "openai"
        super().prepare()
        if self.api == "azure":
            self.send_json(404, error_bodies.resource_not_found())
        else:
            self.send_error_body(404, f"Invalid URL ({self.request.method} {self.request.path})")


class ControlHandler(RequestHandler):
    """Base for ``/_simulator/*``: not recorded, so inspecting the log never changes it."""

    def initialize(self, simulator: Simulator) -> None:
        self.sim = simulator

    def reply(self, status: int, body: object) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(body))


class RecordedRequestsHandler(ControlHandler):
    def get(self) -> None:
        self.reply(200, self.sim.requests)

    def delete(self) -> None:
        self.sim.clear_requests()
        self.reply(200, {"ok": True})


class ScenarioHandler(ControlHandler):
    def put(self) -> None:
        try:
            self.sim.set_scenario(json.loads(self.request.body or b"null"))
        except ValueError as error:  # ScenarioError is a ValueError, as is bad JSON
            self.reply(400, {"error": {"message": str(error), "type": "scenario_error"}})
            return
        self.reply(200, {"ok": True})

    def get(self) -> None:
        self.reply(200, self.sim.scenario.source)


class HealthHandler(ControlHandler):
    def get(self) -> None:
        self.reply(200, {"ok": True})


def make_app(simulator: Simulator) -> Application:
    args = {"simulator": simulator}
    return Application(
        [
            (r"/v1/chat/completions", OpenAIChatHandler, args),
            (r"/v1/models", ModelsHandler, args),
            (r"/openai/deployments/(?P<deployment>[^/]+)/chat/completions", AzureChatHandler, args),
            (r"/_simulator/requests", RecordedRequestsHandler, args),
            (r"/_simulator/scenario", ScenarioHandler, args),
            (r"/_simulator/health", HealthHandler, args),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        log_function=lambda handler: None,  # access logs would dominate benchmark runs
    )
