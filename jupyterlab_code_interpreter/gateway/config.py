"""Server-side configuration of the gateway: `c.CodeInterpreter.*` in jupyter_server_config."""

from __future__ import annotations

from traitlets import Dict, Float
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
        AZURE_OPENAI_API_KEY or OPENAI_API_KEY). Never put the key itself here.""",
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
