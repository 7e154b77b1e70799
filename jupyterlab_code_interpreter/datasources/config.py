"""The administrator's data sources: `c.CodeInterpreterDataSources` in jupyter_server_config."""

from __future__ import annotations

from traitlets import Float, Int, List
from traitlets.config import Configurable


class CodeInterpreterDataSources(Configurable):
    """Named database connections the model may query through `connect(name)` in the kernel
    (docs/data-sources.md). Server configuration only: a user setting can neither add a source
    nor choose where a password is sent."""

    sources = List(
        default_value=[],
        config=True,
        help="""The data sources, each a dict: name (what the model passes to connect(); a
        letter then letters, digits or '_'), url (a SQLAlchemy URL WITHOUT password, e.g.
        mysql+pymysql://reader@db.example.org:3306/books), one password source: password_env
        (the NAME of an environment variable of the server) or password_file (a path; one
        line), read_only (default true: sessions are made read-only; give the source a
        read-only database user as well) and description (optional, shown to the model).
        Never put the password in the url: such a source is refused.""",
    )

    schema_cache_seconds = Float(
        600.0,
        config=True,
        help="""Seconds a source's schema (tables, columns, types, approximate row counts)
        is reused before it is read again; a failure is retried after 30 seconds.""",
    )

    max_tables = Int(
        50,
        config=True,
        help="The most tables of one source described to the model (the rest are counted).",
    )
