"""OpenAI / Azure OpenAI chat-completions JSON: whole responses and streamed chunks.

Pure functions. Azure differs from OpenAI only in decoration: content-filter results on
every choice and a leading chunk that carries ``prompt_filter_results`` and no choices.
"""

from __future__ import annotations

import re
import secrets
import string
import time
from dataclasses import dataclass

from .conversation import CHARS_PER_TOKEN, estimate_tokens
from .scenario import Reply, ToolCallSpec

SYSTEM_FINGERPRINT = "fp_simulator"
_ALPHABET = string.ascii_letters + string.digits
# A word piece of up to 6 letters, up to 3 digits, or any single other character, each with
# the whitespace before it: roughly what a BPE tokenizer emits, and it always covers the text.
_TOKEN_PIECE = re.compile(r"\s*(?:[^\W\d_]{1,6}|\d{1,3}|.)", re.DOTALL)
_NO_FILTER = {
    name: {"filtered": False, "severity": "safe"}
    for name in ("hate", "self_harm", "sexual", "violence")
}


@dataclass(frozen=True)
class Completion:
    """A reply made concrete for one request: ids fixed, truncated to ``max_tokens``."""

    id: str
    created: int
    model: str
    content: str | None
    tool_calls: tuple[tuple[str, ToolCallSpec], ...]  # (call id, call)
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    pieces: tuple[str, ...] | None = None  # the content's deltas, as the scenario gave them


def random_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def split_into_pieces(text: str) -> list[str]:
    """Split text into token-sized pieces whose concatenation is exactly ``text``."""
    return _TOKEN_PIECE.findall(text)


def make_completion(
    reply: Reply, model: str, prompt_tokens: int, max_tokens: int | None, last_user: str
) -> Completion:
    """Fill in ids and usage; cut content at ``max_tokens`` like a model hitting its limit."""
    content = reply.content.replace("{{last_user}}", last_user) if reply.content else reply.content
    pieces = reply.pieces and tuple(p.replace("{{last_user}}", last_user) for p in reply.pieces)
    calls = tuple((random_id("call_"), call) for call in reply.tool_calls)
    finish = reply.finish_reason or ("tool_calls" if calls else "stop")
    used = estimate_tokens(content or "") + sum(
        estimate_tokens(call.name + call.arguments) for _, call in calls
    )
    if max_tokens is not None and used > max_tokens:
        content = (content or "")[: max_tokens * CHARS_PER_TOKEN]
        calls, finish, used, pieces = (), "length", max_tokens, None
    return Completion(
        id=random_id("chatcmpl-", 29),
        created=int(time.time()),
        model=model,
        content=content,
        tool_calls=calls,
        finish_reason=finish,
        prompt_tokens=prompt_tokens,
        completion_tokens=used,
        pieces=pieces,
    )


def usage(completion: Completion) -> dict:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }


def completion_body(completion: Completion, azure: bool) -> dict:
    """The non-streaming ``chat.completion`` object."""
    message: dict = {"role": "assistant", "content": completion.content, "refusal": None}
    if completion.tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call_id, call in completion.tool_calls
        ]
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": completion.finish_reason,
    }
    body = {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.model,
        "choices": [choice],
        "usage": usage(completion),
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    if azure:
        choice["content_filter_results"] = _NO_FILTER
        body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _NO_FILTER}]
    return body


def stream_chunks(completion: Completion, azure: bool, include_usage: bool) -> list[dict]:
    """Every chunk of the stream, in order, without the ``[DONE]`` sentinel."""
    chunks = []
    if azure:
        chunks.append(_azure_prompt_filter_chunk())
    chunks.append(_chunk(completion, {"role": "assistant", "content": "", "refusal": None}))
    for piece in completion.pieces or split_into_pieces(completion.content or ""):
        chunks.append(_chunk(completion, {"content": piece}))
    for index, (call_id, call) in enumerate(completion.tool_calls):
        opening = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        chunks.append(_chunk(completion, {"tool_calls": [opening]}))
        for piece in split_into_pieces(call.arguments):
            delta = {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            chunks.append(_chunk(completion, delta))
    chunks.append(_chunk(completion, {}, completion.finish_reason))
    if azure:
        for chunk in chunks[1:]:
            chunk["choices"][0]["content_filter_results"] = {} if chunk is chunks[1] else _NO_FILTER
    if include_usage:
        last = _chunk(completion, {})
        last["choices"] = []
        last["usage"] = usage(completion)
        chunks.append(last)
    return chunks


def _chunk(completion: Completion, delta: dict, finish_reason: str | None = None) -> dict:
    return {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": completion.created,
        "model": completion.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def _azure_prompt_filter_chunk() -> dict:
    return {
        "id": "",
        "object": "",
        "created": 0,
        "model": "",
        "choices": [],
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _NO_FILTER}],
    }
