"""`GET /code-interpreter/kernel-helpers`: authenticated, and it serves the helpers' source,
version and the bootstrap statement the browser executes in the kernel."""

import ast
import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_code_interpreter.kernel_helpers import HELPERS_FILE

ROUTE = ("code-interpreter", "kernel-helpers")


async def test_kernel_helpers_requires_authentication(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(*ROUTE, headers={"Authorization": ""})
    assert caught.value.code == 403


async def test_kernel_helpers_serves_source_version_and_bootstrap(jp_fetch):
    response = await jp_fetch(*ROUTE)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    assert set(body) == {"source", "version", "bootstrap"}
    assert body["source"] == HELPERS_FILE.read_text(encoding="utf-8")
    assert len(body["version"]) == 16
    # One statement, which names nothing in the user namespace but what the helpers install.
    statement = ast.parse(body["bootstrap"]).body
    assert len(statement) == 1 and isinstance(statement[0], ast.Expr)
    assert "__code_interpreter__" in body["bootstrap"]
