"""Every test starts a real Jupyter server (pytest-jupyter) and, when it needs a model, our
real LLM simulator on a free port."""

import asyncio

import pytest

pytest_plugins = (
    "pytest_jupyter.jupyter_server",
    "jupyterlab_code_interpreter.simulator.pytest_plugin",
    "jupyterlab_code_interpreter.tests.hub_fixtures",
)

# Variables that would make the gateway find an endpoint on the developer's machine.
ENDPOINT_VARIABLES = (
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "OPENAI_API_VERSION",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_MODEL",
    "JUPYTERLAB_SETTINGS_DIR",
)


@pytest.fixture
async def jp_asyncio_loop():
    """pytest-jupyter's servers must run on the loop pytest-asyncio (asyncio_mode=auto) runs
    the test on; its own fixture would make a second loop that never runs during the test."""
    yield asyncio.get_running_loop()


@pytest.fixture(autouse=True)
def clean_endpoint_environment(monkeypatch):
    """Tests start with no endpoint in the environment; each sets what it needs."""
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def jp_server_config():
    """Our extension enabled, on a server that refuses unauthenticated requests."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "jupyterlab_code_interpreter": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
    }


@pytest.fixture
async def gateway(jp_serverapp):
    """The server's gateway core (to configure it as an administrator would, and to observe
    its counters); its upstream connection pool is closed after the test."""
    from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

    gateway = jp_serverapp.web_app.settings[SETTINGS_KEY]
    yield gateway
    await gateway.aclose()


@pytest.fixture
def user_settings_file(jp_config_dir):
    """Where JupyterLab saves this plugin's user settings in the test environment."""
    path = jp_config_dir / "lab" / "user-settings" / "jupyterlab-code-interpreter"
    path.mkdir(parents=True, exist_ok=True)
    return path / "plugin.jupyterlab-settings"


@pytest.fixture
async def browser_cookie(jp_fetch):
    """The cookies a browser logged in to this server holds, and an `_xsrf` cookie."""
    first = await jp_fetch("code-interpreter", "status")
    cookies = {}
    for header in first.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    assert any(name.startswith("username-") for name in cookies), cookies
    cookies["_xsrf"] = "xsrf-token-of-this-browser"
    return cookies


def cookie_headers(cookies, xsrf=False):
    headers = {"Authorization": "", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if xsrf:
        headers["X-XSRFToken"] = cookies["_xsrf"]
    return headers
