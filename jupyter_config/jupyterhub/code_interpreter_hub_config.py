"""The hub service's own configuration (docs/hub-service.md), for a hub on one machine: put it
where CODE_INTERPRETER_HUB_CONFIG points (default /etc/code-interpreter/), readable by the
hub's OS user only. Keys come from the service's environment (the variables that
jupyterhub_config.py passes on) or from files beside this one, never from this file.
"""

c = get_config()  # noqa: F821 (defined when the service loads this file)

c.CodeInterpreter.endpoints = [
    {
        "name": "east",
        "kind": "azure",
        "base_url": "https://my-east.openai.azure.com",
        "deployment": "gpt-4o",
        "api_version": "2024-10-21",
        "tpm": 300000,
        "api_key_env": "AZURE_OPENAI_API_KEY",
    },
    {
        "name": "west",
        "kind": "azure",
        "base_url": "https://my-west.openai.azure.com",
        "deployment": "gpt-4o",
        "api_version": "2024-10-21",
        "tpm": 150000,
        "api_key_file": "/etc/code-interpreter/west-key",
    },
]

# One service process: SQLite. Several replicas share Redis (see jupyter_config/z2jh/).
c.CodeInterpreterHub.state_url = "sqlite:////var/lib/code-interpreter/state.sqlite"
c.CodeInterpreterHub.quotas = {
    "default": {
        "requests_per_minute": 20,
        "tokens_per_minute": 40000,
        "tokens_per_day": 400000,
        "tokens_per_month": 4000000,
        "concurrent_streams": 2,
    },
    "groups": {"staff": {"tokens_per_day": 2000000}},
}
c.CodeInterpreterHub.log_prompts = False
