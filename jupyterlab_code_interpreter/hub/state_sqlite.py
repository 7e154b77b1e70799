"""The embedded state backend: one SQLite file (WAL), one replica.

Each admission is one `BEGIN IMMEDIATE` transaction (read the counters, decide, add), so even
two processes on the same file cannot both take the last unit of a limit. The calls are short
and local, so they run on the event loop.

The file is opened at the first call, and again when it was replaced; one that disappears
while open (its directory removed, its volume gone) is an error, not a connection that goes
on writing to a file nobody will read again.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from .quota import Plan, Refusal, first_refusal
from .state import UsageEntry, empty_totals

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL,
                                     expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS streams (id TEXT PRIMARY KEY, key TEXT NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS streams_key ON streams (key);
CREATE TABLE IF NOT EXISTS usage_log (id INTEGER PRIMARY KEY, user TEXT NOT NULL,
  time REAL NOT NULL, alias TEXT, deployment TEXT, prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL, status INTEGER NOT NULL, prompt TEXT);
CREATE INDEX IF NOT EXISTS usage_user_time ON usage_log (user, time);
"""


class SqliteState:
    def __init__(self, path: str):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None  # (device, inode) of the open file

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection to the file now at `path`; raises OSError or sqlite3.Error."""
        if self.path == ":memory:":
            return self._connection or self._open()
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            if self._file is None:
                return self._open()  # the first start creates it
            raise FileNotFoundError(
                errno.ENOENT,
                "the database file disappeared while open (restore it, or restart the "
                "service to start a new one)",
                self.path,
            ) from None
        if self._connection is None or (found.st_dev, found.st_ino) != self._file:
            return self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        if self.path != ":memory:":
            found = os.stat(self.path)
            self._file = (found.st_dev, found.st_ino)
        self._connection = db
        return db

    async def admit(self, plan: Plan, now: float) -> Refusal | None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            used = self._read(plan, now, db)
            refusal = first_refusal(plan, used, now)
            if refusal is None:
                for check in plan.checks:
                    if check.streams:
                        db.execute(
                            "INSERT OR REPLACE INTO streams VALUES (?, ?, ?)",
                            (plan.stream_id, check.key, plan.stream_expires),
                        )
                    else:
                        _add(db, check.key, check.amount, now + check.expires_in, now)
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return refusal

    def _read(self, plan: Plan, now: float, db: sqlite3.Connection) -> dict[str, int]:
        """Every counter of the plan in one query, and the running streams in another."""
        counters = [c.key for c in plan.checks if not c.streams]
        marks = ", ".join("?" * len(counters))
        used = dict.fromkeys(counters, 0)
        used.update(
            db.execute(
                f"SELECT key, value FROM counters WHERE key IN ({marks}) AND expires > ?",
                (*counters, now),
            ).fetchall()
        )
        for check in plan.checks:
            if check.streams:
                db.execute("DELETE FROM streams WHERE key = ? AND expires <= ?", (check.key, now))
                row = db.execute("SELECT COUNT(*) FROM streams WHERE key = ?", (check.key,))
                used[check.key] = row.fetchone()[0]
        return used

    async def settle(self, plan: Plan, tokens: int, entry: UsageEntry | None = None) -> None:
        delta = tokens - plan.estimate
        keys = plan.token_keys
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if delta:
                marks = ", ".join("?" * len(keys))
                db.execute(
                    f"UPDATE counters SET value = value + ? WHERE key IN ({marks})", (delta, *keys)
                )
            db.execute("DELETE FROM streams WHERE id = ?", (plan.stream_id,))
            if entry is not None:
                _insert(db, entry)
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise

    async def record(self, entry: UsageEntry) -> None:
        _insert(self._db, entry)

    async def usage(self, user: str | None = None, since: float = 0.0) -> dict[str, dict]:
        query = (
            "SELECT user, SUM(status < 400), SUM(status IN (403, 429)), SUM(prompt_tokens), "
            "SUM(completion_tokens) FROM usage_log WHERE time >= ?"
        )
        args: list = [since]
        if user is not None:
            query += " AND user = ?"
            args.append(user)
        report = {}
        for name, ok, refused, prompt, completion in self._db.execute(
            query + " GROUP BY user ORDER BY user", args
        ):
            totals = empty_totals()
            totals.update(
                requests=ok or 0,
                refused=refused or 0,
                prompt_tokens=prompt or 0,
                completion_tokens=completion or 0,
                total_tokens=(prompt or 0) + (completion or 0),
            )
            report[name] = totals
        return report

    async def entries(self, user: str, since: float = 0.0, limit: int = 100) -> list[dict]:
        rows = self._db.execute(
            "SELECT user, time, alias, deployment, prompt_tokens, completion_tokens, status, "
            "prompt FROM usage_log WHERE user = ? AND time >= ? ORDER BY time DESC, id DESC "
            "LIMIT ?",
            (user, since, limit),
        )
        return [UsageEntry(*row).as_dict() for row in rows]

    async def counters(self, plan: Plan, now: float) -> dict[str, int]:
        used = self._read(plan, now, self._db)
        return {check.name: used[check.key] for check in plan.checks}

    async def ping(self) -> None:
        self._db.execute("SELECT 1 FROM counters LIMIT 1").fetchall()

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _add(db: sqlite3.Connection, key: str, amount: int, expires: float, now: float) -> None:
    # An expired row (a past window's) starts again from this amount.
    db.execute(
        "INSERT INTO counters VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
        "value = CASE WHEN counters.expires > ? THEN counters.value + excluded.value "
        "ELSE excluded.value END, expires = excluded.expires",
        (key, amount, expires, now),
    )


def _insert(db: sqlite3.Connection, entry: UsageEntry) -> None:
    db.execute(
        "INSERT INTO usage_log (user, time, alias, deployment, prompt_tokens, "
        "completion_tokens, status, prompt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.user,
            entry.time,
            entry.alias,
            entry.deployment,
            entry.prompt_tokens,
            entry.completion_tokens,
            entry.status,
            entry.prompt,
        ),
    )


def _rollback(db: sqlite3.Connection) -> None:
    """Undo a failed transaction; SQLite may already have (after a full disk or an I/O
    error), and a ROLLBACK then would hide the error that matters under its own."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
