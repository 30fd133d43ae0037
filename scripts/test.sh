#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (cargo), then the end-to-end
# tests in Chromium against the release build (wasm-opt included: a broken wasm-opt only shows
# there). Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
. scripts/services.sh
trap stop_services EXIT
use_shared_target create
install_build_tools
install_test_tools

say "cargo fmt --check"
cargo fmt --check

# The server side is built in the release profile throughout, so the tests, the lints and the
# end-to-end build share one set of compiled dependencies.
say "clippy (ssr, hydrate)"
cargo clippy --release --all-targets --features ssr -- -D warnings
cargo clippy --release --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

say "unit and integration tests (SQLite)"
cargo test --release --features ssr

say "integration tests again on PostgreSQL and S3 (SeaweedFS)"
start_postgres
start_seaweedfs
cargo test --release --features ssr --test api

say "end-to-end tests (release build, Chromium)"
data_dir=$(mktemp -d)
trap 'rm -rf "$data_dir"; stop_services' EXIT
# Simulated jobs take about four seconds instead of ten.
ATELIER_DATA_DIR="$data_dir" ATELIER_SIM_STEP_MS=400 cargo leptos end-to-end --release --split

# After the end-to-end tests: the site they were run against is the one the benchmark weighs.
say "benchmark, quick mode (keeps it from rotting; asserts no timings)"
cargo bench --features ssr --bench atelier-bench -- --quick

say "all tests passed"
