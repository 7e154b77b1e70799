"""A trivial authenticated jupyter_server API route, loaded only by gateway_overhead.py: the
floor any extension's handler pays in jupyter_server (token authentication, the authorizer,
XSRF check, tornado), with no work of its own. `POST /bench-baseline` answers `{}`."""

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web


class BaselineHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(b"{}")


def _jupyter_server_extension_points():
    return [{"module": "baseline_handler"}]


def _load_jupyter_server_extension(server_app):
    web_app = server_app.web_app
    route = url_path_join(web_app.settings["base_url"], "bench-baseline")
    web_app.add_handlers(".*$", [(route, BaselineHandler)])
