#!/usr/bin/env bash
# Sourced by run.sh and test.sh: installs what building Atelier needs, skipping what is already
# there. Everything comes from crates.io and npm (nothing from GitHub releases).
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
export PATH="$HOME/.cargo/bin:$PATH"
# Playwright and cargo-leptos must never try to download browsers or tools.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# leptos reads LEPTOS_OUTPUT_NAME at compile time, and cargo-leptos sets it: set it for every
# cargo command, or plain `cargo test` and `cargo leptos build` rebuild leptos for each other.
export LEPTOS_OUTPUT_NAME=atelier
# cargo-leptos builds with type-erased views (always-erase-components in Cargo.toml); plain cargo
# commands use the same flag so that they share the compiled dependencies.
export RUSTFLAGS="--cfg erase_components"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# Reuse one cargo target directory outside the clone, so a fresh clone on a warm machine builds in
# minutes. `target` becomes a link to it (the site and binary stay at target/...).
# $1 = "create" makes the directory if it is missing; otherwise it is used only when it exists.
use_shared_target() {
  local shared="${ATELIER_TARGET_DIR:-$HOME/.cache/atelier/target}"
  [ "${1:-}" = create ] && mkdir -p "$shared"
  if [ ! -e target ] && [ -d "$shared" ]; then
    ln -s "$shared" target
    say "using the shared build directory $shared"
  fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# npm ci when node_modules is missing or older than the lock file.
npm_deps() {
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    say "installing npm packages in $1"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # cargo-leptos is built unoptimised: it spends its time waiting on rustc, wasm-opt and
  # Tailwind, so a release build (11.5 minutes on 2 cores, with LTO over 15) buys nothing. Measured:
  # the site's release build took 5:00 with it against 5:06 with the release tool; the tool itself
  # builds in 5 minutes instead of 11.5.
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 5 minutes, once)"
    cargo install cargo-leptos --debug --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
  fi
  # wasm-bindgen-cli without its release profile's whole-program optimisation (LTO, one codegen
  # unit), which doubles its build.
  local quick_build=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16)
  # wasm-bindgen-cli must be exactly the wasm-bindgen of Cargo.lock. Not --locked: its lock file
  # asks for a webpki-roots the registry does not have.
  local wb
  wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    say "installing wasm-bindgen-cli $wb (about 2 minutes, once)"
    "${quick_build[@]}" cargo install wasm-bindgen-cli --version "$wb"
  fi
  # Tailwind and wasm-opt (binaryen 132; Debian's 108 breaks hydration): cargo-leptos finds them
  # in ./node_modules/.bin.
  npm_deps .
}

install_test_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  fi
  npm_deps end2end
  sdk_venv
}

# The official OpenAI Python SDK, the client of the /v1 tests (tests/sdk/images.py), in a virtual
# environment of its own; the tests find its python through ATELIER_TEST_PYTHON.
OPENAI_SDK_VERSION=3.57.0
sdk_venv() {
  local venv="$HOME/.cache/atelier/sdk-venv"
  if ! "$venv/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$OPENAI_SDK_VERSION')" 2>/dev/null; then
    say "installing the openai Python SDK $OPENAI_SDK_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openai==$OPENAI_SDK_VERSION"
  fi
  export ATELIER_TEST_PYTHON="$venv/bin/python"
}
