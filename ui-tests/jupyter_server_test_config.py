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


def books_data_source():
    """The `books` data source of the data-source ui-test: a fresh MariaDB database and user
    (tests/mariadb.py) whose password the Playwright config chose (UI_BOOKS_PASSWORD), dropped
    when the server exits. Without MariaDB the source stays configured and its schema error
    says what to run, so the test fails saying why."""
    import atexit
    import logging
    import os

    from jupyterlab_code_interpreter.tests.mariadb import BooksDatabase

    password = os.environ.get("UI_BOOKS_PASSWORD")
    # Only the server the simulator drives (the bare one has no endpoint and no use for it).
    if not password or not os.environ.get("OPENAI_BASE_URL"):
        return []
    books = BooksDatabase(prefix="ui", password=password)
    try:
        books.drop_leftovers()
        books.create()
        atexit.register(books.drop)
    except RuntimeError as err:
        logging.getLogger("code-interpreter-ui-tests").error("%s", err)
    return [{"name": "books", "url": books.url, "password_env": "UI_BOOKS_PASSWORD"}]


c.CodeInterpreterDataSources.sources = books_data_source()  # noqa: F821
