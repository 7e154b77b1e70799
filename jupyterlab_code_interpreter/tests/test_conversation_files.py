"""The conversation files: atomic, private, ordered by revision, and never outside their folder."""

import json
import stat

import pytest

from jupyterlab_code_interpreter.conversations.files import ConversationError, ConversationFiles

ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"


def record(revision, path="a.ipynb", text="hello"):
    return {"revision": revision, "path": path, "data": {"messages": [{"content": text}]}}


def test_round_trip_and_path_index(tmp_path):
    files = ConversationFiles(tmp_path / "conversations")
    assert files.get(ID) is None and files.find("a.ipynb") is None
    assert files.put(ID, record(1, text="你好"))
    assert files.get(ID)["data"]["messages"][0]["content"] == "你好"
    assert files.find("a.ipynb") == ID
    # A second store on the same folder (a restarted server) reads the same.
    assert ConversationFiles(tmp_path / "conversations").get(ID) == files.get(ID)


def test_files_are_private_to_the_user(tmp_path):
    files = ConversationFiles(tmp_path / "conversations")
    files.put(ID, record(1))
    assert stat.S_IMODE((tmp_path / "conversations").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "conversations" / f"{ID}.json").stat().st_mode) == 0o600
    # Nothing temporary is left behind by the atomic writes.
    assert sorted(p.name for p in (tmp_path / "conversations").iterdir()) == [
        f"{ID}.json",
        "index.json",
    ]


def test_an_older_revision_never_overwrites_a_newer_one(tmp_path):
    files = ConversationFiles(tmp_path)
    assert files.put(ID, record(2, text="the whole answer"))
    assert not files.put(ID, record(1, text="half an answer"))
    assert files.get(ID)["data"]["messages"][0]["content"] == "the whole answer"


def test_a_rename_moves_the_index_entry(tmp_path):
    files = ConversationFiles(tmp_path)
    files.put(ID, record(1, path="old.ipynb"))
    files.put(ID, record(2, path="new.ipynb"))
    assert files.find("new.ipynb") == ID
    # The old path still leads to it until something else is saved there.
    assert files.find("old.ipynb") == ID
    assert files.delete(ID)
    assert files.find("new.ipynb") is None and files.find("old.ipynb") is None
    assert not files.delete(ID)


@pytest.mark.parametrize("bad", ["../index", "..", "x" * 36, ID.upper(), f"{ID}/x"])
def test_ids_that_could_name_another_file_are_refused(tmp_path, bad):
    files = ConversationFiles(tmp_path)
    with pytest.raises(ConversationError, match="UUID"):
        files.put(bad, record(1))
    with pytest.raises(ConversationError):
        files.get(bad)


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "JSON object"),
        ({"path": "a", "data": {}}, "revision"),
        ({"revision": True, "path": "a", "data": {}}, "revision"),
        ({"revision": 1, "data": {}}, "path"),
        ({"revision": 1, "path": "a", "data": "x"}, "data"),
    ],
)
def test_malformed_records_are_refused_with_the_field(tmp_path, body, message):
    with pytest.raises(ConversationError, match=message):
        ConversationFiles(tmp_path).put(ID, body)


def test_a_damaged_file_reads_as_absent_and_can_be_overwritten(tmp_path):
    files = ConversationFiles(tmp_path)
    (tmp_path / f"{ID}.json").write_text("{not json")
    assert files.get(ID) is None
    assert files.put(ID, record(1))
    assert json.loads((tmp_path / f"{ID}.json").read_text())["revision"] == 1
