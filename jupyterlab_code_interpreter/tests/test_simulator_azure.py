"""The Azure OpenAI API over real HTTP: routing, api-version, keys, deployments, rate limits."""

import httpx

from .test_simulator_openai import sse_events

VERSION = {"api-version": "2024-10-21"}
KEY = {"api-key": "sim-key"}
SCENARIO = {
    "deployments": {
        "gpt-4o": {"model": "gpt-4o-2024-08-06"},
        "small": {"rpm": 2},
    },
    "default": "Hello from Azure.",
}
ASK = {"messages": [{"role": "user", "content": "hi"}]}


async def post(sim, deployment="gpt-4o", params=VERSION, headers=KEY, body=ASK):
    url = f"{sim.base_url}/openai/deployments/{deployment}/chat/completions"
    async with httpx.AsyncClient() as client:
        return await client.post(url, params=params, headers=headers, json=body)


async def test_azure_completion_with_api_key(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim)
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "gpt-4o-2024-08-06"
    assert body["choices"][0]["message"]["content"] == "Hello from Azure."
    assert "content_filter_results" in body["choices"][0] and body["prompt_filter_results"]
    recorded = sim.requests[-1]
    assert recorded["api"] == "azure" and recorded["deployment"] == "gpt-4o"
    assert recorded["query"] == VERSION and recorded["headers"]["api-key"] == "sim-key"


async def test_azure_accepts_entra_bearer_tokens(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, headers={"Authorization": "Bearer sim-key"})
    assert response.status_code == 200


async def test_azure_stream_leads_with_prompt_filter_results(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    events = sse_events(await post(sim, body={**ASK, "stream": True}))
    assert events[0]["choices"] == [] and "prompt_filter_results" in events[0]
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[1:-1])
    assert text == "Hello from Azure." and events[-1] == "[DONE]"


async def test_missing_api_version_is_resource_not_found(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, params={})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


async def test_wrong_key_is_azure_shaped_401(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, headers={"api-key": "nope"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "401" and error["message"].startswith("Access denied")


async def test_unknown_deployment(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    response = await post(sim, deployment="gpt-5")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "DeploymentNotFound"


async def test_any_deployment_accepted_when_none_listed(llm_simulator):
    sim = await llm_simulator({"default": "ok"})
    assert (await post(sim, deployment="whatever")).status_code == 200


async def test_rpm_exhausted_gives_429_with_retry_headers(llm_simulator):
    sim = await llm_simulator(SCENARIO)
    first = await post(sim, deployment="small")
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    assert (await post(sim, deployment="small")).status_code == 200
    refused = await post(sim, deployment="small")
    assert refused.status_code == 429
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert int(refused.headers["retry-after-ms"]) > 55000
    assert refused.headers["x-ratelimit-remaining-requests"] == "0"
    assert refused.headers["x-ratelimit-reset-requests"]
    error = refused.json()["error"]
    assert error["code"] == "429" and "2024-10-21" in error["message"]
    assert "Please retry after" in error["message"]
