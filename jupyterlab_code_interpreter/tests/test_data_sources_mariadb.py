"""Data sources against a real MariaDB (tests/mariadb.py), a real Jupyter server and a real
kernel: the schema the model is given, `connect(name)` in the kernel, read-only sessions,
clear messages for a wrong password and an unreachable database, and the password nowhere
but the database's login: not in a route's answer, the kernel's environment, an output or a
server log line."""

import hashlib
import json
import logging

import pytest

from jupyterlab_code_interpreter.tests.mariadb import BooksDatabase

TIMEOUT = 90
WRONG_PASSWORD = "wrong-PASSWORD-0123456789"
TOP_AUTHORS = (
    "SELECT author, COUNT(*) AS n FROM books GROUP BY author ORDER BY n DESC, author LIMIT 5"
)


@pytest.fixture(scope="module")
def books_db():
    database = BooksDatabase().create()
    yield database
    database.drop()


@pytest.fixture
def wrong_password_file(tmp_path):
    path = tmp_path / "wrong-password"
    path.write_text(WRONG_PASSWORD + "\n")
    return path


@pytest.fixture
def jp_server_config(jp_server_config, books_db, wrong_password_file):
    config = json.loads(json.dumps(jp_server_config))
    down = f"mysql+pymysql://{books_db.user}@127.0.0.1:1/{books_db.database}"
    config["CodeInterpreterDataSources"] = {
        "sources": [
            {"name": "books", "url": books_db.url, "password_env": "BOOKS_DB_PASSWORD"},
            {"name": "wrong", "url": books_db.url, "password_file": str(wrong_password_file)},
            {"name": "down", "url": down, "password_env": "BOOKS_DB_PASSWORD"},
            {
                "name": "writable",
                "url": books_db.url,
                "password_env": "BOOKS_DB_PASSWORD",
                "read_only": False,
            },
        ]
    }
    config["CodeInterpreter"] = {"protect_server_process": False}
    return config


@pytest.fixture(autouse=True)
def passwords(monkeypatch, books_db):
    monkeypatch.setenv("BOOKS_DB_PASSWORD", books_db.password)


@pytest.fixture
def server_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_password(text, books_db):
    assert books_db.password not in text
    assert WRONG_PASSWORD not in text


async def test_the_schema_route_describes_tables_without_credentials(
    jp_fetch, books_db, server_log
):
    response = await jp_fetch("code-interpreter", "data-sources")
    text = response.body.decode()
    assert_no_password(text, books_db)
    sources = {s["name"]: s for s in json.loads(text)["sources"]}
    books = sources["books"]
    assert books["url"] == books_db.url and books["read_only"] is True
    assert books["error"] is None
    tables = {t["name"]: t for t in books["tables"]}
    assert set(tables) == {"books", "loans"}
    assert tables["books"]["columns"][:3] == [
        ["id", "integer"],
        ["title", "varchar(200)"],
        ["author", "varchar(100)"],
    ]
    assert ["price", "decimal(6, 2)"] in tables["books"]["columns"]
    assert tables["books"]["rows"] == 17  # MariaDB's estimate, exact after ANALYZE TABLE
    assert sources["writable"]["read_only"] is False

    assert sources["wrong"]["tables"] == []
    assert sources["wrong"]["error"].startswith(
        "data source 'wrong': the database at 127.0.0.1:3306/"
    )
    assert "refused the login" in sources["wrong"]["error"]
    assert "data source 'down'" in sources["down"]["error"]
    assert "cannot be reached" in sources["down"]["error"]
    assert_no_password(server_log.text, books_db)


async def start_kernel_with_helpers(jp_fetch, jp_serverapp):
    """A kernel started through the REST API, with the bootstrap the browser would send."""
    kernel = json.loads(
        (await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))).body
    )
    bundle = json.loads((await jp_fetch("code-interpreter", "kernel-helpers")).body)
    client = jp_serverapp.kernel_manager.get_kernel(kernel["id"]).client()
    client.start_channels()
    await client.wait_for_ready(timeout=TIMEOUT)
    reply = await client.execute_interactive(
        bundle["bootstrap"], silent=True, store_history=False, timeout=TIMEOUT
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    return client, bundle


async def run(client, code):
    """(status, everything the kernel published: streams, results and errors, as text)."""
    published = []

    def collect(message):
        content = message["content"]
        if message["msg_type"] == "stream":
            published.append(content["text"])
        elif message["msg_type"] in ("execute_result", "display_data"):
            published.append(json.dumps(content["data"]))
        elif message["msg_type"] == "error":
            published.append(
                "\n".join([content["ename"], content["evalue"], *content["traceback"]])
            )

    reply = await client.execute_interactive(code, output_hook=collect, timeout=TIMEOUT)
    return reply["content"]["status"], "".join(published)


async def test_connect_in_a_real_kernel(
    jp_fetch, jp_serverapp, books_db, server_log, wrong_password_file
):
    client, bundle = await start_kernel_with_helpers(jp_fetch, jp_serverapp)
    try:
        assert_no_password(bundle["bootstrap"] + bundle["source"], books_db)

        status, text = await run(
            client,
            "import pandas as pd\n"
            "engine = connect('books')\n"
            f"print(pd.read_sql({TOP_AUTHORS!r}, engine).to_json(orient='records'))\n"
            "print(repr(engine), engine.url, engine.url.password)\n",
        )
        assert status == "ok", text
        top = json.loads(text.splitlines()[0])
        assert [row["author"] for row in top] == [
            "Terry Pratchett",
            "Ursula K. Le Guin",
            "Isaac Asimov",
            "N. K. Jemisin",
            "Octavia E. Butler",
        ]
        assert [row["n"] for row in top] == [5, 4, 3, 2, 2]
        assert text.splitlines()[1] == f"Engine({books_db.url}) {books_db.url} None"

        # Read-only: the write is refused with a message naming the source, and not made.
        status, text = await run(
            client,
            "from sqlalchemy import text\n"
            "with engine.begin() as c:\n"
            "    c.execute(text(\"INSERT INTO books (title, author) VALUES ('x', 'y')\"))\n",
        )
        assert status == "error"
        assert "DataSourceError: data source 'books' is read-only" in text
        assert "READ ONLY" in text  # the database's own reason
        status, text = await run(
            client, "print(pd.read_sql('SELECT COUNT(*) AS n FROM books', engine).n[0])"
        )
        assert text.strip() == "17"

        # A source that is not read-only writes.
        status, text = await run(
            client,
            "with connect('writable').begin() as c:\n"
            "    c.execute(text(\"INSERT INTO loans VALUES (1, 'ada', '2026-01-02')\"))\n"
            "print(pd.read_sql('SELECT member FROM loans', engine).member.tolist())\n",
        )
        assert status == "ok", text
        assert "['ada']" in text

        # What docs/security.md admits: kernel code can take the password from the driver's
        # connection object once connect() has logged in (printed here as a hash).
        status, text = await run(
            client,
            "import hashlib\n"
            "print(hashlib.sha256(engine.raw_connection().driver_connection.password)"
            ".hexdigest())\n",
        )
        assert text.strip() == hashlib.sha256(books_db.password.encode()).hexdigest()

        # Reading the password's variable or file asks first (the policy's secrets category).
        reads = [
            'import os; os.environ["BOOKS_DB_PASSWORD"]',
            f"open({str(wrong_password_file)!r}).read()",
        ]
        status, text = await run(
            client,
            "import json\n"
            f"for code in {reads!r}:\n"
            "    found = __code_interpreter__.check(code)['findings']\n"
            "    print(json.dumps([f['category'] for f in found]))\n",
        )
        assert status == "ok", text
        assert text.split() == ['["secrets"]', '["secrets"]']

        # The kernel's environment holds neither the password nor its variable.
        status, text = await run(
            client,
            "import os, json\n"
            "print(json.dumps(dict(os.environ)))\n"
            "print(open('/proc/self/environ', 'rb').read().decode('utf-8', 'replace'))\n",
        )
        assert status == "ok"
        assert "BOOKS_DB_PASSWORD" not in text
        assert_no_password(text, books_db)
    finally:
        client.stop_channels()
    assert_no_password(server_log.text, books_db)


async def test_wrong_password_unreachable_and_unknown_sources_say_so(
    jp_fetch, jp_serverapp, books_db, server_log
):
    client, bundle = await start_kernel_with_helpers(jp_fetch, jp_serverapp)
    try:
        # A notebook's own `connect` stays; the helper is still reachable by its full name.
        await run(client, "connect = 'mine'")
        await run(client, bundle["bootstrap"])
        status, text = await run(
            client, "print(connect, __code_interpreter__.connect('books').url.database)"
        )
        assert text.strip() == f"mine {books_db.database}"
        await run(client, "del connect")
        await run(client, bundle["bootstrap"])

        # Verbose tracebacks print each frame's variables: the password must not be one.
        await run(client, "%xmode Verbose")
        status, text = await run(client, "connect('wrong').connect()")
        assert status == "error"
        assert "DataSourceError: data source 'wrong': the database at 127.0.0.1:3306/" in text
        assert "refused the login" in text
        assert_no_password(text, books_db)

        status, text = await run(client, "connect('down').connect()")
        assert status == "error"
        assert_no_password(text, books_db)
        assert "DataSourceError: data source 'down': the database at 127.0.0.1:1/" in text
        assert "cannot be reached" in text

        status, text = await run(client, "connect('books').connect().exec_driver_sql('SELEC 1')")
        assert status == "error" and "ProgrammingError" in text
        assert_no_password(text, books_db)

        status, text = await run(client, "connect('nope')")
        assert status == "error"
        assert "there is no data source named 'nope'" in text
        assert "books, down, writable, wrong" in text
    finally:
        client.stop_channels()
    assert_no_password(server_log.text, books_db)


async def test_the_password_route_refuses_unsigned_requests(jp_fetch, books_db):
    from tornado.httpclient import HTTPClientError

    body = {"source": "books", "time": "0", "nonce": "n", "mac": "00"}
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch(
            "code-interpreter", "data-sources", "password", method="POST", body=json.dumps(body)
        )
    assert refused.value.code == 403
    assert_no_password(refused.value.response.body.decode(), books_db)
