"""jupyterlab-code-interpreter: a self-hosted Code Interpreter for JupyterLab.

This module is imported by every Jupyter Server at start-up, so it imports nothing heavy:
the gateway's handlers are imported only when the extension is loaded, and its HTTP client
(aiohttp) on the first chat request.
"""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-code-interpreter"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_code_interpreter"}]


def _load_jupyter_server_extension(server_app):
    """Register the gateway and conversation routes on the running server, and keep the
    model keys out of the kernels and terminals it starts."""
    from .conversations.routes import setup_conversation_routes
    from .gateway.routes import SETTINGS_KEY, setup_route_handlers

    setup_route_handlers(server_app)
    setup_conversation_routes(server_app)
    server_app.log.info("jupyterlab_code_interpreter: gateway and conversation routes registered")
    _keep_keys_from_kernels(server_app, server_app.web_app.settings[SETTINGS_KEY])


def _keep_keys_from_kernels(server_app, gateway):
    """Kernels and terminals start without the key variables; the server process is marked
    non-dumpable once it holds a key (docs/security.md says what this does and does not
    promise)."""
    from .kernel_env import KernelEnvironment, filter_kernel_launches, filter_terminal_env
    from .process_guard import ServerProcessGuard

    environment = KernelEnvironment(gateway, server_app.log)
    guard = ServerProcessGuard(gateway, environment.secret_names, server_app.log)
    guard.ensure()

    def clean(env):
        guard.ensure()
        return environment.clean(env)

    filter_kernel_launches(server_app.kernel_manager, clean)
    # jupyter_server_terminals loads before us (extensions load in name order).
    terminal_manager = server_app.web_app.settings.get("terminal_manager")
    if terminal_manager is not None:
        filter_terminal_env(terminal_manager, clean)
