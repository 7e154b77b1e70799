#!/usr/bin/env bash
# Start JupyterLab with the extension. With no model endpoint configured (environment or the user's
# settings): the real local model when `make local-model` has built it, else our LLM simulator beside
# it (demo answers), so the panel works out of the box; say which, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

# Whether the user's JupyterLab settings name an endpoint (the gateway reads them too).
settings_endpoint() {
  python - <<'EOF'
import json5, pathlib, sys
from jupyterlab.commands import get_user_settings_dir
path = pathlib.Path(get_user_settings_dir(), "jupyterlab-code-interpreter", "plugin.jupyterlab-settings")
try:
    settings = json5.loads(path.read_text()) if path.is_file() else {}
except ValueError:
    settings = {}
sys.exit(0 if settings.get("endpoint") or settings.get("endpoints") else 1)
EOF
}

# Whether the local model answers on $1 under its alias.
local_model_answers() {
  python -c "import sys, urllib.request; sys.exit('qwen2.5-coder-1.5b' not in urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())" \
    "http://127.0.0.1:$1/v1/models" 2>/dev/null
}

children=()
cleanup() { for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

if [ -z "${AZURE_OPENAI_ENDPOINT:-}" ] && [ -z "${OPENAI_BASE_URL:-}" ] && [ -z "${OPENAI_API_KEY:-}" ] \
  && ! settings_endpoint; then
  if scripts/local-model.sh env >/dev/null; then
    port=${LOCAL_MODEL_PORT:-8181}
    if local_model_answers "$port"; then
      echo "Using the local model already served on port $port."
    else
      log=.local-model/server.log
      scripts/local-model.sh serve >"$log" 2>&1 &
      children+=($!)
      echo "Starting the local model (qwen2.5-coder-1.5b, llama-server) on port $port; its log: $log"
      for _ in $(seq 1 240); do
        local_model_answers "$port" && break
        kill -0 "${children[-1]}" 2>/dev/null || { echo "The local model did not start; see $log" >&2; exit 1; }
        sleep 0.5
      done
    fi
    # The gateway's endpoint, in a config folder read by this run only (it acts as an
    # administrator's endpoint: the settings' endpoint fields are ignored while it is set).
    config=.local-model/jupyter-config
    mkdir -p "$config"
    cat >"$config/jupyter_server_config.json" <<EOF
{"CodeInterpreter": {"endpoint": {"kind": "openai", "base_url": "http://127.0.0.1:$port/v1",
  "model": "qwen2.5-coder-1.5b", "tool_protocol": "text", "first_byte_timeout": 180}}}
EOF
    export JUPYTER_CONFIG_PATH="$PWD/$config${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
    echo "No model endpoint configured: using the real local model Qwen2.5-Coder-1.5B (make local-model)"
    echo "through http://127.0.0.1:$port/v1, text tool protocol, first-byte timeout 180 s. On a CPU an"
    echo "answer takes 20-60 s to start. Set AZURE_OPENAI_ENDPOINT (or OPENAI_BASE_URL) to use another model."
  else
    port=${SIMULATOR_PORT:-8765}
    python -m jupyterlab_code_interpreter.simulator --port "$port" \
      --scenario jupyterlab_code_interpreter/simulator/examples/demo.yaml &
    children+=($!)
    export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sim-key OPENAI_MODEL=gpt-4o
    echo "No model endpoint configured: using the LLM simulator's demo answers on port $port."
    echo "Set AZURE_OPENAI_ENDPOINT (or OPENAI_BASE_URL) and the key variables to use a real model,"
    echo "or run make local-model once for a real small model on this machine."
  fi
fi
# Jupyter refuses to start as root without being told; these machines run everything as root.
if [ "$(id -u)" = "0" ]; then
  set -- --allow-root "$@"
fi
if [ ${#children[@]} -gt 0 ]; then
  jupyter lab "$@"
else
  # Nothing to clean up: this shell leaves the process tree, so its environment (which may hold a
  # key) is no longer readable at /proc/<pid>/environ of a parent of the server.
  exec jupyter lab "$@"
fi
