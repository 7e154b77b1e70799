"""What the model is told about a data source: its tables, their columns and types, and
approximate row counts (the server reads them with its own connection; blocking, run in a
worker thread). SQLAlchemy and the database's driver are imported here, on first use.
"""

from __future__ import annotations

from typing import Any

from ..kernel_helpers.datasources import describe_connect_error
from .sources import DataSource, missing_password, read_password

MAX_TABLES = 50
MAX_COLUMNS = 40
CONNECT_TIMEOUT_SECONDS = 10
# MySQL and MariaDB keep an estimate per table; counting rows would read whole tables.
MYSQL_ROW_ESTIMATES = (
    "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
)


class SchemaError(Exception):
    """The schema could not be read; the message names the source, never the password."""


def discover(source: DataSource, max_tables: int = MAX_TABLES) -> dict[str, Any]:
    """`{"tables": [{"name", "rows", "columns": [[name, type], …]}], "more_tables": n}`."""
    missing = missing_password(source)
    if missing:
        raise SchemaError(missing)
    try:
        import sqlalchemy
    except ImportError:
        raise SchemaError(
            f"data source {source.name!r}: the server needs SQLAlchemy and the database's "
            "driver to read the schema (pip install sqlalchemy pymysql)"
        ) from None
    try:
        engine = _engine(sqlalchemy, source)
    except ImportError as err:
        raise SchemaError(
            f"data source {source.name!r}: the server lacks the database driver ({err.name or err})"
        ) from None
    except sqlalchemy.exc.SQLAlchemyError as err:  # e.g. a dialect SQLAlchemy does not know
        raise SchemaError(f"data source {source.name!r}: {err}") from None
    try:
        with engine.connect() as connection:
            return _read(sqlalchemy, connection, max_tables)
    except sqlalchemy.exc.DBAPIError as err:
        raise SchemaError(describe_connect_error(source.name, source.url, err.orig)) from None
    except sqlalchemy.exc.SQLAlchemyError as err:
        raise SchemaError(
            f"data source {source.name!r}: the schema could not be read ({type(err).__name__})"
        ) from None
    finally:
        engine.dispose()


def _engine(sqlalchemy, source: DataSource):
    url = sqlalchemy.engine.make_url(source.url)
    password = read_password(source)
    if password is not None:
        url = url.set(password=password)
    connect_args = {}
    if url.get_backend_name() in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return sqlalchemy.create_engine(
        url, poolclass=sqlalchemy.pool.NullPool, connect_args=connect_args
    )


def _read(sqlalchemy, connection, max_tables: int) -> dict[str, Any]:
    inspector = sqlalchemy.inspect(connection)
    names = sorted(inspector.get_table_names())
    rows = _row_estimates(sqlalchemy, connection)
    tables = []
    for table in names[:max_tables]:
        columns = inspector.get_columns(table)
        tables.append(
            {
                "name": table,
                "rows": rows.get(table),
                "columns": [[c["name"], _type_name(c["type"])] for c in columns[:MAX_COLUMNS]],
                "more_columns": max(0, len(columns) - MAX_COLUMNS),
            }
        )
    return {"tables": tables, "more_tables": max(0, len(names) - max_tables)}


def _row_estimates(sqlalchemy, connection) -> dict[str, int]:
    if connection.dialect.name not in ("mysql", "mariadb"):
        return {}
    result = connection.execute(sqlalchemy.text(MYSQL_ROW_ESTIMATES))
    return {name: int(count) for name, count in result if count is not None}


def _type_name(column_type) -> str:
    try:
        return str(column_type).lower()
    except Exception:  # a dialect type without a string form
        return type(column_type).__name__.lower()
