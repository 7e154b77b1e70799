"""`python -m jupyterlab_code_interpreter.hub` / `code-interpreter-hub`: run the service, or
`code-interpreter-hub usage [--user NAME] [--since YYYY-MM-DD] [--json]` to print the usage
per user from the state backend the configuration names (no hub needed)."""

from __future__ import annotations

import argparse
import asyncio
import calendar
import json
import sys
import time

from .app import CodeInterpreterHub
from .state_guard import StateUnavailable


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["usage"]:
        return usage_command(argv[1:])
    CodeInterpreterHub.launch_instance(argv)
    return 0


def usage_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="code-interpreter-hub usage", description=__doc__)
    parser.add_argument("--user", help="only this user")
    parser.add_argument("--since", default="", help="from this day on (YYYY-MM-DD, UTC)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--config", help="the service's configuration file")
    parser.add_argument("--state-url", help="the state backend (overrides the configuration)")
    args = parser.parse_args(argv)
    try:
        since = calendar.timegm(time.strptime(args.since, "%Y-%m-%d")) if args.since else 0
    except ValueError:
        parser.error("--since: use YYYY-MM-DD")
    app_argv = [f"--config={args.config}"] if args.config else []
    app_argv += [f"--state-url={args.state_url}"] if args.state_url else []
    app = CodeInterpreterHub()
    app.initialize(app_argv)
    try:
        report = asyncio.run(_report(app, args.user, since))
    except StateUnavailable as failure:
        print(
            f"The usage could not be read from {failure.store}: {failure.reason}", file=sys.stderr
        )
        return 1
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    columns = ("requests", "refused", "prompt_tokens", "completion_tokens", "total_tokens")
    print(f"{'user':<24}" + "".join(f"{c:>19}" for c in columns))
    for user, totals in report.items():
        print(f"{user:<24}" + "".join(f"{totals[c]:>19}" for c in columns))
    return 0


async def _report(app: CodeInterpreterHub, user: str | None, since: float) -> dict:
    state = app.open_state()
    try:
        return await state.usage(user, since)
    finally:
        await state.aclose()


if __name__ == "__main__":
    sys.exit(main())
