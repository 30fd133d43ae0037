#!/usr/bin/env bash
# Quick start: installs what is missing, builds the release and starts Atelier at
# http://127.0.0.1:3000 (data in ./data). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
use_shared_target
install_build_tools
say "building Atelier (release)"
cargo leptos build --release --split
say "starting Atelier on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
exec target/release/atelier
