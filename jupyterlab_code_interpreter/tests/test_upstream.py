"""The upstream HTTP client on its own (aiohttp): keep-alive reuse, per-phase timeouts, redirects
never followed, proxies from the environment, and the pool closed with the server."""

import asyncio
import json
from types import SimpleNamespace

import pytest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler
from yarl import URL

from jupyterlab_code_interpreter.gateway import http_client
from jupyterlab_code_interpreter.gateway.errors import GatewayError
from jupyterlab_code_interpreter.gateway.http_client import UpstreamClient
from jupyterlab_code_interpreter.gateway.upstream import UpstreamRequest

from .test_gateway import (
    ANSWER,
    KEY,
    SCENARIO,
    chat,
    post,
    socket_closed_port,
    sse_payloads,
    wait_until,
)


class Upstream:
    """A small endpoint whose paths each behave one way; counts connections and hits."""

    def __init__(self):
        self.connections = 0
        self.hits: dict[str, int] = {}
        self.seen_headers: dict[str, dict] = {}
        self.port = None
        self._server = None

    async def start(self) -> None:
        upstream = self

        class Handler(RequestHandler):
            async def post(self, name: str) -> None:
                upstream.hits[name] = upstream.hits.get(name, 0) + 1
                upstream.seen_headers[name] = dict(self.request.headers)
                if name == "ok":
                    self.set_header("Content-Type", "application/json")
                    self.finish(b'{"ok": true}')
                elif name == "limited":
                    self.set_status(429)
                    self.set_header("Retry-After", "3")
                    self.finish(b'{"error": {"message": "slow down"}}')
                elif name == "redirect":
                    self.redirect(f"http://127.0.0.1:{upstream.port}/ok", status=307)
                elif name == "pause-between-chunks":
                    self.write(b"data: 1\n\n")
                    await self.flush()
                    await asyncio.sleep(0.5)
                    self.finish(b"data: 2\n\n")
                elif name == "hang":
                    await asyncio.sleep(5)

        class CountingServer(HTTPServer):
            def handle_stream(self, stream, address):
                upstream.connections += 1
                return super().handle_stream(stream, address)

        sockets = bind_sockets(0, "127.0.0.1")

        class ProxyHandler(RequestHandler):
            async def post(self) -> None:  # a request in absolute form: we are its proxy
                upstream.hits[self.request.uri] = 1 + upstream.hits.get(self.request.uri, 0)
                upstream.seen_headers["proxy"] = dict(self.request.headers)
                self.finish(b'{"proxied": true}')

        routes = [(r"/(.+)", Handler), (r"http://.*", ProxyHandler)]
        self._server = CountingServer(Application(routes))
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    def request(self, name: str) -> UpstreamRequest:
        return UpstreamRequest(
            f"http://127.0.0.1:{self.port}/{name}",
            {"content-type": "application/json", "api-key": KEY},
            b"{}",
        )

    def stop(self) -> None:
        self._server.stop()


@pytest.fixture
async def endpoint():
    server = Upstream()
    await server.start()
    yield server
    server.stop()


@pytest.fixture
async def client():
    timeouts = SimpleNamespace(connect_timeout=2.0, first_byte_timeout=2.0, read_timeout=2.0)
    client = UpstreamClient(timeouts)
    yield client
    await client.aclose()


async def test_one_connection_serves_answers_and_rejections_in_turn(endpoint, client):
    for name in ("ok", "limited", "ok", "limited", "ok"):
        response = await client.open("h", endpoint.request(name))
        if name == "ok":
            assert json.loads(await response.read()) == {"ok": True}
        else:
            assert response.status == 429 and response.headers["retry-after"] == "3"
        await response.aclose()  # a 429 is closed unread: its body had arrived, so reused
    assert endpoint.connections == 1


async def test_a_redirect_is_never_followed(endpoint, client):
    response = await client.open("h", endpoint.request("redirect"))
    assert response.status == 307
    await response.aclose()
    assert "ok" not in endpoint.hits  # the key went nowhere else


async def test_a_pause_between_chunks_longer_than_read_timeout_ends_the_stream(endpoint, client):
    timeouts = SimpleNamespace(connect_timeout=2.0, first_byte_timeout=2.0, read_timeout=0.1)
    response = await client.open("h", endpoint.request("pause-between-chunks"), timeouts)
    pieces = response.chunks()
    assert await anext(pieces) == b"data: 1\n\n"
    with pytest.raises(GatewayError) as raised:
        await anext(pieces)
    assert raised.value.code == "upstream_timeout"
    assert "waiting for the next chunk" in raised.value.message
    await response.aclose()
    assert endpoint.connections == 1
    # The cut connection is not reused: the next request opens a new one.
    response = await client.open("h", endpoint.request("ok"))
    await response.read()
    await response.aclose()
    assert endpoint.connections == 2


async def test_no_response_headers_within_first_byte_timeout(endpoint, client):
    timeouts = SimpleNamespace(connect_timeout=2.0, first_byte_timeout=0.1, read_timeout=2.0)
    with pytest.raises(GatewayError) as raised:
        await client.open("h", endpoint.request("hang"), timeouts)
    assert raised.value.status == 504 and "the first byte" in raised.value.message


async def test_refused_connection_is_unreachable_naming_the_host(client):
    with socket_closed_port() as port:
        request = UpstreamRequest(f"http://127.0.0.1:{port}/v1/chat/completions", {}, b"{}")
        with pytest.raises(GatewayError) as raised:
            await client.open("127.0.0.1", request)
    assert raised.value.code == "upstream_unreachable"
    assert "127.0.0.1" in raised.value.message and KEY not in raised.value.message


def test_proxy_comes_from_the_environment_with_no_proxy_honoured(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert http_client._env_proxy(URL("https://east.openai.azure.com/x")) == (None, None)
    monkeypatch.setenv("HTTPS_PROXY", "http://me:secret@proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.internal")
    proxy, headers = http_client._env_proxy(URL("https://east.openai.azure.com/x"))
    assert str(proxy) == "http://proxy.corp:3128"
    assert headers == {"Proxy-Authorization": "Basic bWU6c2VjcmV0"}  # me:secret
    assert http_client._env_proxy(URL("https://llm.internal/v1")) == (None, None)
    assert http_client._env_proxy(URL("http://east.openai.azure.com/x")) == (None, None)


async def test_requests_go_through_the_environment_proxy(endpoint, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://me:secret@127.0.0.1:{endpoint.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    timeouts = SimpleNamespace(connect_timeout=2.0, first_byte_timeout=2.0, read_timeout=2.0)
    client = UpstreamClient(timeouts)
    try:
        request = UpstreamRequest("http://east.example.invalid/v1/chat/completions", {}, b"{}")
        response = await client.open("east.example.invalid", request)
        assert json.loads(await response.read()) == {"proxied": True}
        await response.aclose()
    finally:
        await client.aclose()
    assert endpoint.hits == {"http://east.example.invalid/v1/chat/completions": 1}
    assert endpoint.seen_headers["proxy"]["Proxy-Authorization"] == "Basic bWU6c2VjcmV0"


async def test_https_goes_through_a_connect_tunnel_with_the_proxy_credentials(monkeypatch):
    heads = []

    async def proxy(reader, writer):
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://me:secret@127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = UpstreamClient(
        SimpleNamespace(connect_timeout=2.0, first_byte_timeout=2.0, read_timeout=2.0)
    )
    request = UpstreamRequest("https://east.example.invalid/x", {"api-key": KEY}, b"{}")
    try:
        with pytest.raises(GatewayError) as raised:
            await client.open("east.example.invalid", request)
    finally:
        await client.aclose()
        server.close()
    assert raised.value.code == "upstream_unreachable"
    assert "secret" not in raised.value.message and "bWU6c2VjcmV0" not in raised.value.message
    head = heads[0].decode().lower()
    assert head.startswith("connect east.example.invalid:443 ")
    assert "proxy-authorization: basic bwu6c2vjcmv0" in head
    assert KEY.lower() not in head  # the key travels only inside the tunnel


async def test_aclose_closes_the_pool_and_a_later_request_opens_a_new_one(endpoint, client):
    response = await client.open("h", endpoint.request("ok"))
    await response.read()
    await response.aclose()
    await client.aclose()
    assert client.closed
    await client.aclose()  # twice is harmless
    response = await client.open("h", endpoint.request("ok"))
    await response.read()
    await response.aclose()
    assert not client.closed and endpoint.connections == 2


async def test_server_shutdown_closes_the_upstream_pool(
    jp_fetch, jp_serverapp, llm_simulator, monkeypatch
):
    from jupyterlab_code_interpreter.gateway.routes import SETTINGS_KEY

    sim = await llm_simulator({"api_key": KEY, "default": {"content": "hi"}})
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert (await post(jp_fetch, chat("hi"))).code == 200
    gateway = jp_serverapp.web_app.settings[SETTINGS_KEY]
    assert not gateway.client.closed
    await jp_serverapp.cleanup_extensions()  # what the server runs when it stops
    assert gateway.client.closed


@pytest.fixture
async def sim(llm_simulator, monkeypatch):
    """test_gateway's scenario (its `paced` and `slow` rules) as the server's endpoint."""
    sim = await llm_simulator(SCENARIO)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{sim.port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return sim


async def test_silences_get_heartbeats_and_the_stream_still_completes(jp_fetch, gateway, sim):
    gateway.config.heartbeat_interval = 0.002  # the simulator paces tokens 10 ms apart
    response = await post(jp_fetch, chat("paced", stream=True))
    assert response.code == 200
    assert b": keep-alive\n\n" in response.body
    events = sse_payloads(response.body)
    assert events[-1] == "[DONE]"
    text = "".join(
        choice["delta"].get("content") or ""
        for event in events
        if isinstance(event, dict)
        for choice in event.get("choices", [])
    )
    assert text == ANSWER


async def test_heartbeats_do_not_extend_the_read_timeout(jp_fetch, gateway, sim):
    gateway.config.heartbeat_interval = 0.01
    gateway.config.read_timeout = 0.03  # the simulator paces this one's tokens 50 ms apart
    response = await post(jp_fetch, chat("slow", stream=True))
    assert response.code == 200
    assert b": keep-alive\n\n" in response.body
    events = sse_payloads(response.body)
    assert events[-1]["error"]["code"] == "upstream_timeout"
    assert "waiting for the next chunk" in events[-1]["error"]["message"]
    assert len(sim.requests) == 1  # never replayed


async def test_client_leaving_before_the_first_byte_cancels_the_upstream_request(
    jp_fetch, jp_http_port, jp_base_url, jp_serverapp, gateway, sim
):
    token = jp_serverapp.identity_provider.token
    body = json.dumps(chat("hang")).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    writer.write(
        f"POST {jp_base_url}code-interpreter/v1/chat/completions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{jp_http_port}\r\nAuthorization: token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await wait_until(lambda: len(sim.requests) == 1)  # the gateway is waiting for its answer
    deployment = gateway.deployment(gateway.pool().endpoints[0])
    assert deployment.in_flight == 1
    writer.close()
    # The simulator saw the gateway go away; the deployment's slot is free again.
    await wait_until(lambda: sim.requests[-1]["status"] is not None)
    await wait_until(lambda: deployment.in_flight == 0)
    assert gateway.stats.in_flight == 0
