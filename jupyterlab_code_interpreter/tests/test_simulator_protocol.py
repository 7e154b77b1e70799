"""Response and chunk JSON, without a server."""

from jupyterlab_code_interpreter.simulator.protocol import (
    make_completion,
    split_into_pieces,
    stream_chunks,
)
from jupyterlab_code_interpreter.simulator.scenario import Reply, ToolCallSpec


def test_pieces_reassemble_exactly():
    text = "# Title\n\nHello, wörld! 12345 `code_here()`  \n- item\n\n"
    pieces = split_into_pieces(text)
    assert "".join(pieces) == text
    assert len(pieces) > 10


def test_max_tokens_truncates_with_length():
    completion = make_completion(Reply(content="word " * 100), "m", 5, 10, "")
    assert completion.finish_reason == "length"
    assert completion.completion_tokens == 10
    assert len(completion.content) == 40


def test_azure_stream_starts_with_prompt_filter_results():
    reply = Reply(tool_calls=(ToolCallSpec("run_python", '{"code":"1"}'),))
    completion = make_completion(reply, "m", 5, None, "")
    chunks = stream_chunks(completion, azure=True, include_usage=False)
    assert chunks[0]["choices"] == [] and "prompt_filter_results" in chunks[0]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
