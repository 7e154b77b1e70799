"""JupyterLab server configuration for the ui-tests.

Galata's test configuration (it needs XSRF checks off for its own REST helpers; the gateway's XSRF
enforcement is tested in pytest), with user settings and conversations in fresh folders per run so a
developer's own never leak in (and the tests' chats never land in their data directory).
"""

from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by Jupyter's config loader
c.LabApp.user_settings_dir = mkdtemp(prefix="code-interpreter-settings-")  # noqa: F821
c.CodeInterpreterConversations.directory = mkdtemp(prefix="code-interpreter-chats-")  # noqa: F821
# CI machines run the tests as root.
c.ServerApp.allow_root = True  # noqa: F821
# The "10 MB print" test must reach the kernel's output collector rather than the server's
# IOPub rate limit (whose own notice is short anyway).
c.ServerApp.iopub_data_rate_limit = 1e10  # noqa: F821
