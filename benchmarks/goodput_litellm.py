"""LiteLLM's Router on the goodput benchmark's simulators (run by goodput.py under an
interpreter that has litellm; prints one JSON line of figures)."""

import asyncio
import json
import random
import sys
import time


async def main(spec: dict) -> None:
    from litellm import Router

    model_list = [
        {
            "model_name": "default",
            "litellm_params": {
                "model": f"azure/{name}",
                "api_base": base,
                "api_key": spec["key"],
                "api_version": "2024-10-21",
                "rpm": spec["rpm"],
                "tpm": spec["rpm"] * 100,
            },
        }
        for name, base in zip(spec["names"], spec["bases"], strict=True)
    ]
    router = Router(model_list=model_list, num_retries=2, timeout=30)
    body = spec["body"]

    times_429: list[float] = []  # wall clock, matched with goodput.py's room samples

    async def one() -> tuple[int, float, float]:
        sent = time.monotonic()
        try:
            await router.acompletion(
                model="default", messages=body["messages"], max_tokens=body["max_tokens"]
            )
            return 200, time.monotonic() - sent, sent
        except Exception as err:  # litellm raises many kinds; its status code is what counts
            status = int(getattr(err, "status_code", 500) or 500)
            if status == 429:
                times_429.append(time.time())
            return status, time.monotonic() - sent, sent

    for _ in range(3):  # import-time and first-call costs, outside the measured window
        await one()
    print("READY", flush=True)  # goodput.py times the deployment's death from here
    rng = random.Random(1)
    tasks = []
    start = next_at = time.monotonic()
    while next_at - start < spec["seconds"]:
        now = time.monotonic()
        if now < next_at:
            await asyncio.sleep(next_at - now)
        tasks.append(asyncio.ensure_future(one()))
        next_at += rng.expovariate(spec["rate"])
    results = await asyncio.gather(*tasks)
    ok = sorted(t for s, t, _ in results if s == 200)
    in_window = sum(1 for s, t, at in results if s == 200 and at + t - start <= spec["seconds"])
    p95 = ok[min(len(ok) - 1, int(0.95 * len(ok)))] * 1000 if ok else float("nan")
    print(
        json.dumps(
            {
                "sent": len(results),
                "ok": len(ok),
                "ok_in_window": in_window,
                "client_429": sum(1 for s, _, _ in results if s == 429),
                "times_429": times_429,
                "p95_ms": p95,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
