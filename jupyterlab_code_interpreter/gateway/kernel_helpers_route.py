"""`GET <base_url>/code-interpreter/kernel-helpers`: the kernel helpers' source, version and
bootstrap statement, which the browser executes silently in the notebook's kernel (the kernel
may run in another Python environment, so it cannot import them from our package).

The bootstrap also tells the helpers what the code policy's `secrets` category protects: the
names of the variables that hold this server's keys and the paths of its key store, runtime
folder, settings file and key files, and the data sources kernels may `connect` to (names,
password-free URLs and the route a kernel asks for a password). Names and paths only; no value
of a key or password is ever sent.
"""

from __future__ import annotations

import json
import os

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..custody import gateway_secret_env_names, secret_env_names
from ..datasources.routes import SETTINGS_KEY as DATA_SOURCES_KEY
from ..datasources.routes import password_route_url
from ..kernel_helpers import helpers_bundle


class KernelHelpersHandler(APIHandler):
    auth_resource = "code-interpreter"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        server_app = self.settings.get("serverapp")
        names, paths = protected_for(self.settings.get("code_interpreter_gateway"), server_app)
        sources = self.settings.get(DATA_SOURCES_KEY)
        data_sources = None
        if sources is not None:
            names = sorted({*names, *sources.password_env_names()})
            paths = sorted({*paths, *sources.password_files()})
            data_sources = sources.kernel_config(password_route_url(server_app))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(helpers_bundle(names, paths, data_sources=data_sources)))


def protected_for(gateway, server_app=None) -> tuple[list[str], list[str]]:
    """The variable names and paths reading which counts as `secrets`.

    Names: the ones kernels do not inherit (`custody.gateway_secret_env_names`), without
    subtracting `kernel_env_keep`: a variable kept in kernels on purpose still holds a key,
    and a cell that reads it still asks first. Paths: Jupyter's
    runtime folder (server tokens, kernel connection files), the key store, this plugin's
    user-settings file and every endpoint's key file.
    """
    from jupyter_core.paths import jupyter_runtime_dir

    paths = {jupyter_runtime_dir()}
    runtime = getattr(server_app, "runtime_dir", None)
    if runtime:
        paths.add(str(runtime))
    if gateway is None:
        return secret_env_names(), sorted(paths)
    names = gateway_secret_env_names(gateway, subtract_kept=False)
    try:
        endpoints = list(gateway.pool().endpoints)
    except Exception:  # a broken configuration is reported by the gateway's own routes
        endpoints = []
    paths.add(str(gateway.keys.store.directory))
    paths.add(str(gateway.user_settings.path))
    paths.update(os.path.expanduser(e.api_key_file) for e in endpoints if e.api_key_file)
    return names, sorted(paths)
