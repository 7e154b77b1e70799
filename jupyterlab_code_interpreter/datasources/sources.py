"""One data source as configured (pure): its name, its SQLAlchemy URL without password, where
its password comes from, and whether its sessions are read-only.

A URL that holds a password is refused: the password would be shown wherever the URL is (the
model's context, a log line). Messages name the source and the password's source, never a value.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
FIELDS = {"name", "url", "password_env", "password_file", "read_only", "description"}
MAX_PASSWORD_FILE_BYTES = 65536


class DataSourceConfigError(ValueError):
    """A source's configuration is unusable; the message names the source and the field."""


@dataclass(frozen=True)
class DataSource:
    name: str
    url: str  # SQLAlchemy URL, no password
    password_env: str = ""
    password_file: str = ""
    read_only: bool = True
    description: str = ""

    @property
    def password_source(self) -> str:
        if self.password_file:
            return f"the password file {self.password_file}"
        if self.password_env:
            return f"the environment variable {self.password_env}"
        return "no password (the source names none)"

    @property
    def dialect(self) -> str:
        """`mysql` for `mysql+pymysql://…`: the scheme before any driver."""
        return self.url.split("://", 1)[0].split("+", 1)[0]


def parse_sources(configured: list) -> list[DataSource]:
    """The administrator's list as `DataSource`s; raises `DataSourceConfigError`."""
    sources: list[DataSource] = []
    for index, entry in enumerate(configured):
        source = parse_source(entry, index)
        if any(s.name == source.name for s in sources):
            raise DataSourceConfigError(f"data source {source.name!r} is configured twice")
        sources.append(source)
    return sources


def parse_source(entry: object, index: int = 0) -> DataSource:
    if not isinstance(entry, Mapping):
        raise DataSourceConfigError(f"data source #{index + 1} is not a dict")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise DataSourceConfigError(
            f"data source #{index + 1}: name must be a letter then letters, digits or '_' "
            "(up to 64), as the model writes it in connect(name)"
        )
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        raise DataSourceConfigError(f"data source {name!r}: unknown fields {unknown}")
    url = entry.get("url")
    if not isinstance(url, str) or "://" not in url:
        raise DataSourceConfigError(
            f"data source {name!r}: url must be a SQLAlchemy URL such as "
            "mysql+pymysql://reader@db.example.org:3306/books"
        )
    if url_has_password(url):
        # The URL is not repeated: it holds the password.
        raise DataSourceConfigError(
            f"data source {name!r}: the url holds a password; put the password in "
            "password_env (a variable name) or password_file (a path) and remove it from the url"
        )
    password_env = _text(entry, "password_env", name)
    password_file = _text(entry, "password_file", name)
    if password_env and password_file:
        raise DataSourceConfigError(
            f"data source {name!r}: give password_env or password_file, not both"
        )
    read_only = entry.get("read_only", True)
    if not isinstance(read_only, bool):
        raise DataSourceConfigError(f"data source {name!r}: read_only must be true or false")
    return DataSource(
        name=name,
        url=url,
        password_env=password_env,
        password_file=os.path.expanduser(password_file) if password_file else "",
        read_only=read_only,
        description=_text(entry, "description", name),
    )


def url_has_password(url: str) -> bool:
    """Whether `scheme://user:password@host…` carries a password (no SQLAlchemy needed)."""
    rest = url.split("://", 1)[1]
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" not in authority:
        return False
    userinfo = authority.rsplit("@", 1)[0]
    return ":" in userinfo


def read_password(source: DataSource, environ: Mapping[str, str] | None = None) -> str | None:
    """The password now (a rotated one applies at once), or None when its source is unset or
    unreadable; None too for a source that names none."""
    if source.password_file:
        return _read_file(source.password_file)
    if source.password_env:
        return (os.environ if environ is None else environ).get(source.password_env) or None
    return None


def missing_password(source: DataSource, environ: Mapping[str, str] | None = None) -> str | None:
    """Why the source cannot log in for lack of a password, else None."""
    if (source.password_env or source.password_file) and read_password(source, environ) is None:
        return f"data source {source.name!r}: {source.password_source} is not set or is empty"
    return None


def _read_file(path: str) -> str | None:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PASSWORD_FILE_BYTES:
            return None
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    # One line only: a whole environment block or a key file with comments is not a password.
    return value if value and "\n" not in value else None


def _text(entry: Mapping, field: str, name: str) -> str:
    value = entry.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataSourceConfigError(f"data source {name!r}: {field} must be a string")
    return value.strip()
