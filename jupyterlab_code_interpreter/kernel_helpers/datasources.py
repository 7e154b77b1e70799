"""`connect(name)`: a SQLAlchemy engine for one of the server's data sources.

The server sends each source's name, URL without password and read-only flag with the
bootstrap (`configure_data_sources`). The password is not sent: each new database connection
asks the server for it (`password_route`), signing the request with this kernel's own
connection key, which the server knows; it goes straight into the driver's connect call and is
kept nowhere else by this file (the driver's connection object may hold it, see
docs/security.md). Part of the kernel helpers' bundle: standard library, plus SQLAlchemy and
the database's driver when `connect` is called.
"""

import hashlib
import hmac
import json
import secrets
import ssl
import time
import urllib.error
import urllib.request

try:  # in the package; in the kernel the bundle defines this name above this file
    from .rules import _shell
except ImportError:
    pass

_data_sources = {"route": "", "sources": {}}
PASSWORD_TIMEOUT_SECONDS = 15
# What makes a session read-only, per SQLAlchemy dialect name.
READ_ONLY_STATEMENTS = {
    "mysql": "SET SESSION TRANSACTION READ ONLY",
    "mariadb": "SET SESSION TRANSACTION READ ONLY",
    "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
    "sqlite": "PRAGMA query_only = ON",
}
# Driver error codes: MySQL/MariaDB (args[0]) and PostgreSQL (pgcode).
MYSQL_ACCESS_DENIED = {1044, 1045, 1698}
MYSQL_UNREACHABLE = {2002, 2003, 2005, 2006, 2013}
MYSQL_UNKNOWN_DATABASE = {1049}
MYSQL_READ_ONLY = {1792, 1290}


class DataSourceError(Exception):
    """A data source could not be used; the message names the source, never a credential."""

    def _render_traceback_(self):
        # The message says all; the frames below it are SQLAlchemy's and the driver's.
        return [f"DataSourceError: {self}"]


def configure_data_sources(route="", sources=None):
    """The server's sources, `{name: {"url", "read_only", "dialect", "password"}}` (`password`:
    whether it has one to fetch), and the password route."""
    _data_sources["route"] = route or ""
    _data_sources["sources"] = dict(sources or {})


def data_source_names():
    return sorted(_data_sources["sources"])


def connect(name):
    """A SQLAlchemy engine for the data source `name` (`pd.read_sql(sql, connect(name))`).

    The password is fetched from the server for each new connection, never stored here."""
    source = _data_sources["sources"].get(name)
    if source is None:
        names = ", ".join(data_source_names()) or "none are configured on this server"
        raise DataSourceError(f"there is no data source named {name!r} (data sources: {names})")
    try:
        import sqlalchemy
        from sqlalchemy import event
    except ImportError:
        raise DataSourceError(
            "connect() needs SQLAlchemy and the database's driver in the kernel "
            "(pip install sqlalchemy pymysql)"
        ) from None
    try:
        engine = sqlalchemy.create_engine(source["url"], pool_pre_ping=True)
    except ImportError as err:
        raise DataSourceError(
            f"data source {name!r}: the kernel lacks the database driver ({err.name or err})"
        ) from None
    except sqlalchemy.exc.SQLAlchemyError as err:  # e.g. a dialect SQLAlchemy does not know
        raise DataSourceError(f"data source {name!r}: {err}") from None

    @event.listens_for(engine, "do_connect")
    def _login(dialect, record, cargs, cparams):
        password = _fetch_password(name) if source.get("password", True) else None
        if password is not None:
            cparams["password"] = password
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as err:
            raise DataSourceError(describe_connect_error(name, source["url"], err)) from None

    if source.get("read_only"):
        statement = READ_ONLY_STATEMENTS.get(engine.dialect.name)

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, record):
            if statement:
                cursor = dbapi_connection.cursor()
                cursor.execute(statement)
                cursor.close()

        @event.listens_for(engine, "handle_error")
        def _refused_write(context):
            if is_read_only_refusal(context.original_exception):
                return DataSourceError(
                    f"data source {name!r} is read-only: the database refused the write "
                    f"({_driver_message(context.original_exception)})"
                )
            return None

    engine._code_interpreter_source = name
    return engine


connect._code_interpreter = True


def install_connect(helpers, shell=None):
    """Bind `connect` in the user namespace, hidden from the state, when the server has data
    sources, unless the name holds something of the user's (then `__code_interpreter__.connect`
    still works)."""
    if not _data_sources["sources"]:
        return
    shell = shell if shell is not None else _shell()
    if shell is None:
        return
    current = shell.user_ns.get("connect")
    if current is not None and not getattr(current, "_code_interpreter", False):
        return
    shell.user_ns["connect"] = helpers.connect
    shell.user_ns_hidden["connect"] = helpers.connect


def describe_connect_error(name, url, err):
    """What went wrong opening a connection to `name`, for the model and the user: the
    database's own message (which never holds the password) and what it means."""
    where = _where(url)
    code = _mysql_code(err)
    detail = _driver_message(err)
    if code in MYSQL_ACCESS_DENIED or "password authentication failed" in detail:
        return (
            f"data source {name!r}: the database at {where} refused the login (wrong user or "
            f"password, or no access to the database): {detail}"
        )
    if code in MYSQL_UNREACHABLE or "Connection refused" in detail or "could not connect" in detail:
        return f"data source {name!r}: the database at {where} cannot be reached: {detail}"
    if code in MYSQL_UNKNOWN_DATABASE:
        return f"data source {name!r}: the database at {where} does not exist: {detail}"
    if isinstance(err, DataSourceError):
        return str(err)
    return f"data source {name!r}: connecting to {where} failed: {type(err).__name__}: {detail}"


def is_read_only_refusal(err):
    code = _mysql_code(err)
    if code in MYSQL_READ_ONLY:
        return True
    text = str(err)
    return getattr(err, "pgcode", None) == "25006" or "attempt to write a readonly" in text


def _mysql_code(err):
    args = getattr(err, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _driver_message(err):
    args = getattr(err, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return str(args[1])
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _where(url):
    """`host:port/database` of a password-free URL (no SQLAlchemy needed)."""
    rest = url.split("://", 1)[-1]
    return rest.rsplit("@", 1)[-1].split("?", 1)[0] or url.split("://", 1)[0]


def _fetch_password(name):
    """The source's password from the server, or None when it has none. The request is signed
    with this kernel's connection key (HMAC-SHA256), so only this server's kernels get it."""
    route = _data_sources["route"]
    if not route:
        raise DataSourceError(f"data source {name!r}: the server gave no password route")
    key = _kernel_key()
    stamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    message = "\n".join([name, stamp, nonce]).encode("utf-8")
    body = {
        "source": name,
        "time": stamp,
        "nonce": nonce,
        "mac": hmac.new(key, message, hashlib.sha256).hexdigest(),
    }
    request = urllib.request.Request(
        route,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    context = ssl._create_unverified_context() if route.startswith("https:") else None
    try:
        with urllib.request.urlopen(
            request, timeout=PASSWORD_TIMEOUT_SECONDS, context=context
        ) as r:
            answer = json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        raise DataSourceError(_refusal(name, err)) from None
    except (OSError, ValueError) as err:
        raise DataSourceError(
            f"data source {name!r}: the Jupyter server could not be asked for the password "
            f"({type(err).__name__}: {err})"
        ) from None
    return answer.get("password")


def _refusal(name, err):
    try:
        message = json.loads(err.read().decode("utf-8")).get("message") or err.reason
    except (OSError, ValueError, AttributeError):
        message = err.reason
    return f"data source {name!r}: the server refused the password ({err.code}: {message})"


def _kernel_key():
    """This kernel's message-signing key, which the server that started it also holds."""
    try:
        key = _shell().kernel.session.key
    except AttributeError:
        key = b""
    if not key:
        raise DataSourceError("connect() works only in a kernel this Jupyter server started")
    return key
