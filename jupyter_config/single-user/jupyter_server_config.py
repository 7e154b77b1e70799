"""The Code Interpreter for one user (JupyterLab on a laptop or a VM of your own): copy this to
~/.jupyter/jupyter_server_config.py (or /etc/jupyter/ for every user of the machine) and set
the key variables in the environment that starts JupyterLab, never in this file.

The gateway keeps the keys on the server: kernels and terminals start without the key
variables, and the server process is made non-dumpable once it holds one. Kernel code still
runs as your OS user (docs/security.md): for keys shared by several people, use the hub
service (jupyter_config/jupyterhub/).
"""

c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)

# A pool of two Azure OpenAI deployments of the same model; keys are named, not written here.
c.CodeInterpreter.endpoints = [
    {
        "name": "east",
        "kind": "azure",
        "base_url": "https://my-east.openai.azure.com",
        "deployment": "gpt-4o",
        "api_version": "2024-10-21",
        "tpm": 150000,
        "api_key_env": "AZURE_OPENAI_API_KEY",
    },
    {
        "name": "west",
        "kind": "azure",
        "base_url": "https://my-west.openai.azure.com",
        "deployment": "gpt-4o",
        "api_version": "2024-10-21",
        "tpm": 80000,
        "tier": 1,  # used when east is throttled or down
        "api_key_env": "AZURE_OPENAI_API_KEY_WEST",
    },
]
# Settings cannot read server secrets (off by default; kept explicit here).
c.CodeInterpreter.allow_user_key_sources = False
c.CodeInterpreter.protect_server_process = True

# Runaway cells end without freezing the machine (docs/kernel-limits.md).
c.CodeInterpreterKernelLimits.memory_limit = "4G"
c.CodeInterpreterKernelLimits.cpu_cores = 2
c.CodeInterpreterKernelLimits.execution_time_limit = 600
c.MappingKernelManager.cull_idle_timeout = 3600
