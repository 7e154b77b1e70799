"""A real MariaDB for the data-source tests (pytest and the ui-tests' server): a database with a
`books` table and a user with a password, created for the run and dropped after.

The machines run MariaDB on 127.0.0.1:3306 with a passwordless `root`; `make mariadb`
(part of `make test`) installs and starts Debian's mariadb-server where it is missing. A test
that needs the database and cannot reach it fails with what to run, never skips.
"""

from __future__ import annotations

import os
import secrets

HOST = os.environ.get("CODE_INTERPRETER_TEST_MARIADB_HOST", "127.0.0.1")
PORT = int(os.environ.get("CODE_INTERPRETER_TEST_MARIADB_PORT", "3306"))
HOW_TO_START = (
    "the data-source tests need MariaDB on {host}:{port} with user root and no password: "
    "run `make mariadb` (as root it installs and starts Debian's mariadb-server), or "
    "`sudo apt-get install -y mariadb-server && sudo service mariadb start && sudo mariadb -e "
    "\"CREATE USER IF NOT EXISTS root@'127.0.0.1'; GRANT ALL ON *.* TO root@'127.0.0.1' "
    'WITH GRANT OPTION"` ({error})'
)
# (title, author, year): authors with 5, 4, 3, 2, 2, 1 books, so a top 5 has one clear cut.
BOOKS = [
    *[(f"Discworld {i}", "Terry Pratchett", 1983 + i) for i in range(5)],
    *[(f"Earthsea {i}", "Ursula K. Le Guin", 1968 + i) for i in range(4)],
    *[(f"Foundation {i}", "Isaac Asimov", 1951 + i) for i in range(3)],
    ("Kindred", "Octavia E. Butler", 1979),
    ("Parable of the Sower", "Octavia E. Butler", 1993),
    ("The Left Hand of Darkness", "N. K. Jemisin", 2015),
    ("The Fifth Season", "N. K. Jemisin", 2015),
    ("Solaris", "Stanisław Lem", 1961),
]


class BooksDatabase:
    """One test database and its user; `password` is random for each run."""

    def __init__(self, prefix: str = "ci", password: str | None = None):
        suffix = secrets.token_hex(4)
        self.prefix = prefix
        self.database = f"{prefix}_books_{suffix}"
        self.user = f"{prefix}_reader_{suffix}"
        self.password = password or f"pw-{secrets.token_urlsafe(18)}"
        self.host, self.port = HOST, PORT

    @property
    def url(self) -> str:
        """The SQLAlchemy URL a data source is configured with: no password."""
        return f"mysql+pymysql://{self.user}@{self.host}:{self.port}/{self.database}"

    def create(self) -> BooksDatabase:
        with admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
            cursor.execute(f"CREATE USER '{self.user}'@'%%' IDENTIFIED BY %s", (self.password,))
            # Writes are granted: the read-only flag, not the grants, must refuse them.
            cursor.execute(f"GRANT ALL ON `{self.database}`.* TO '{self.user}'@'%'")
            cursor.execute(
                f"CREATE TABLE `{self.database}`.books (id INT AUTO_INCREMENT PRIMARY KEY, "
                "title VARCHAR(200) NOT NULL, author VARCHAR(100) NOT NULL, year INT, "
                "price DECIMAL(6,2)) ENGINE=InnoDB"
            )
            cursor.executemany(
                f"INSERT INTO `{self.database}`.books (title, author, year, price) "
                "VALUES (%s, %s, %s, 9.99)",
                BOOKS,
            )
            cursor.execute(
                f"CREATE TABLE `{self.database}`.loans (book_id INT, member VARCHAR(50), "
                "lent_on DATE) ENGINE=InnoDB"
            )
            # The row estimates the schema reports come from the table statistics.
            cursor.execute(f"ANALYZE TABLE `{self.database}`.books, `{self.database}`.loans")
            cursor.fetchall()
        return self

    def drop_leftovers(self, older_than_hours: int = 2) -> None:
        """Drop the databases and users of earlier runs with this prefix (a server killed
        before its exit hook ran leaves them behind); recent ones may belong to a run still
        going."""
        with admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA LIKE %s AND CREATE_TIME < NOW() - INTERVAL %s HOUR",
                (f"{self.prefix}\\_books\\_%", older_than_hours),
            )
            for (database,) in cursor.fetchall():
                suffix = database.rsplit("_", 1)[-1]
                cursor.execute(f"DROP DATABASE `{database}`")
                cursor.execute(f"DROP USER IF EXISTS '{self.prefix}_reader_{suffix}'@'%'")

    def drop(self) -> None:
        with admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{self.database}`")
            cursor.execute(f"DROP USER IF EXISTS '{self.user}'@'%'")


def admin_connection():
    """root on the test server; fails with what to run when MariaDB is not there."""
    import pymysql

    try:
        return pymysql.connect(
            host=HOST, port=PORT, user="root", password="", autocommit=True, connect_timeout=5
        )
    except pymysql.err.OperationalError as err:
        raise RuntimeError(HOW_TO_START.format(host=HOST, port=PORT, error=err)) from None
