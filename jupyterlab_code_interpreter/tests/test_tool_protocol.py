"""The per-endpoint tool protocol: validated from both sources, reported per alias by status."""

from jupyterlab_code_interpreter.gateway.pool import resolve_pool
from jupyterlab_code_interpreter.gateway.status import tool_protocols

LOCAL = {"name": "local", "base_url": "http://127.0.0.1:8080/v1", "model": "qwen"}


def test_it_defaults_to_auto_and_is_read_from_server_config_and_settings():
    admin = resolve_pool(
        [LOCAL, {**LOCAL, "name": "text", "tool_protocol": "text"}], None, None, None, {}
    )
    assert [e.tool_protocol for e in admin.endpoints] == ["auto", "text"]
    user = resolve_pool(
        None,
        None,
        [{"name": "local", "baseUrl": LOCAL["base_url"], "toolProtocol": "native"}],
        {"baseUrl": "http://127.0.0.1:11434/v1", "model": "m", "toolProtocol": "text"},
        {},
    )
    assert not user.errors
    assert sorted(e.tool_protocol for e in user.endpoints) == ["native", "text"]


def test_an_unknown_protocol_names_the_field():
    pool = resolve_pool([{**LOCAL, "tool_protocol": "json"}], None, None, None, {})
    (error,) = pool.errors
    assert error.field == "tool_protocol"
    assert "'auto' or 'native' or 'text'" in error.message


def test_the_single_endpoint_takes_a_first_byte_timeout():
    single = {"kind": "openai", "base_url": LOCAL["base_url"], "first_byte_timeout": 120}
    (endpoint,) = resolve_pool(None, single, None, None, {}).endpoints
    assert endpoint.first_byte_timeout == 120.0
    setting = {"baseUrl": LOCAL["base_url"], "firstByteTimeout": 90}
    (endpoint,) = resolve_pool(None, None, None, setting, {}).endpoints
    assert endpoint.first_byte_timeout == 90.0


def test_status_gives_each_alias_the_protocol_all_its_deployments_share():
    pool = resolve_pool(
        [
            {**LOCAL, "models": ["small", "mixed"], "tool_protocol": "text"},
            {**LOCAL, "name": "big", "models": ["large", "mixed"], "tool_protocol": "native"},
            {**LOCAL, "name": "other", "models": ["other"]},
        ],
        None,
        None,
        None,
        {},
    )
    assert tool_protocols(pool) == {
        "small": "text",
        "mixed": "auto",
        "large": "native",
        "other": "auto",
    }
