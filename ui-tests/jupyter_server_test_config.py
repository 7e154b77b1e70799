"""JupyterLab server configuration for the ui-tests.

Galata's test configuration, with two changes: XSRF stays enforced (the chat must pass it for real)
and user settings live in a fresh folder per run (a developer's own settings never leak in).
"""

from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter's config loader
c.ServerApp.disable_check_xsrf = False  # noqa: F821
c.LabApp.user_settings_dir = mkdtemp(prefix="code-interpreter-settings-")  # noqa: F821
