"""Data source configuration and the password route's signature check (pure; the real
database, server and kernel are in test_data_sources_mariadb.py)."""

import hashlib
import hmac

import pytest

from jupyterlab_code_interpreter.datasources.registry import (
    DataSourceRegistry,
    PasswordRefused,
)
from jupyterlab_code_interpreter.datasources.sources import (
    DataSourceConfigError,
    missing_password,
    parse_sources,
    read_password,
    url_has_password,
)
from jupyterlab_code_interpreter.kernel_helpers.datasources import describe_connect_error

SECRET = "s3cret-Value-123"
BOOKS = {"name": "books", "url": "mysql+pymysql://reader@db:3306/books", "password_env": "BP"}


def test_a_url_with_a_password_is_refused_without_repeating_it():
    with pytest.raises(DataSourceConfigError) as refused:
        parse_sources([{**BOOKS, "url": f"mysql+pymysql://reader:{SECRET}@db/books"}])
    assert SECRET not in str(refused.value)
    assert "password_env" in str(refused.value)


@pytest.mark.parametrize(
    "url, has",
    [
        ("mysql+pymysql://reader@db:3306/books", False),
        ("mysql+pymysql://reader:pw@db:3306/books", True),
        ("postgresql://db/books?user=a", False),
        ("sqlite:///data.db", False),
        ("mysql://u:p%40ss@db/x", True),
    ],
)
def test_url_has_password(url, has):
    assert url_has_password(url) is has


@pytest.mark.parametrize(
    "entry, message",
    [
        ({**BOOKS, "name": "no spaces"}, "name must be"),
        ({**BOOKS, "url": "books"}, "SQLAlchemy URL"),
        ({**BOOKS, "password_file": "/x"}, "not both"),
        ({**BOOKS, "read_only": "yes"}, "read_only"),
        ({**BOOKS, "passwd": "x"}, "unknown fields"),
    ],
)
def test_invalid_sources_say_what_is_wrong(entry, message):
    with pytest.raises(DataSourceConfigError, match=message):
        parse_sources([entry])


def test_sources_are_read_only_by_default_and_names_are_unique():
    (source,) = parse_sources([BOOKS])
    assert source.read_only is True
    assert source.dialect == "mysql"
    with pytest.raises(DataSourceConfigError, match="twice"):
        parse_sources([BOOKS, BOOKS])


def test_password_from_a_file_is_one_line(tmp_path):
    path = tmp_path / "password"
    path.write_text(SECRET + "\n")
    (source,) = parse_sources([{**BOOKS, "password_env": "", "password_file": str(path)}])
    assert read_password(source) == SECRET
    path.write_text("A=1\nB=2\n")
    assert read_password(source) is None


def test_a_configuration_error_leaves_no_source():
    registry = DataSourceRegistry([{**BOOKS, "url": f"mysql://u:{SECRET}@db/x"}])
    assert registry.sources == {}
    assert SECRET not in registry.config_error


def signed(key, name="books", stamp=1000, nonce="n1"):
    message = f"{name}\n{stamp}\n{nonce}".encode()
    mac = hmac.new(key, message, hashlib.sha256).hexdigest()
    return {"source": name, "time": str(stamp), "nonce": nonce, "mac": mac}


def test_the_password_goes_only_to_a_signed_fresh_request(monkeypatch):
    monkeypatch.setenv("BP", SECRET)
    registry = DataSourceRegistry([BOOKS])
    kernel_key, other_key = b"kernel-key", b"someone-else"
    assert registry.password_for(signed(kernel_key), [b"x", kernel_key], 1000) == SECRET
    refusals = [
        (signed(kernel_key), 403, "already used"),  # the same nonce again
        (signed(other_key, nonce="n2"), 403, "not signed"),
        (signed(kernel_key, stamp=100, nonce="n3"), 403, "clock"),
        (signed(kernel_key, name="other", nonce="n4"), 404, "no data source"),
        ({"source": "books"}, 400, "required"),
    ]
    for body, status, message in refusals:
        with pytest.raises(PasswordRefused, match=message) as refused:
            registry.password_for(body, [kernel_key], 1000)
        assert refused.value.status == status
    monkeypatch.delenv("BP")
    with pytest.raises(PasswordRefused, match="BP is not set") as refused:
        registry.password_for(signed(kernel_key, nonce="n5"), [kernel_key], 1000)
    assert refused.value.status == 503


def test_the_kernel_config_holds_no_password_and_no_path(monkeypatch, tmp_path):
    monkeypatch.setenv("BP", SECRET)
    secret_file = tmp_path / "pw"
    secret_file.write_text(SECRET)
    registry = DataSourceRegistry(
        [BOOKS, {"name": "sales", "url": "sqlite:///s.db", "password_file": str(secret_file)}]
    )
    config = registry.kernel_config("http://127.0.0.1:8888/code-interpreter/data-sources/password")
    assert SECRET not in str(config) and str(secret_file) not in str(config)
    assert config["sources"]["books"] == {
        "url": BOOKS["url"],
        "read_only": True,
        "dialect": "mysql",
        "password": True,
    }
    assert registry.password_env_names() == ["BP"]
    assert registry.password_files() == [str(secret_file)]


def test_connect_errors_name_the_source_and_what_happened():
    class DriverError(Exception):
        pass

    url = "mysql+pymysql://reader@db:3306/books"
    denied = DriverError(1045, "Access denied for user 'reader'@'10.0.0.2' (using password: YES)")
    assert describe_connect_error("books", url, denied).startswith(
        "data source 'books': the database at db:3306/books refused the login"
    )
    down = DriverError(2003, "Can't connect to MySQL server on 'db' ([Errno 111] refused)")
    assert "cannot be reached" in describe_connect_error("books", url, down)


def test_an_unset_password_source_says_which(monkeypatch, tmp_path):
    monkeypatch.delenv("BP", raising=False)
    empty = tmp_path / "empty"
    empty.write_text("\n")
    env_source, file_source = parse_sources(
        [BOOKS, {**BOOKS, "name": "f", "password_env": "", "password_file": str(empty)}]
    )
    assert missing_password(env_source) == (
        "data source 'books': the environment variable BP is not set or is empty"
    )
    assert missing_password(file_source) == (
        f"data source 'f': the password file {empty} is not set or is empty"
    )


def test_a_read_only_sqlite_source_refuses_writes_in_the_kernel_helper(tmp_path):
    """The kernel helper on its own (no server: a source without password fetches none)."""
    import sqlite3

    from jupyterlab_code_interpreter.kernel_helpers import datasources

    path = tmp_path / "local.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        connection.execute("INSERT INTO t VALUES (1)")
    url = f"sqlite:///{path}"
    datasources.configure_data_sources(
        "",
        {
            "local": {"url": url, "read_only": True, "dialect": "sqlite", "password": False},
            "rw": {"url": url, "read_only": False, "dialect": "sqlite", "password": False},
            "odd": {"url": "nosuchdb://u@h/x", "read_only": True, "password": False},
        },
    )
    try:
        from sqlalchemy import text

        with datasources.connect("local").connect() as connection:
            assert connection.execute(text("SELECT x FROM t")).scalar() == 1
            with pytest.raises(datasources.DataSourceError, match="'local' is read-only"):
                connection.execute(text("INSERT INTO t VALUES (2)"))
        with datasources.connect("rw").begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        with pytest.raises(datasources.DataSourceError, match="'odd': Can't load plugin"):
            datasources.connect("odd")
    finally:
        datasources.configure_data_sources()


async def test_unknown_dialects_and_missing_drivers_are_described():
    registry = DataSourceRegistry(
        [
            {"name": "odd", "url": "nosuchdb://u@h/x"},
            {"name": "nodriver", "url": "mysql+mysqldb://u@h/x"},
        ]
    )
    described = {s["name"]: s for s in (await registry.describe())["sources"]}
    assert described["odd"]["error"].startswith("data source 'odd': Can't load plugin")
    assert described["nodriver"]["error"] == (
        "data source 'nodriver': the server lacks the database driver (MySQLdb)"
    )
