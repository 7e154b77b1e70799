#!/usr/bin/env bash
# Start JupyterLab with the extension. With no model endpoint in the environment, start our LLM
# simulator beside it (demo answers) so the panel works out of the box; say so loudly.
set -euo pipefail
if [ -z "${AZURE_OPENAI_ENDPOINT:-}" ] && [ -z "${OPENAI_BASE_URL:-}" ] && [ -z "${OPENAI_API_KEY:-}" ]; then
  port=${SIMULATOR_PORT:-8765}
  python -m jupyterlab_code_interpreter.simulator --port "$port" \
    --scenario jupyterlab_code_interpreter/simulator/examples/demo.yaml &
  simulator=$!
  trap 'kill $simulator 2>/dev/null || true' EXIT
  export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sim-key OPENAI_MODEL=gpt-4o
  echo "No model endpoint configured: using the LLM simulator's demo answers on port $port."
  echo "Set AZURE_OPENAI_ENDPOINT (or OPENAI_BASE_URL) and the key variables to use a real model."
fi
# Jupyter refuses to start as root without being told; these machines run everything as root.
if [ "$(id -u)" = "0" ]; then
  set -- --allow-root "$@"
fi
if [ -n "${simulator:-}" ]; then
  jupyter lab "$@"
else
  # No simulator to clean up: this shell leaves the process tree, so its environment (which may
  # hold a key) is no longer readable at /proc/<pid>/environ of a parent of the server.
  exec jupyter lab "$@"
fi
