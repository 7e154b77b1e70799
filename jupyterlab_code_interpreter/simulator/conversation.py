"""What a chat-completions request body says, reduced to the facts scenario rules match on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English; good enough for usage and TPM
TOKENS_PER_MESSAGE = 3  # the chat format's per-message framing overhead


@dataclass(frozen=True)
class Conversation:
    """The parts of a request that rules can match on, plus the prompt size."""

    model: str | None
    deployment: str | None
    last_user: str
    last_tool: str | None
    system: str
    turn: int
    has_tools: bool
    prompt_tokens: int
    max_tokens: int | None


def estimate_tokens(text: str) -> int:
    """Approximate token count: one token per ~4 characters, at least one for non-empty text."""
    return -(-len(text) // CHARS_PER_TOKEN) if text else 0


def message_text(content: Any) -> str:
    """Text of a message's content, which is a string or a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = (p.get("text", "") for p in content if isinstance(p, dict))
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def read_conversation(body: dict, deployment: str | None) -> Conversation:
    """Summarise a (already shape-checked) request body."""
    messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
    last_user = ""
    last_tool = None
    system_parts = []
    turn = 0
    prompt_tokens = 0
    for message in messages:
        role = message.get("role")
        text = message_text(message.get("content"))
        prompt_tokens += TOKENS_PER_MESSAGE + estimate_tokens(text)
        if role == "user":
            last_user = text
        elif role == "tool":
            last_tool = text
        elif role in ("system", "developer"):
            system_parts.append(text)
        elif role == "assistant":
            turn += 1
            for call in message.get("tool_calls") or []:
                prompt_tokens += estimate_tokens(str(call.get("function", {}).get("arguments", "")))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return Conversation(
        model=body.get("model") if isinstance(body.get("model"), str) else None,
        deployment=deployment,
        last_user=last_user,
        last_tool=last_tool,
        system="\n".join(system_parts),
        turn=turn,
        has_tools=bool(body.get("tools") or body.get("functions")),
        prompt_tokens=prompt_tokens,
        max_tokens=max_tokens if isinstance(max_tokens, int) and max_tokens > 0 else None,
    )
