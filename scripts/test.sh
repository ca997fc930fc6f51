#!/usr/bin/env bash
# Runs every test of the project. Installs what a fresh machine lacks
# (cargo-nextest), then runs the whole suite once, in one shared build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest (not found)..." >&2
  cargo install --locked cargo-nextest
fi

# Property tests: a fixed number of cases keeps CI time predictable.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
cargo nextest run --workspace --all-targets --no-fail-fast
# nextest does not run doc tests.
cargo test --workspace --doc --quiet
