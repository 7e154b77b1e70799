"""The ``llm_simulator`` fixture works on its own and next to pytest-jupyter's ``jp_fetch``."""

import httpx

from jupyterlab_code_interpreter.simulator import Simulator


async def test_fixture_starts_a_simulator(llm_simulator):
    sim = await llm_simulator({"default": "hi"})
    assert isinstance(sim, Simulator)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sim.base_url}/_simulator/health")
    assert response.json() == {"ok": True}


async def test_fixture_works_with_jp_fetch(jp_fetch, llm_simulator):
    sim = await llm_simulator({"default": "hi"})
    response = await jp_fetch("api", "status")
    assert response.code == 200
    async with httpx.AsyncClient() as client:
        reply = await client.post(
            f"{sim.base_url}/v1/chat/completions",
            headers={"Authorization": "Bearer sim-key"},
            json={"model": "m", "messages": [{"role": "user", "content": "x"}]},
        )
    assert reply.json()["choices"][0]["message"]["content"] == "hi"


async def test_two_simulators_are_independent(llm_simulator):
    first = await llm_simulator({"default": "one"})
    second = await llm_simulator({"default": "two"})
    assert first.port != second.port
