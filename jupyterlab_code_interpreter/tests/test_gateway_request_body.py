"""The upstream body: only `model` replaced in the client's bytes, else serialised again."""

import json

from jupyterlab_code_interpreter.gateway.pool import resolve_pool
from jupyterlab_code_interpreter.gateway.upstream import build_chat_request

ENV = {"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_MODEL": "qwen"}


def endpoint():
    return resolve_pool(None, {}, None, None, ENV).endpoints[0]


def send(raw: bytes) -> bytes:
    return build_chat_request(endpoint(), json.loads(raw), {}, None, raw_body=raw).content


def test_only_the_model_is_replaced_in_the_clients_bytes():
    raw = b'{"model" : "default", "messages": [{"role": "user", "content": "\\"model\\": 1"}]}'
    sent = send(raw)
    assert sent == raw.replace(b'"model" : "default"', b'"model":"qwen"')
    assert json.loads(sent)["model"] == "qwen"


def test_an_ambiguous_body_is_serialised_again():
    raw = b'{"model": "default", "tools": [{"parameters": {"model": "default"}}]}'
    sent = json.loads(send(raw))
    assert sent["model"] == "qwen"
    assert sent["tools"][0]["parameters"]["model"] == "default"
    duplicate = b'{"model": "default", "model": "default"}'
    assert json.loads(send(duplicate)) == {"model": "qwen"}


def test_an_escaped_key_or_a_missing_model_is_serialised_again():
    assert json.loads(send(b'{"\\u006dodel": "default", "n": 1}')) == {"model": "qwen", "n": 1}
    assert json.loads(send(b'{"n": 1}')) == {"n": 1, "model": "qwen"}
