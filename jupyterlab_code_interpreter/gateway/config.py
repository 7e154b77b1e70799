"""Server-side configuration of the gateway: `c.CodeInterpreter.*` in jupyter_server_config."""

from __future__ import annotations

import os

from traitlets import Bool, Dict, Float, Int, List, Unicode, default
from traitlets.config import Configurable


class CodeInterpreter(Configurable):
    """The Code Interpreter gateway inside the user's Jupyter Server."""

    endpoint = Dict(
        default_value={},
        config=True,
        help="""The model endpoint the gateway calls; overrides the user's setting and the
        environment. Keys: kind ('azure' or 'openai'), base_url (Azure:
        https://<resource>.openai.azure.com; OpenAI-compatible: e.g. http://localhost:11434/v1),
        deployment (Azure), api_version (Azure, default 2024-10-21), model (OpenAI-compatible),
        api_key_env (the NAME of the environment variable holding the key; default
        AZURE_OPENAI_API_KEY or OPENAI_API_KEY) or api_key_name (a key stored with PUT
        code-interpreter/keys/<name>), first_byte_timeout (seconds; raise it for a model on a
        CPU), tool_protocol ('auto', 'native' or 'text': how the model runs code; 'text' for small
        local models without reliable tool calls). Never put the key itself here.""",
    )

    connect_timeout = Float(
        10.0,
        config=True,
        help="Seconds to wait for the TCP/TLS connection to the model endpoint.",
    )

    first_byte_timeout = Float(
        60.0,
        config=True,
        help="""Seconds to wait, after sending a request, for the endpoint's response headers
        and its first chunk (a long prompt can take a while before the first token).""",
    )

    read_timeout = Float(
        60.0,
        config=True,
        help="Seconds to wait between two chunks of a streamed answer before giving up.",
    )

    endpoints = List(
        default_value=[],
        config=True,
        help="""A pool of model endpoints (overrides the user's settings and the environment).
        Each is a dict: name (unique), kind ('azure' or 'openai'), base_url, deployment and
        api_version (Azure), model (OpenAI-compatible), models (the aliases it serves; default
        ['default', <model or deployment>]), tier (lower first; default 0), weight (default
        tpm/1000, else 1), rpm, tpm, connect_timeout, first_byte_timeout, read_timeout, vision,
        tool_protocol ('auto' by default, 'native' or 'text'), and one key source: api_key_env
        (a variable NAME), api_key_file (a path), api_key_name (a key the user stored), or
        entra_id: true (Azure; needs azure-identity). Combined
        with `endpoint` if both are set. See docs/gateway.md.""",
    )

    allow_user_endpoints = Bool(
        True,
        config=True,
        help="""Whether the user's JupyterLab settings (endpoint, endpoints) may choose model
        endpoints when no administrator endpoint is configured. On by default for a single
        user; a shared JupyterHub deployment turns it off, so that only the administrator's
        endpoints (and the environment's) are ever called. When off, user endpoint settings
        are ignored and the status says so.""",
    )

    allow_user_key_sources = Bool(
        False,
        config=True,
        help="""Whether an endpoint from the user's settings may read a key from the server:
        apiKeyEnv (an environment variable), apiKeyFile (a file) or entraId (the server's
        Microsoft Entra ID identity). Off by default: anything that can write the user's
        settings (a page with the user's cookie, kernel code) could otherwise send a server
        secret to a URL of its choosing; such endpoints may use a key the user stored
        (apiKeyName) or none. Even when on, a variable or file that an administrator's or the
        environment's endpoint uses is sent only to that endpoint's base URL.""",
    )

    max_hops = Int(
        3,
        config=True,
        help="""How many other deployments a request may move to after a failure before its
        first byte (429, 5xx, timeout, connection error).""",
    )

    retry_budget = Float(
        30.0,
        config=True,
        help="Seconds after which a request stops moving between deployments.",
    )

    max_request_bytes = Int(
        32 * 1024 * 1024,
        config=True,
        help="""The largest chat request body the gateway accepts, in bytes (default 32 MiB). A
        larger one is refused with 413 as soon as its Content-Length arrives, before it is read
        (a chunked body, as soon as it passes the limit). Images sent to vision models are the
        usual reason to raise it.""",
    )

    heartbeat_interval = Float(
        15.0,
        config=True,
        help="""Seconds of silence in a streamed answer after which an SSE comment is sent so
        proxies keep the connection open; 0 turns heartbeats off.""",
    )

    kernel_env_strip = List(
        Unicode(),
        default_value=[],
        config=True,
        help="""More environment variable NAMES to remove from the environment of every
        kernel and terminal the server starts, beside the ones always removed
        (AZURE_OPENAI_API_KEY, OPENAI_API_KEY and every configured endpoint's api_key_env;
        any variable holding a copy of their values goes too). Kernel code can print any
        variable it inherits. See docs/security.md.""",
    )

    kernel_env_keep = List(
        Unicode(),
        default_value=[],
        config=True,
        help="""Environment variable NAMES kernels and terminals keep on purpose even though
        they would be removed (e.g. ['OPENAI_API_KEY'] for users who call the model from their
        own code). Whatever a kernel holds, its code (and so a generated cell) can read.""",
    )

    protect_server_process = Bool(
        True,
        config=True,
        help="""On Linux, once the server holds a model key (a key variable set, a key file,
        a stored key), mark its process non-dumpable (prctl PR_SET_DUMPABLE 0) so that other
        processes of the same user, kernels included, cannot read its /proc/<pid>/environ or
        attach to it. Side effects on the server process only: no core dumps, and debuggers or
        profilers (gdb, py-spy) cannot attach to it. Root can still read it. See
        docs/security.md.""",
    )

    hub_service_url = Unicode(
        config=True,
        help="""On a JupyterHub: the URL of the Code Interpreter hub service as this server
        reaches it, e.g. http://127.0.0.1:8000/services/code-interpreter/ (default: the
        CODE_INTERPRETER_HUB_SERVICE_URL variable). When set, this server holds no endpoint and
        no key: its chat, models and status routes forward to the service with the server's
        JUPYTERHUB_API_TOKEN, and usage is billed to its user. See docs/hub-service.md.""",
    )

    @default("hub_service_url")
    def _hub_service_url_default(self) -> str:
        return os.environ.get("CODE_INTERPRETER_HUB_SERVICE_URL", "")
