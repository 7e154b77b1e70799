"""jupyterlab-code-interpreter: a self-hosted Code Interpreter for JupyterLab.

Every Jupyter Server start imports this module and reads its extension point, so neither it nor
`app.py` imports anything heavy: the gateway is imported when the server loads the extension,
and its HTTP client (aiohttp) with the first chat request.
"""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-code-interpreter"}]


def _jupyter_server_extension_points():
    from .app import CodeInterpreterApp

    return [{"module": "jupyterlab_code_interpreter.app", "app": CodeInterpreterApp}]
