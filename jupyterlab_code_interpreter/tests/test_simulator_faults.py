"""Every fault kind, as a client sees it over real HTTP."""

import asyncio

import httpx
import pytest

from .test_simulator_openai import OPENAI_AUTH, ask, post, sse_events

TEXT = "One two three four five six seven eight nine ten."


def fault_scenario(**fault):
    return {"rules": [{"match": {"last_user": "fail"}, "fault": fault}], "default": TEXT}


async def test_http_fault_in_openai_shape_with_headers(llm_simulator):
    sim = await llm_simulator(
        fault_scenario(kind="http", status=503, message="overloaded", headers={"x-sim": "1"})
    )
    response = await post(sim, ask("fail"))
    assert response.status_code == 503 and response.headers["x-sim"] == "1"
    assert response.json()["error"]["message"] == "overloaded"
    assert (await post(sim, ask("fine"))).status_code == 200


async def test_fault_times_then_recover(llm_simulator):
    sim = await llm_simulator(
        {
            "deployments": {"gpt-4o": {"fault": {"kind": "http", "status": 500, "times": 2}}},
            "default": TEXT,
        }
    )
    statuses = [(await post(sim, ask())).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


async def test_rate_limit_fault(llm_simulator):
    sim = await llm_simulator(fault_scenario(kind="rate_limit", retry_after=2.5))
    response = await post(sim, ask("fail"))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.headers["retry-after-ms"] == "2500"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


async def test_reset_before_first_byte(llm_simulator):
    sim = await llm_simulator(fault_scenario(kind="reset_before_first_byte"))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await post(sim, ask("fail"))
    assert sim.requests[-1]["status"] is None


async def test_reset_after_first_byte_cuts_the_stream(llm_simulator):
    sim = await llm_simulator(fault_scenario(kind="reset_after_first_byte", after_chunks=3))
    received = b""
    async with httpx.AsyncClient() as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            async with client.stream(
                "POST",
                f"{sim.base_url}/v1/chat/completions",
                json=ask("fail", stream=True),
                headers=OPENAI_AUTH,
            ) as response:
                assert response.status_code == 200
                async for data in response.aiter_bytes():
                    received += data
    assert received.count(b"data: ") == 3 and b"[DONE]" not in received


@pytest.mark.parametrize("then, done", [("continue", True), ("stop", False)])
async def test_malformed_chunk(llm_simulator, then, done):
    sim = await llm_simulator(fault_scenario(kind="malformed_chunk", after_chunks=2, then=then))
    response = await post(sim, ask("fail", stream=True))
    blocks = response.text.split("\n\n")
    assert blocks[2] == "data: {not json"
    assert ("data: [DONE]" in blocks) is done


async def test_hang_until_client_gives_up_then_stop_is_clean(llm_simulator):
    sim = await llm_simulator(fault_scenario(kind="hang"))
    async with httpx.AsyncClient(timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(
                f"{sim.base_url}/v1/chat/completions", json=ask("fail"), headers=OPENAI_AUTH
            )
    # A hang still open when the simulator stops is released, not leaked.
    async with httpx.AsyncClient(timeout=5) as client:
        pending = asyncio.ensure_future(
            client.post(
                f"{sim.base_url}/v1/chat/completions", json=ask("fail"), headers=OPENAI_AUTH
            )
        )
        await asyncio.sleep(0.1)
        await sim.stop()
        with pytest.raises(httpx.HTTPError):
            await pending


async def test_timing_paces_the_stream(llm_simulator):
    sim = await llm_simulator(
        {"timing": {"ttft_ms": 100, "tokens_per_second": 200}, "default": TEXT}
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    events = sse_events(await post(sim, ask(stream=True)))
    elapsed = loop.time() - started
    assert events[-1] == "[DONE]"
    assert elapsed >= 0.1 + 0.9 * (len(events) - 3) / 200
