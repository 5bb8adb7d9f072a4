#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test Flotilla has:
#   formatting, clippy (server and browser builds, warnings are errors), the Rust tests (unit and
#   integration, which run the real `claude` CLI against the fake Anthropic API in tests/support),
#   and the end-to-end tests in end2end/ (Playwright driving Debian's chromium) against the debug
#   build; with --release also the optimised, self-contained binary, run alone from another
#   directory. (The release build compiles every dependency again with optimisation: about 30
#   minutes on 2 cores, which would take CI past its hour, so CI runs without it.)
# Usage: scripts/test.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

with_release=false
for arg in "$@"; do
  case "$arg" in
    --release) with_release=true ;;
    *) echo "test: unknown option $arg" >&2; exit 2 ;;
  esac
done

step_started=$started
step() {
  local now; now=$(date +%s)
  printf '\033[1;34m==>\033[0m %s  (+%ss)\n' "$*" "$((now - step_started))" >&2
  step_started=$now
}

scripts/setup.sh --with-browser
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, server build (ssr)"
cargo clippy --all-targets --locked -- -D warnings

step "clippy, browser build (hydrate)"
cargo clippy --lib --locked --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "Rust tests"
cargo test --locked

step "build: debug site and server (cargo leptos build)"
cargo leptos build
cargo build --locked --example fake_anthropic

step "end-to-end tests (debug build)"
rm -f end2end/artifacts/server-*.log
if ! node --test --test-concurrency=1 end2end/tests/; then
  # A page that answers nothing (net::ERR_EMPTY_RESPONSE) is a server panic: show it.
  grep -h -B2 -A12 "panicked" end2end/artifacts/server-*.log 2>/dev/null | head -80 || true
  exit 1
fi

if $with_release; then
  step "build: release (cargo leptos build --release --precompress)"
  cargo leptos build --release --precompress
  step "end-to-end smoke test of the release binary, run from another directory"
  FLOTILLA_E2E_BINARY=release node --test --test-concurrency=1 end2end/tests/shell.test.mjs
fi

step "all checks passed in $(( $(date +%s) - started ))s"
