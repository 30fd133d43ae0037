#!/usr/bin/env bash
# Quick start: installs what is missing, builds the release and starts Atelier at
# http://127.0.0.1:3000 (data in ./data). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
use_shared_target
install_build_tools
# cargo-leptos regenerates and optimises the WASM on every build, even when nothing changed (about
# a minute): skip the build when the binary and the site are newer than every input.
newer_than() { find src style public migrations Cargo.toml Cargo.lock package-lock.json -newer "$1" -print -quit 2>/dev/null; }
if [ -x target/release/atelier ] && [ -f target/release/hash.txt ] && [ -d target/site/pkg ] \
  && [ -z "$(newer_than target/release/atelier)" ] && [ -z "$(newer_than target/release/hash.txt)" ]; then
  say "Atelier is built and up to date"
else
  say "building Atelier (release)"
  cargo leptos build --release --split
fi
say "starting Atelier on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
exec target/release/atelier
