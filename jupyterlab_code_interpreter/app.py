"""The server half as a jupyter_server `ExtensionApp`: routes, configuration and shutdown hook
declared where jupyter_server looks for them.

Every Jupyter Server start imports this module to read the extension point (and `jupyter server
extension list` instantiates the app), so it imports nothing beyond jupyter_server: the gateway,
the handlers and the kernel filter are imported in the methods the server calls when it loads
the extension, and the gateway's HTTP client (aiohttp) in a worker thread once the server runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jupyter_server.extension.application import ExtensionApp

if TYPE_CHECKING:
    from .gateway.core import Gateway
    from .hub.forward import HubForwarder


class CodeInterpreterApp(ExtensionApp):
    """The gateway to the model endpoints, the conversation store, the guard that keeps
    the model keys out of kernels and terminals, and the kernels' limits.

    #### Notes
    Configured through `c.CodeInterpreter` (the gateway, gateway/config.py),
    `c.CodeInterpreterConversations` (conversations/routes.py),
    `c.CodeInterpreterKernelLimits` (kernel_limits/config.py) and
    `c.CodeInterpreterDataSources` (datasources/config.py). All are created with this app
    as parent, so they read the server's configuration merged with this extension's own file,
    `jupyter_jupyterlab_code_interpreter_config.py`; the app itself adds no option.
    """

    name = "jupyterlab_code_interpreter"
    # JupyterLab serves the frontend: this extension has no page, static files or templates.
    load_other_extensions = True

    _gateway: Gateway | None = None
    _forwarder: HubForwarder | None = None
    _client_warmup: object = None  # held so the warm-up task is not collected while it runs

    def initialize_settings(self) -> None:
        """Create the gateway and the conversation store (handlers find them in the web app's
        settings), and filter kernel and terminal launches: this runs after the server made its
        kernel manager and before it accepts a request, so no kernel starts unfiltered."""
        from .conversations.routes import CodeInterpreterConversations, conversation_settings
        from .gateway.routes import SETTINGS_KEY, create_gateway

        server_app = self.serverapp
        self._gateway = create_gateway(server_app, parent=self)
        self.settings[SETTINGS_KEY] = self._gateway
        if self._gateway.config.hub_service_url:
            # On a JupyterHub: no key here, chat goes to the hub service (docs/hub-service.md).
            from .hub.forward import SETTINGS_KEY as FORWARDER_KEY
            from .hub.forward import HubForwarder

            self._forwarder = HubForwarder(
                self._gateway.config.hub_service_url, self._gateway.config
            )
            self.settings[FORWARDER_KEY] = self._forwarder
        conversations = CodeInterpreterConversations(parent=self)
        self.settings.update(conversation_settings(server_app, conversations))
        self.settings.update(self._data_source_settings())
        self._filter_kernel_launches(self._gateway)
        self._translate_settings_schema()

    def initialize_handlers(self) -> None:
        """The gateway's and the conversations' routes, under `<base_url>/code-interpreter/`."""
        from .conversations.routes import conversation_handlers
        from .datasources.routes import data_source_handlers
        from .gateway.routes import gateway_handlers

        handlers = gateway_handlers()
        if self._forwarder is not None:
            from .hub.forward import forwarding_handlers

            handlers = forwarding_handlers(handlers)
        self.handlers.extend([*handlers, *conversation_handlers(), *data_source_handlers()])
        self.serverapp.log.info(
            "jupyterlab_code_interpreter: gateway and conversation routes registered"
        )

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        """Once the server runs: get the gateway's HTTP client ready in a worker thread, so
        neither the start nor the first chat request waits for aiohttp's import."""
        if self._gateway is not None:
            self._client_warmup = self._gateway.load_client()
            self._client_warmup.add_done_callback(self._warmed)

    def _warmed(self, warmup) -> None:
        if not warmup.cancelled() and warmup.exception() is not None:
            # The first chat request will try again and report it to the user.
            self.log.warning("code-interpreter gateway: client not ready: %s", warmup.exception())

    async def stop_extension(self) -> None:
        """Close the gateway's upstream connection pool when the server stops (jupyter_server
        awaits this from its `cleanup_extensions` step)."""
        if self._gateway is not None:
            await self._gateway.aclose()
        if self._forwarder is not None:
            await self._forwarder.aclose()

    def _data_source_settings(self) -> dict[str, object]:
        """The administrator's data sources (`c.CodeInterpreterDataSources`,
        docs/data-sources.md); a configuration error is logged and served to the browser."""
        from .datasources.config import CodeInterpreterDataSources
        from .datasources.routes import data_source_settings

        settings = data_source_settings(CodeInterpreterDataSources(parent=self))
        for registry in settings.values():
            if registry.config_error:
                self.log.error("code-interpreter data sources: %s", registry.config_error)
        return settings

    def _translate_settings_schema(self) -> None:
        """Serve the settings form in the user's language (schema_translations.py says why
        this is needed). A server without JupyterLab serves no settings; importing
        jupyterlab_server there would only slow its start."""
        if "jupyterlab_server" in sys.modules:
            from .schema_translations import install_schema_translations

            install_schema_translations()

    def _filter_kernel_launches(self, gateway: Gateway) -> None:
        """Kernels and terminals start without the key variables; the server process is marked
        non-dumpable once it holds a key (docs/security.md says what this does and does not
        promise). Kernels start under the memory, CPU and time limits of
        `c.CodeInterpreterKernelLimits`, and idle ones are culled (docs/kernel-limits.md)."""
        from jupyter_client.provisioning import LocalProvisioner

        from .datasources.routes import SETTINGS_KEY as DATA_SOURCES_KEY
        from .kernel_env import KernelEnvironment, filter_kernel_launches, filter_terminal_env
        from .kernel_limits.config import CodeInterpreterKernelLimits
        from .kernel_limits.culling import apply_culling_defaults
        from .process_guard import ServerProcessGuard

        server_app = self.serverapp
        sources = self.settings[DATA_SOURCES_KEY]
        environment = KernelEnvironment(gateway, sources.password_env_names)
        guard = ServerProcessGuard(gateway, environment.secret_names, server_app.log)
        guard.ensure()
        limits = CodeInterpreterKernelLimits(parent=self)

        def clean(env):
            guard.ensure()
            return environment.clean(env)

        def limited(kernel_cmd, manager):
            # A remote provisioner runs the command elsewhere: our launcher is not there.
            if not isinstance(getattr(manager, "provisioner", None), LocalProvisioner):
                return kernel_cmd
            return limits.launch_command(kernel_cmd)

        filter_kernel_launches(server_app.kernel_manager, clean, limited)
        apply_culling_defaults(server_app.kernel_manager, server_app.config)
        # jupyter_server_terminals loads before us (extensions load in name order).
        terminal_manager = server_app.web_app.settings.get("terminal_manager")
        if terminal_manager is not None:
            filter_terminal_env(terminal_manager, clean)
