"""Conversations as files under the user's Jupyter data directory.

One JSON file per conversation, named by its UUID, plus `index.json` mapping a notebook's
path to the id of its conversation (for notebooks whose id never reached the file). Writes are
atomic (a temporary file renamed over the old one) and private to the user (0600 in a 0700
folder): a chat can quote the user's data. The stored `data` is opaque here.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INDEX_NAME = "index.json"


class ConversationError(ValueError):
    """A request the store refuses; the message says what to change."""


def check_id(conversation_id: str) -> str:
    """The id if it is a lower-case UUID (so it can never name another file)."""
    # fullmatch: with `match`, a pattern ending in `$` also accepts the id followed by "\n".
    if not _ID.fullmatch(conversation_id):
        raise ConversationError("A conversation id must be a lower-case UUID.")
    return conversation_id


def check_record(record: object) -> dict:
    """The record if it has the fields the store relies on."""
    if not isinstance(record, dict):
        raise ConversationError('The body must be a JSON object {"revision", "path", "data"}.')
    revision = record.get("revision")
    if (
        isinstance(revision, bool)
        or not isinstance(revision, (int, float))
        or not math.isfinite(revision)
    ):
        # NaN compares false with everything, so it would be stored over any revision.
        raise ConversationError('"revision" must be a finite number that grows with every save.')
    if not isinstance(record.get("path"), str):
        raise ConversationError('"path" must be the notebook\'s path (a string).')
    if not isinstance(record.get("data"), dict):
        raise ConversationError('"data" must be a JSON object.')
    return record


class ConversationFiles:
    """Reads and writes conversations in one folder."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def get(self, conversation_id: str) -> dict | None:
        """The stored record, or None."""
        return self._read(self._file(conversation_id))

    def put(self, conversation_id: str, record: dict) -> bool:
        """Store `record` unless a newer revision is already stored (a late save from before
        the page closed must not overwrite what was saved after it); True if stored."""
        target = self._file(conversation_id)
        record = check_record(record)
        stored = self._read(target)
        if stored is not None and stored.get("revision", 0) > record["revision"]:
            return False
        self._write(target, record)
        index = self._index()
        if index.get(record["path"]) != conversation_id:
            index[record["path"]] = conversation_id
            self._write(self.root / INDEX_NAME, index)
        return True

    def delete(self, conversation_id: str) -> bool:
        """Forget a conversation and its index entries; True if it existed."""
        target = self._file(conversation_id)
        existed = target.exists()
        target.unlink(missing_ok=True)
        index = self._index()
        kept = {path: known for path, known in index.items() if known != conversation_id}
        if kept != index:
            self._write(self.root / INDEX_NAME, kept)
        return existed

    def find(self, path: str) -> str | None:
        """The id of the conversation last saved for the notebook at `path`."""
        found = self._index().get(path)
        return found if isinstance(found, str) else None

    def _file(self, conversation_id: str) -> Path:
        return self.root / f"{check_id(conversation_id)}.json"

    def _index(self) -> dict:
        index = self._read(self.root / INDEX_NAME)
        return index if isinstance(index, dict) else {}

    @staticmethod
    def _read(file: Path) -> dict | None:
        try:
            with open(file, encoding="utf-8") as stream:
                value = json.load(stream)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            # A damaged file is treated as absent rather than failing every later save.
            return None
        return value if isinstance(value, dict) else None

    def _write(self, file: Path, value: dict) -> None:
        data = _encode(value)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.root, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            os.replace(temporary, file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _encode(value: dict) -> bytes:
    """`value` as UTF-8 JSON, or ConversationError for what cannot be written back as JSON."""
    try:
        # dumps, not dump: one pass in C, which nests as deep as the parser did.
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise ConversationError("The conversation is nested too deeply to store.") from None
    except ValueError:
        raise ConversationError(
            "The conversation holds NaN or Infinity, which JSON does not allow."
        ) from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A "\ud800" escape parses to a lone surrogate, which UTF-8 cannot hold.
        raise ConversationError(
            "The conversation holds text that is not valid Unicode (a lone surrogate)."
        ) from None
