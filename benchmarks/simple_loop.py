"""The simplest possible code-interpreter loop: the real-model benchmark's baseline.

One system prompt; each answer's first fenced python block runs in a fresh Python process in
the data folder; its output goes back as the next user message; an answer without a block ends
the question. Nothing else: no context about the files, no checks, no output summaries.

    python benchmarks/simple_loop.py --base-url http://127.0.0.1:8184/v1 --data DIR \
        [--recorder http://127.0.0.1:8184] [--max-steps 6] [--out results.json]

With `--recorder` (benchmarks/model_recorder.py in front of the model server) each request's
timings and tokens are read back and kept with its question.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from data_questions import Question, grade, questions, write_data  # noqa: E402

SYSTEM = (
    "You are a data analyst. To run Python code, reply with one fenced ```python code block; "
    "it runs in a fresh Python process in the folder that holds the data files, and you get "
    "its output in the next message. When you know the answer, reply without a code block."
)
BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)
OUTPUT_LIMIT = 4000


def ask(base_url: str, model: str, messages: list[dict], temperature: float) -> str:
    """One streamed request; the answer's text."""
    body = json.dumps(
        {
            "model": model,
            "messages": messages,
            "temperature": temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    ).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/chat/completions",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    text = []
    with urllib.request.urlopen(request, timeout=900) as response:
        for line in response:
            line = line.strip()
            if not line.startswith(b"data:") or line == b"data: [DONE]":
                continue
            for choice in json.loads(line[5:]).get("choices") or []:
                text.append((choice.get("delta") or {}).get("content") or "")
    return "".join(text)


def run_code(code: str, folder: Path, timeout: float) -> str:
    """Run `code` in a fresh Python process in `folder`; its stdout and stderr."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        output = f"(stopped after {timeout:.0f} s)"
    output = output.strip() or "(no output)"
    return output if len(output) <= OUTPUT_LIMIT else output[:OUTPUT_LIMIT] + "\n(cut)"


def solve(question: Question, args: argparse.Namespace) -> dict:
    """One question through the loop."""
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question.question},
    ]
    runs = 0
    answer = ""
    started = time.perf_counter()
    for _ in range(args.max_steps + 1):
        answer = ask(args.base_url, args.model, messages, args.temperature)
        messages.append({"role": "assistant", "content": answer})
        block = BLOCK.search(answer)
        if not block or runs >= args.max_steps:
            break
        runs += 1
        output = run_code(block.group(1), args.data, args.timeout)
        messages.append({"role": "user", "content": f"Output:\n```\n{output}\n```"})
    return {
        "loop": "simple",
        "id": question.id,
        "grade": grade(question, answer),
        "expected": question.expected,
        "answer": answer[-600:],
        "runs": runs,
        "seconds": round(time.perf_counter() - started, 1),
        "transcript": messages[2:],
    }


def recorder_call(args: argparse.Namespace, method: str, path: str, data: dict | None = None):
    request = urllib.request.Request(
        args.recorder.rstrip("/") + path,
        method=method,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--data", type=Path, required=True, help="folder for the CSVs")
    parser.add_argument("--recorder", help="the model_recorder.py in front of the server")
    parser.add_argument("--max-steps", type=int, default=6)
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per code run")
    parser.add_argument("--only", nargs="*", help="question ids")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    write_data(args.data)
    results = []
    for question in questions(args.data):
        if args.only and question.id not in args.only:
            continue
        tag = f"simple/{question.id}"
        if args.recorder:
            recorder_call(args, "PUT", "/_recorder/tag", {"tag": tag})
        result = solve(question, args)
        if args.recorder:
            records = recorder_call(args, "GET", "/_recorder/requests")
            result["requests"] = [r for r in records if r["tag"] == tag]
        results.append(result)
        print(
            f"{question.id:18} {result['grade']:10} runs {result['runs']}"
            f"  {result['seconds']:6.1f} s  expected {question.expected!r}",
            flush=True,
        )
        if args.out:
            args.out.write_text(
                json.dumps({"settings": _settings(args), "results": results}, indent=1, default=str)
            )
    print(f"right {sum(r['grade'] == 'right' for r in results)}/{len(results)}")


def _settings(args: argparse.Namespace) -> dict:
    return {
        "model": args.model,
        "max_steps": args.max_steps,
        "temperature": args.temperature,
        "system": SYSTEM,
        "questions": [asdict(q) for q in questions(args.data)],
    }


if __name__ == "__main__":
    main()
