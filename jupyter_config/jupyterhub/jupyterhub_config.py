"""The Code Interpreter on a JupyterHub: the gateway as a managed hub service that alone holds
the model keys (docs/hub-service.md). Load it from your jupyterhub_config.py with
``load_subconfig("/path/to/jupyter_config/jupyterhub/jupyterhub_config.py")`` after choosing your
authenticator and spawner; the end-to-end tests load this very file.

Where the keys go: JupyterHub starts a managed service with only the variables of its
``environment`` (plus PATH, LANG and its own JUPYTERHUB_* ones), and each user's server with
only ``env_keep`` and ``c.Spawner.environment``: the key variables named below reach the
service and nothing else. Users' servers must run as OS users of their own (or in pods), or
their kernels can read the hub's and the service's processes and files.
"""

import os
import sys

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

SERVICE = "code-interpreter"
SERVICE_PORT = int(os.environ.get("CODE_INTERPRETER_SERVICE_PORT", "10101"))
# The hub's public URL as the users' servers reach it (the proxy routes /services/<name>/).
HUB_URL = os.environ.get("CODE_INTERPRETER_HUB_URL", "http://127.0.0.1:8000").rstrip("/")
# The service's own config (pool, quotas, state): readable by the hub's OS user only.
SERVICE_CONFIG = os.environ.get(
    "CODE_INTERPRETER_HUB_CONFIG", "/etc/code-interpreter/code_interpreter_hub_config.py"
)
# Variables of the hub's environment holding keys, passed on to the service alone.
KEY_VARIABLES = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")
ADMIN_GROUP = "code-interpreter-admins"

c.JupyterHub.services.append(
    {
        "name": SERVICE,
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [sys.executable, "-m", "jupyterlab_code_interpreter.hub"],
        "environment": {
            "CODE_INTERPRETER_HUB_CONFIG": SERVICE_CONFIG,
            **{name: os.environ[name] for name in KEY_VARIABLES if name in os.environ},
        },
    }
)

c.JupyterHub.custom_scopes.update(
    {"custom:code-interpreter:admin": {"description": "Read every user's Code Interpreter usage"}}
)

access = f"access:services!service={SERVICE}"
c.JupyterHub.load_roles.extend(
    [
        # A server's token holds the intersection of server_token_scopes and its user's scopes,
        # so the access scope is granted in both places.
        {"name": "user", "scopes": ["self", access]},
        {
            "name": "code-interpreter-admin",
            "groups": [ADMIN_GROUP],
            "scopes": ["custom:code-interpreter:admin", access],
        },
    ]
)
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", access]

# A URL, not a secret: the users' servers forward chat requests there with their own token.
c.Spawner.environment.update({"CODE_INTERPRETER_HUB_SERVICE_URL": f"{HUB_URL}/services/{SERVICE}/"})
