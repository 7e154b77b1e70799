"""Write the browser's list of the gateway's error codes from the server's (errors.CODES).

Usage::

    python scripts/error_codes.py          # write src/llm/gatewayCodes.ts
    python scripts/error_codes.py --check  # fail if it is out of date

The codes are the contract between the gateway's error bodies and the browser's messages
(src/llm/errors.ts has one for each code); the server's table is the one to edit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "llm" / "gatewayCodes.ts"


def render(codes: dict[str, str]) -> str:
    """The TypeScript module, formatted as prettier formats it."""
    items = ",\n".join(f"  // {meaning}\n  '{code}'" for code, meaning in codes.items())
    return f"""/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

// Generated from CODES in jupyterlab_code_interpreter/gateway/errors.py by
// scripts/error_codes.py: edit the Python table.

/**
 * Every `code` an error body of the gateway carries.
 */
export const GATEWAY_ERROR_CODES = [
{items}
] as const;

/**
 * A `code` of the gateway's error bodies.
 */
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from jupyterlab_code_interpreter.gateway.errors import CODES

    text = render(CODES)
    if args.check:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python {__file__}")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
