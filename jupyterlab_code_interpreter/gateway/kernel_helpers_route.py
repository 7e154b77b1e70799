"""`GET <base_url>/code-interpreter/kernel-helpers`: the kernel helpers' source, version and
bootstrap statement, which the browser executes silently in the notebook's kernel (the kernel
may run in another Python environment, so it cannot import them from our package)."""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..kernel_helpers import helpers_bundle


class KernelHelpersHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(helpers_bundle()))
