"""The server half is a jupyter_server `ExtensionApp`: the server loads it through its extension
point, configures it through the same `c.CodeInterpreter*` sections as before, and stops it
through its `stop_extension` hook."""

import json
import logging

import pytest

from jupyterlab_code_interpreter import _jupyter_server_extension_points
from jupyterlab_code_interpreter.app import CodeInterpreterApp

from .test_gateway import KEY, chat, post

NAME = "jupyterlab_code_interpreter"


def our_app(server_app) -> CodeInterpreterApp:
    (app,) = server_app.extension_manager.extension_apps[NAME]
    return app


def test_the_extension_point_is_the_app():
    assert _jupyter_server_extension_points() == [
        {"module": "jupyterlab_code_interpreter.app", "app": CodeInterpreterApp}
    ]


async def test_the_server_runs_the_app_and_its_routes(jp_serverapp, jp_fetch):
    from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

    app = our_app(jp_serverapp)
    assert isinstance(app, CodeInterpreterApp)
    assert app.serverapp is jp_serverapp
    assert jp_serverapp.web_app.settings[SETTINGS_KEY] is app._gateway
    # The server's own shutdown step, not a wrapper around it.
    assert "cleanup_extensions" not in vars(jp_serverapp)
    assert (await jp_fetch("code-interpreter", "status")).code == 200
    conversations = ("code-interpreter", "conversations")
    missing = await jp_fetch(*conversations, params={"path": "new.ipynb"})
    assert json.loads(missing.body) == {"id": None}


class TestConfiguration:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        """The server configuration an administrator writes, options of both sections."""
        return {
            **jp_server_config,
            "CodeInterpreter": {"max_hops": 5, "heartbeat_interval": 2.5},
            "CodeInterpreterConversations": {"max_body_bytes": 4321},
        }

    async def test_the_sections_keep_their_names(self, jp_serverapp):
        from jupyterlab_code_interpreter.conversations.routes import LIMIT_KEY
        from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

        gateway = jp_serverapp.web_app.settings[SETTINGS_KEY]
        assert (gateway.config.max_hops, gateway.config.heartbeat_interval) == (5, 2.5)
        assert jp_serverapp.web_app.settings[LIMIT_KEY] == 4321


class TestOwnConfigFile:
    @pytest.fixture
    def jp_server_config(self, jp_server_config, jp_config_dir):
        """The extension's own file beside the server's, as an administrator may keep it."""
        own = jp_config_dir / "jupyter_jupyterlab_code_interpreter_config.json"
        own.write_text(json.dumps({"CodeInterpreter": {"max_hops": 7}}))
        return jp_server_config

    async def test_it_configures_the_gateway(self, jp_serverapp):
        from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

        assert jp_serverapp.web_app.settings[SETTINGS_KEY].config.max_hops == 7


async def test_the_server_stop_closes_the_gateway_client_through_stop_extension(
    jp_serverapp, jp_fetch, llm_simulator, monkeypatch, caplog
):
    from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

    sim = await llm_simulator({"api_key": KEY, "default": {"content": "hi"}})
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert (await post(jp_fetch, chat("hi"))).code == 200
    gateway = jp_serverapp.web_app.settings[SETTINGS_KEY]
    assert not gateway.client.closed

    caplog.set_level(logging.DEBUG)
    await jp_serverapp._cleanup()  # what the server runs when it stops (ServerApp._stop)

    assert gateway.client.closed
    assert f"{NAME} | extension app {NAME!r} stopped" in caplog.text


def test_every_option_says_what_it_does():
    from jupyterlab_code_interpreter.conversations.routes import CodeInterpreterConversations
    from jupyterlab_code_interpreter.gateway.config import CodeInterpreter

    for configurable in (CodeInterpreterApp, CodeInterpreter, CodeInterpreterConversations):
        options = configurable.class_own_traits(config=True)
        assert all(trait.help.strip() for trait in options.values()), configurable
