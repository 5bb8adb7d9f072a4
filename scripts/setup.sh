#!/usr/bin/env bash
# Installs whatever Flotilla needs to build, run and test that is not there yet; quick when
# everything is. Nothing is downloaded from outside the crates.io, npm and Debian registries:
#   - Rust target wasm32-unknown-unknown (rustup)
#   - cargo-leptos (crates.io, version in scripts/versions.env) and wasm-bindgen-cli (the version
#     in Cargo.lock), so cargo-leptos never downloads them
#   - npm packages pinned in package-lock.json: Tailwind CLI, wasm-opt (binaryen), Claude Code,
#     playwright-core, Lucide icons, highlight.js, Chart.js, the Monaco editor
#   - with --with-browser: Debian's chromium for the end-to-end tests, and openssl, which the
#     TLS test uses to make a certificate
# Usage: scripts/setup.sh [--with-browser]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
. scripts/versions.env

with_browser=false
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=true ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required: $2" >&2; exit 1; }
}
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

need cargo "install Rust with rustup (https://rustup.rs)"
need rustup "install Rust with rustup (https://rustup.rs)"
need node "install Node.js 20 or newer"
need npm "install npm (it comes with Node.js)"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes about 10 minutes, once)"
  # no_downloads: a missing helper tool is an error instead of a download attempt.
  # Without its fat LTO and single codegen unit: linking cargo-leptos that way alone takes over
  # 10 minutes on 2 cores, for a build tool whose own speed hardly matters.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

wasm_bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if [ -z "$wasm_bindgen_version" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  log "installing wasm-bindgen-cli $wasm_bindgen_version (must equal the crate version in Cargo.lock)"
  # Without --locked: with it, one of its dependencies fails to resolve.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.flotilla-lock-hash 2>/dev/null || true)" != "$lock_hash" ]; then
  log "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.flotilla-lock-hash
fi

claude_version=$(node -p 'require("./package.json").devDependencies["@anthropic-ai/claude-code"]')
if ! node_modules/.bin/claude --version 2>/dev/null | grep -q "^$claude_version "; then
  # npm may skip the package's install script; it places the native binary.
  log "placing the Claude Code native binary"
  (cd node_modules/@anthropic-ai/claude-code && node install.cjs)
  node_modules/.bin/claude --version | grep -q "^$claude_version " \
    || { echo "setup: node_modules/.bin/claude is not Claude Code $claude_version" >&2; exit 1; }
fi

missing_debs=()
if $with_browser; then
  [ -x /usr/bin/chromium ] || missing_debs+=(chromium)
  command -v openssl >/dev/null 2>&1 || missing_debs+=(openssl)
fi
if [ ${#missing_debs[@]} -gt 0 ]; then
  log "installing Debian packages for the tests: ${missing_debs[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_debs[@]}" >/dev/null
fi

node scripts/vendor-assets.mjs >/dev/null
log "set-up complete"
