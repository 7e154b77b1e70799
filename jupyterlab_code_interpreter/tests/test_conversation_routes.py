"""The conversation routes on a real server: round trip, path lookup, stale saves refused,
clear errors, and jupyter_server's authentication and XSRF checks on every route."""

import json

import pytest

from .conftest import cookie_headers

ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
ONE = ("code-interpreter", "conversations", ID)
INDEX = ("code-interpreter", "conversations")


def body(revision, path="work/analysis.ipynb", text="x = 3"):
    return json.dumps({"revision": revision, "path": path, "data": {"text": text}})


async def test_save_load_find_and_delete(jp_fetch, jp_data_dir):
    missing = await jp_fetch(*ONE, raise_error=False)
    assert missing.code == 404 and b"No conversation" in missing.body
    saved = await jp_fetch(*ONE, method="PUT", body=body(1))
    assert saved.code == 204
    loaded = json.loads((await jp_fetch(*ONE)).body)
    assert loaded["data"] == {"text": "x = 3"} and loaded["path"] == "work/analysis.ipynb"
    assert loaded["updated"]  # stamped by the server
    found = await jp_fetch(*INDEX, params={"path": "work/analysis.ipynb"})
    assert json.loads(found.body) == {"id": ID}
    # Kept under the user's Jupyter data directory, so a restarted server finds it.
    assert (jp_data_dir / "code_interpreter" / "conversations" / f"{ID}.json").exists()
    deleted = await jp_fetch(*ONE, method="DELETE")
    assert deleted.code == 204
    gone = await jp_fetch(*INDEX, params={"path": "work/analysis.ipynb"})
    assert gone.code == 200 and json.loads(gone.body) == {"id": None}


async def test_a_late_older_save_is_refused(jp_fetch):
    await jp_fetch(*ONE, method="PUT", body=body(5, text="final answer"))
    late = await jp_fetch(*ONE, method="PUT", body=body(4, text="partial"), raise_error=False)
    assert late.code == 409 and b"newer version" in late.body
    assert json.loads((await jp_fetch(*ONE)).body)["data"]["text"] == "final answer"


@pytest.mark.parametrize(
    "parts, payload, message",
    [
        (("code-interpreter", "conversations", "..%2Fsecrets"), body(1), b"UUID"),
        (ONE, "not json", b"must be JSON"),
        (ONE, json.dumps({"revision": 1, "data": {}}), b"path"),
    ],
)
async def test_bad_saves_get_a_clear_error(jp_fetch, parts, payload, message):
    response = await jp_fetch(*parts, method="PUT", body=payload, raise_error=False)
    assert response.code == 400 and message in response.body


async def test_a_notebook_without_a_conversation_is_an_empty_answer(jp_fetch):
    # The first lookup of every new notebook: no error in the browser's console.
    found = await jp_fetch(*INDEX, params={"path": "new.ipynb"})
    assert found.code == 200 and json.loads(found.body) == {"id": None}


async def test_the_index_needs_a_path(jp_fetch):
    response = await jp_fetch(*INDEX, raise_error=False)
    assert response.code == 400 and b"?path=" in response.body


@pytest.mark.parametrize(
    "method, parts, payload",
    [("GET", ONE, None), ("GET", INDEX, None), ("PUT", ONE, body(1)), ("DELETE", ONE, None)],
)
async def test_every_route_requires_authentication(jp_fetch, method, parts, payload):
    params = {"path": "a.ipynb"} if parts == INDEX else None
    response = await jp_fetch(
        *parts,
        method=method,
        body=payload,
        params=params,
        headers={"Authorization": ""},
        raise_error=False,
    )
    assert response.code == 403


async def test_cookie_writes_need_the_xsrf_header(jp_fetch, browser_cookie):
    no_xsrf = cookie_headers(browser_cookie)
    put = await jp_fetch(*ONE, method="PUT", body=body(1), headers=no_xsrf, raise_error=False)
    assert put.code == 403
    assert (await jp_fetch(*ONE, raise_error=False)).code == 404  # nothing was stored
    with_xsrf = cookie_headers(browser_cookie, xsrf=True)
    assert (await jp_fetch(*ONE, method="PUT", body=body(1), headers=with_xsrf)).code == 204
    delete = await jp_fetch(*ONE, method="DELETE", headers=no_xsrf, raise_error=False)
    assert delete.code == 403


def test_an_administrator_can_choose_the_folder(jp_serverapp, tmp_path):
    from jupyterlab_code_interpreter.conversations.routes import conversations_dir

    jp_serverapp.config.CodeInterpreterConversations.directory = str(tmp_path / "chats")
    assert conversations_dir(jp_serverapp) == tmp_path / "chats"
