"""A recording pass-through in front of a model server, for the real-model benchmark.

Both loops of the benchmark (the product through its gateway, and `simple_loop.py`) send their
requests here, so their timings and token counts are measured the same way. Each chat request
is forwarded unchanged and its answer streamed back unchanged; recorded per request: the tag
the driver set (`PUT /_recorder/tag`), seconds to the first token (first delta with content or
tool calls) and to the end, the usage's prompt and completion tokens, and llama.cpp's
`timings.prompt_n` (the prompt tokens it had to process: the rest came from its prompt cache).

    python benchmarks/model_recorder.py --port 8184 --upstream http://127.0.0.1:8183 \
        [--messages FILE]      # also append every request's messages to FILE (JSON lines)

`GET /_recorder/requests` lists the records, `DELETE` forgets them.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, web

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "accept-encoding"}


class Recorder:
    """The records and the upstream session."""

    def __init__(self, upstream: str, messages_file: Path | None) -> None:
        self.upstream = upstream.rstrip("/")
        self.messages_file = messages_file
        self.records: list[dict] = []
        self.tag = ""
        self.session: ClientSession | None = None

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        payload = json.loads(body)
        record = {
            "tag": self.tag,
            "started": time.time(),
            "messages": len(payload.get("messages", [])),
            "tools": len(payload.get("tools") or []),
            "ttft_s": None,
            "total_s": None,
            "status": None,
        }
        self.records.append(record)
        if self.messages_file:
            with self.messages_file.open("a") as f:
                f.write(json.dumps({"tag": self.tag, "request": payload}) + "\n")
        start = time.perf_counter()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        assert self.session is not None
        async with self.session.post(
            self.upstream + request.path, data=body, headers=headers
        ) as upstream:
            record["status"] = upstream.status
            response = web.StreamResponse(status=upstream.status)
            response.content_type = upstream.content_type
            await response.prepare(request)
            text = []
            async for line in upstream.content:
                await response.write(line)
                self._observe(record, line, start, text)
            record["total_s"] = round(time.perf_counter() - start, 3)
            record["answer"] = "".join(text)[-400:]
            if self.messages_file:
                with self.messages_file.open("a") as f:
                    f.write(json.dumps({"tag": self.tag, "answer": "".join(text)}) + "\n")
            await response.write_eof()
            return response

    def _observe(self, record: dict, line: bytes, start: float, text: list[str]) -> None:
        """Read one line of the answer (SSE or a whole JSON body) for its figures."""
        line = line.strip()
        if line.startswith(b"data:"):
            line = line[5:].strip()
        if not line or line == b"[DONE]":
            return
        try:
            chunk = json.loads(line)
        except ValueError:
            return
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or choice.get("message") or {}
            if delta.get("content") or delta.get("tool_calls"):
                if record["ttft_s"] is None:
                    record["ttft_s"] = round(time.perf_counter() - start, 3)
                text.append(delta.get("content") or json.dumps(delta.get("tool_calls")))
        usage = chunk.get("usage")
        if usage:
            record["prompt_tokens"] = usage.get("prompt_tokens")
            record["completion_tokens"] = usage.get("completion_tokens")
        timings = chunk.get("timings")
        if timings:
            record["prompt_processed"] = timings.get("prompt_n")
            record["prompt_ms"] = round(timings.get("prompt_ms", 0))
            record["tokens_per_s"] = round(timings.get("predicted_per_second", 0), 1)

    async def other(self, request: web.Request) -> web.Response:
        """Anything else (e.g. /v1/models, /health) passes through as it is."""
        assert self.session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self.session.request(
            request.method,
            self.upstream + request.path_qs,
            data=await request.read(),
            headers=headers,
        ) as upstream:
            return web.Response(
                status=upstream.status,
                body=await upstream.read(),
                content_type=upstream.content_type,
            )

    async def list_records(self, request: web.Request) -> web.Response:
        return web.json_response(self.records)

    async def clear(self, request: web.Request) -> web.Response:
        self.records.clear()
        return web.json_response({})

    async def set_tag(self, request: web.Request) -> web.Response:
        self.tag = (await request.json()).get("tag", "")
        return web.json_response({"tag": self.tag})


def make_app(recorder: Recorder) -> web.Application:
    async def session(app: web.Application):
        # CPU models can think for minutes before their first token.
        recorder.session = ClientSession(timeout=ClientTimeout(total=None, sock_read=600))
        yield
        await recorder.session.close()

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.cleanup_ctx.append(session)
    app.router.add_get("/_recorder/requests", recorder.list_records)
    app.router.add_delete("/_recorder/requests", recorder.clear)
    app.router.add_put("/_recorder/tag", recorder.set_tag)
    app.router.add_post("/v1/chat/completions", recorder.chat)
    app.router.add_route("*", "/{tail:.*}", recorder.other)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--upstream", required=True, help="the model server, e.g. http://127.0.0.1:8183"
    )
    parser.add_argument("--messages", type=Path, help="append each request's messages here")
    args = parser.parse_args()
    web.run_app(
        make_app(Recorder(args.upstream, args.messages)),
        host="127.0.0.1",
        port=args.port,
        print=None,
    )


if __name__ == "__main__":
    main()
