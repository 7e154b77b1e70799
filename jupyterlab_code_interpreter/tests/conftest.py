"""Every test starts a real Jupyter server (pytest-jupyter) and, when it needs a model, our
real LLM simulator on a free port."""

pytest_plugins = (
    "pytest_jupyter.jupyter_server",
    "jupyterlab_code_interpreter.simulator.pytest_plugin",
)
