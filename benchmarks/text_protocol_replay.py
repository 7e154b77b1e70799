"""The product's text tool protocol replayed outside the browser, with proposed changes.

A quick way to try prompt and loop changes on the real small model before building them: the
product's messages rebuilt in Python (prompts/system-text.md rendered, the question followed by
the notebook context with the package list, each output sent back in the product's words),
steps run in a persistent IPython shell per question (state kept, the last expression shown,
as in a notebook cell). Not the product: no code check, no output summaries, no kernel helpers;
`real_model.bench.ts` measures the product itself.

    python benchmarks/text_protocol_replay.py --base-url http://127.0.0.1:8184/v1 \
        --changes system,header,nudge,nodraft,restate,columns,renudge [--only ids] [--out F]

Changes (none: the product as of issue 12's text protocol):
  system   the compact system prompt SYSTEM_PROPOSED below instead of system-text.md
  packages the context lists only the data packages, not every installed distribution
  header   the context gives each CSV file's header line (exact names, the separator)
  nudge    a first answer without code is answered once with NUDGE (no way out but code)
  nodraft  ... and the draft answer is left out of the messages (a small model repeats it)
  restate  each output message repeats the request, and asks for its answer format
  columns  each output message lists the DataFrames in the shell with their columns
  renudge  an answer whose numbers are in no output is answered once with RENUDGE
  failed   a failed step's message asks for the corrected block (not "if this answers...") and
           its traceback keeps the user's frames and the error line, not the library's frames
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from data_questions import grade, questions, write_data  # noqa: E402
from simple_loop import ask  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAX_STEPS = 6
BLOCK = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)

SYSTEM_PROPOSED = """You are a data analyst working in the user's Jupyter notebook. You cannot see \
the data: you find every answer by running Python.

To run Python, reply with one fenced ```python block and stop. It runs in the notebook's kernel \
(variables persist between blocks) and the next message gives you its output.

- First look: print the file's columns, dtypes and first rows; then use the exact column names \
you saw.
- Print the values you need; keep outputs short.
- On an error, fix its cause and send the corrected block.
- At most {{max_steps}} blocks, each stopped after {{timeout_seconds}} seconds. Never install \
packages.

When an output answers the request, reply in {{language}} without a code block, with the result \
in the format the request asks for."""

NUDGE = (
    "You have not run any code yet, so you cannot know the answer. Send one python block that "
    "computes it from the files."
)
RENUDGE = (
    "The numbers in your answer are not in any output above. Send one python block that "
    "computes them from the data, or answer with the values the outputs show."
)

SHELL = r"""
import contextlib, io, json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance(colors='NoColor')
for line in sys.stdin:
    code = json.loads(line)
    if code is None:
        import pandas as pd
        frames = {k: v for k, v in shell.user_ns.items()
                  if isinstance(v, pd.DataFrame) and not k.startswith('_')}
        text = '; '.join(f'{k} ({len(v)} rows): columns {list(v.columns)!r}'
                         for k, v in frames.items())
    else:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            shell.run_cell(code)
        text = out.getvalue()
    sys.__stdout__.write(json.dumps(text) + '\n')
    sys.__stdout__.flush()
"""


class Shell:
    """A persistent IPython shell in `folder`, one per question."""

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SHELL],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _call(self, code: str | None) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(code) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def run(self, code: str) -> str:
        text = re.sub(r"\x1b\[[0-9;]*m", "", self._call(code)).strip()
        text = text or "(no output)"
        return text if len(text) <= 3000 else f"{text[:1500]}\n...\n{text[-1500:]}"

    def frames(self) -> str:
        return self._call(None)

    def close(self) -> None:
        self.process.kill()


def render(template: str) -> str:
    return (
        template.replace("{{max_steps}}", str(MAX_STEPS))
        .replace("{{timeout_seconds}}", "120")
        .replace("{{language}}", "English")
    )


def all_packages() -> str:
    """Roughly the product's package line: the data stack with versions, then every other
    installed distribution, cut at ~400 tokens."""
    first = ["numpy", "pandas", "matplotlib", "sympy", "pillow", "requests", "httpx"]
    names = sorted({d.metadata["Name"].lower() for d in metadata.distributions()} - set(first))
    items = [f"{n} {metadata.version(n)}" for n in first if _installed(n)] + names
    text, left = "", len(items)
    for item in items:
        if len(text) + len(item) > 1600:
            break
        text += item + ", "
        left -= 1
    return (
        f"{text.rstrip(', ')}; and the standard library. {left} more installed, not listed: "
        "check one with importlib.util.find_spec('name') before relying on it."
    )


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def context(folder: Path, changes: set[str]) -> str:
    files = sorted(p.name for p in folder.iterdir())
    lines = [
        "[Context from the notebook, not written by the user]",
        f"Working directory: {folder}",
        "Files: " + ", ".join(files),
    ]
    if "header" in changes:
        for name in files:
            if name.endswith(".csv"):
                with open(folder / name) as f:
                    lines.append(f"{name} header line: {f.readline().rstrip(chr(10))!r}")
    lines.append("Variables: (none)")
    packages = (
        "numpy, pandas, matplotlib, sympy, pillow, requests; and the standard library."
        if "packages" in changes
        else all_packages()
    )
    lines.append(f"Installed packages: {packages}")
    return "\n".join(lines)


FAILED = re.compile(r"^\w*(Error|Exception)\b.*Traceback|^-{20,}\n\w+(Error|Exception)", re.M)


def trim_traceback(text: str) -> str:
    """The user's cell frames and the error line; library frames (site-packages, pandas
    internals) left out."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("File "):
            skipping = "site-packages" in line or "pandas/" in line or ".pyx" in line
            if skipping:
                continue
        elif line.startswith("Cell In"):
            skipping = False
        if not skipping and not set(line) <= {"-"}:
            kept.append(line)
    return "\n".join(kept)


def output_message(text: str, request: str, changes: set[str], frames: str) -> str:
    if "failed" in changes and FAILED.search(text):
        extra = f"DataFrames now: {frames}\n" if frames else ""
        return (
            f"Your code failed:\n```\n{trim_traceback(text)}\n```\n{extra}"
            "Fix the cause and send the corrected python block."
        )
    tail = (
        "If this answers the request, reply with the answer and no code block; "
        "otherwise send the next python block."
    )
    if "restate" in changes:
        tail = (
            f"The request: {request}\nIf this output answers it, reply with the answer in the "
            "format the request asks for, and no code block; otherwise send the next python block."
        )
    extra = f"DataFrames now: {frames}\n" if frames else ""
    return f"Output of your code:\n```\n{text}\n```\n{extra}{tail}"


def ungrounded(answer: str, outputs: list[str]) -> bool:
    numbers = re.findall(r"-?\d+(?:\.\d+)?", answer)
    seen = " ".join(outputs)
    return bool(numbers) and not any(n in seen for n in numbers)


def solve(question, folder: Path, changes: set[str], args: argparse.Namespace) -> dict:
    system = (
        SYSTEM_PROPOSED if "system" in changes else (ROOT / "prompts/system-text.md").read_text()
    )
    messages = [
        {"role": "system", "content": render(system)},
        {"role": "user", "content": question.question + "\n\n" + context(folder, changes)},
    ]
    runs, nudged, renudged, outputs = 0, False, False, []
    shell = Shell(folder)
    answer = ""
    started = time.time()
    try:
        for _ in range(MAX_STEPS + 3):
            answer = ask(args.base_url, args.model, messages, 0.0)
            messages.append({"role": "assistant", "content": answer})
            block = BLOCK.search(answer)
            if not block:
                if "nudge" in changes and runs == 0 and not nudged:
                    nudged = True
                    if "nodraft" in changes:
                        messages.pop()
                        messages[-1] = {
                            "role": "user",
                            "content": messages[-1]["content"] + "\n\n" + NUDGE,
                        }
                    else:
                        messages.append({"role": "user", "content": NUDGE})
                    continue
                if "renudge" in changes and runs and not renudged and ungrounded(answer, outputs):
                    renudged = True
                    messages.append({"role": "user", "content": RENUDGE})
                    continue
                break
            if runs >= MAX_STEPS:
                break
            runs += 1
            outputs.append(shell.run(block.group(1)))
            frames = shell.frames() if "columns" in changes else ""
            messages.append(
                {
                    "role": "user",
                    "content": output_message(outputs[-1], question.question, changes, frames),
                }
            )
    finally:
        shell.close()
    return {
        "loop": "replay:" + (",".join(sorted(changes)) or "product"),
        "id": question.id,
        "grade": grade(question, answer),
        "expected": question.expected,
        "runs": runs,
        "nudged": nudged,
        "renudged": renudged,
        "seconds": round(time.time() - started, 1),
        "answer": answer[-300:],
        "transcript": messages[2:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--changes", default="", help="comma-separated, see above")
    parser.add_argument("--data", type=Path, default=Path("/tmp/text-protocol-replay"))
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    changes = set(filter(None, args.changes.split(",")))
    write_data(args.data)
    results = []
    for question in questions(args.data):
        if args.only and question.id not in args.only:
            continue
        results.append(solve(question, args.data, changes, args))
        print(json.dumps({k: v for k, v in results[-1].items() if k != "transcript"}), flush=True)
        if args.out:
            args.out.write_text(json.dumps({"results": results}, indent=1))
    print(f"right {sum(r['grade'] == 'right' for r in results)}/{len(results)}")


if __name__ == "__main__":
    main()
