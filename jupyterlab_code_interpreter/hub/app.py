"""The hub service as a traitlets application: its configuration, the gateway core it holds
(the same `Gateway` a single-user server runs, with the administrator's pool only), the
state backend, and the tornado app under JUPYTERHUB_SERVICE_PREFIX. docs/hub-service.md is
the contract.
"""

from __future__ import annotations

import asyncio
import os
import signal
from urllib.parse import urlparse

from tornado import web
from traitlets import Bool, Dict, Unicode, default
from traitlets.config import Application

from ..gateway.config import CodeInterpreter
from ..gateway.core import Gateway
from ..gateway.user_settings import UserSettingsFile
from .billing import Billing
from .quota import QuotaPolicy
from .state_guard import GuardedState
from .stores import DEFAULT_STATE_URL, describe_store, open_state, store_secrets

DEFAULT_NAME = "code-interpreter"


class CodeInterpreterHub(Application):
    """The Code Interpreter gateway as a JupyterHub service."""

    name = "code-interpreter-hub"
    description = "The Code Interpreter gateway as a JupyterHub service (docs/hub-service.md)."
    # A configuration file that does not load stops the start: a service running without the
    # pool and quotas its administrator wrote would look healthy and refuse or overspend.
    raise_config_file_errors = True
    classes = [CodeInterpreter]
    aliases = {
        "config": "CodeInterpreterHub.config_file",
        "state-url": "CodeInterpreterHub.state_url",
        "url": "CodeInterpreterHub.service_url",
        "log-level": "Application.log_level",
    }

    config_file = Unicode(
        help="""The configuration file (a traitlets Python file). Default:
        $CODE_INTERPRETER_HUB_CONFIG, else code_interpreter_hub_config.py in the working
        directory if there is one."""
    ).tag(config=True)

    @default("config_file")
    def _config_file_default(self) -> str:
        return os.environ.get("CODE_INTERPRETER_HUB_CONFIG", "code_interpreter_hub_config.py")

    state_url = Unicode(
        help=f"""Where counters and the usage log live: sqlite:///<path> (one replica; default
        {DEFAULT_STATE_URL}) or redis://<host>:<port>/<db> (several replicas).
        $CODE_INTERPRETER_HUB_STATE overrides it."""
    ).tag(config=True)

    @default("state_url")
    def _state_url_default(self) -> str:
        return DEFAULT_STATE_URL

    quotas = Dict(
        help="""Per-user limits: {"default": {...}, "groups": {name: {...}}, "users": {name:
        {...}}}, each with any of requests_per_minute, tokens_per_minute, tokens_per_day,
        tokens_per_month, concurrent_streams (None: no limit). See docs/hub-service.md."""
    ).tag(config=True)

    log_prompts = Bool(
        False,
        help="Whether the usage log keeps each request's last user message (off: no prompt text).",
    ).tag(config=True)

    service_name = Unicode(
        help="The service's name in the hub; default $JUPYTERHUB_SERVICE_NAME or code-interpreter."
    ).tag(config=True)

    @default("service_name")
    def _service_name_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_NAME") or DEFAULT_NAME

    service_url = Unicode(
        help="Where to listen; default $JUPYTERHUB_SERVICE_URL, else http://127.0.0.1:10101."
    ).tag(config=True)

    @default("service_url")
    def _service_url_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_URL") or "http://127.0.0.1:10101"

    service_prefix = Unicode(
        help="The routes' prefix; default $JUPYTERHUB_SERVICE_PREFIX, else /services/<name>/."
    ).tag(config=True)

    @default("service_prefix")
    def _service_prefix_default(self) -> str:
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{self.service_name}/"
        return prefix if prefix.endswith("/") else prefix + "/"

    def initialize(self, argv=None) -> None:
        super().initialize(argv)
        if os.path.isfile(self.config_file):
            directory, filename = os.path.split(os.path.abspath(self.config_file))
            try:
                self.load_config_file(filename, path=[directory])
            except Exception as error:
                self.log.critical(
                    "The configuration file %s does not load (%s: %s); the service does not "
                    "start without it. Fix the file, or name another with --config.",
                    self.config_file,
                    type(error).__name__,
                    error,
                )
                self.exit(1)
            self.update_config(self.cli_config)  # the command line wins over the file
        self.state_url = os.environ.get("CODE_INTERPRETER_HUB_STATE") or self.state_url
        self.policy = QuotaPolicy.from_config(self.quotas)
        gateway_config = CodeInterpreter(parent=self)
        gateway_config.allow_user_endpoints = False  # only the administrator's pool
        no_settings = UserSettingsFile(os.path.join(os.devnull, "none"))
        self.gateway = Gateway(gateway_config, no_settings, log=self.log)
        self.hub_auth = self._hub_auth()

    def _hub_auth(self):
        from jupyterhub.services.auth import HubAuth

        auth = HubAuth(parent=self)
        if not auth.access_scopes:  # external: the hub did not say; this service's scope
            auth.access_scopes = {f"access:services!service={self.service_name}"}
        return auth

    def open_state(self) -> GuardedState:
        """The state backend; its failures become `StateUnavailable` (hub/state_guard.py)."""
        url = self.state_url
        return GuardedState(open_state(url), describe_store(url), store_secrets(url), self.log)

    def make_app(self, state: GuardedState) -> web.Application:
        from .chat import ChatHandler
        from .handlers import (
            SETTINGS_KEY,
            AdminUsageHandler,
            HealthHandler,
            ModelsHandler,
            StatusHandler,
            UsageHandler,
        )

        self.state = state
        self.billing = Billing(self.policy, state, self.log_prompts, log=self.log)
        prefix = self.service_prefix
        routes = [
            ("v1/chat/completions", ChatHandler),
            ("v1/models", ModelsHandler),
            ("status", StatusHandler),
            ("usage", UsageHandler),
            ("admin/usage", AdminUsageHandler),
            ("health", HealthHandler),
        ]
        handlers = [(prefix + path, handler) for path, handler in routes]
        return web.Application(handlers, **{SETTINGS_KEY: self})

    def start(self) -> None:
        asyncio.run(self.serve())

    async def serve(self) -> None:
        url = urlparse(self.service_url)
        state = self.open_state()
        app = self.make_app(state)
        # Bodies are read whole before authentication (hub/chat.py): bounded here, a little
        # past the gateway's own limit so that it answers a 413 in its words.
        server = app.listen(
            url.port or 80,
            url.hostname or "127.0.0.1",
            xheaders=True,
            max_body_size=self.gateway.config.max_request_bytes + 1024 * 1024,
        )
        self.log.info(
            "code-interpreter hub service %r at %s%s (state: %s, %d endpoint(s))",
            self.service_name,
            self.service_url.rstrip("/"),
            self.service_prefix,
            state.store,
            len(self.gateway.pool().endpoints),
        )
        # A store that fails now is logged now (once), not at the first user's request; the
        # service runs anyway and answers 503 until the store is back.
        await state.ping()
        # The HTTP client is made ready in a thread now, not by the first request.
        warmup = self.gateway.load_client()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.stop()
        if not warmup.done():
            warmup.cancel()
        await self.gateway.aclose()
        await state.aclose()
