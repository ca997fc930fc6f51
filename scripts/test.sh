#!/usr/bin/env bash
# Runs every test of the project. Installs what a fresh machine lacks
# (cargo-nextest), then runs the whole suite once, in one shared build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest (not found)..." >&2
  cargo install --locked cargo-nextest
fi

# The importer's edge test compares against an independent PyYAML parse.
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "installing PyYAML for the import tests (not found)..." >&2
  python3 -m pip install --quiet pyyaml
fi

# Property tests: a fixed number of cases keeps CI time predictable.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
# nextest does not run doc tests; run them first so the suite's summary closes the log.
cargo test --workspace --doc --quiet
cargo nextest run --workspace --all-targets --no-fail-fast
