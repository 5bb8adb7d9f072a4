#!/usr/bin/env bash
# Sets up what is missing, builds the release binary (with the site embedded) and runs it.
# Extra arguments go to `flotilla serve`, e.g. scripts/run.sh --bind 127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# --precompress makes cargo-leptos finish the site before it compiles the server, which embeds it.
cargo leptos build --release --precompress
claude_bin="${FLOTILLA_CLAUDE_BIN:-}"
if [ -z "$claude_bin" ] && ! command -v claude >/dev/null 2>&1; then
  # No claude on PATH: use the pinned one the set-up installed.
  export FLOTILLA_CLAUDE_BIN="$PWD/node_modules/.bin/claude"
fi
exec target/release/flotilla serve "$@"
