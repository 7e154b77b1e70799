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
    """Register the gateway and conversation routes on the running server."""
    from .conversations.routes import setup_conversation_routes
    from .gateway.routes import setup_route_handlers

    setup_route_handlers(server_app)
    setup_conversation_routes(server_app)
    server_app.log.info("jupyterlab_code_interpreter: gateway and conversation routes registered")
