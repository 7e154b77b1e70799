"""Recording, control routes, and the command-line entry point."""

import json
import signal
import subprocess
import sys

import httpx

from .test_simulator_openai import ask, post


async def test_requests_are_recorded_including_rejected_ones(llm_simulator):
    sim = await llm_simulator({"default": "hi"})
    await post(sim, ask("first"))
    await post(sim, ask("second"), headers={})
    recorded = sim.requests
    assert [r["status"] for r in recorded] == [200, 401]
    first = recorded[0]
    assert first["method"] == "POST" and first["path"] == "/v1/chat/completions"
    assert first["body"]["messages"][0]["content"] == "first"
    assert first["api"] == "openai" and first["deployment"] is None
    sim.clear_requests()
    assert sim.requests == []


async def test_control_routes(llm_simulator):
    sim = await llm_simulator({"default": "before"})
    async with httpx.AsyncClient(base_url=sim.base_url) as client:
        assert (await client.get("/_simulator/health")).json() == {"ok": True}
        await post(sim, ask())
        listed = (await client.get("/_simulator/requests")).json()
        assert len(listed) == 1 and listed[0]["body"]["model"] == "gpt-4o"
        await client.delete("/_simulator/requests")
        assert (await client.get("/_simulator/requests")).json() == []
        changed = await client.put("/_simulator/scenario", json={"default": "after"})
        assert changed.status_code == 200
        invalid = await client.put("/_simulator/scenario", json={"rules": [{"match": {}}]})
        assert invalid.status_code == 400
        assert invalid.json()["error"]["message"].startswith("rules[0]")
    reply = await post(sim, ask())
    assert reply.json()["choices"][0]["message"]["content"] == "after"


async def test_unknown_paths_are_404_and_recorded(llm_simulator):
    sim = await llm_simulator({"default": "hi"})
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sim.base_url}/v1/nothing")
    assert response.status_code == 404 and "error" in response.json()
    assert sim.requests[-1]["path"] == "/v1/nothing"


def test_cli_prints_the_url_serves_and_stops_on_sigterm(tmp_path):
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"default": "from the CLI"}))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab_code_interpreter.simulator",
            "--scenario",
            str(scenario),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("LLM simulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        assert httpx.get(f"{url}/_simulator/health").json() == {"ok": True}
        reply = httpx.post(
            f"{url}/v1/chat/completions", json=ask(), headers={"Authorization": "Bearer sim-key"}
        )
        assert reply.json()["choices"][0]["message"]["content"] == "from the CLI"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_rejects_an_invalid_scenario(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("rules:\n  - match: {turn: x}\n    reply: hi\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyterlab_code_interpreter.simulator",
            "--scenario",
            str(scenario),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "rules[0].match.turn" in result.stderr
