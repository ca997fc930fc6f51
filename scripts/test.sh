#!/usr/bin/env bash
# Runs every test of the project. Installs what a fresh machine lacks
# (cargo-nextest), then runs the whole suite once, in one shared build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest (not found)..." >&2
  cargo install --locked cargo-nextest
fi

# The event-schema test validates `cutover log --format json` with Python's jsonschema.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "installing python jsonschema (not found)..." >&2
  python3 -m pip install --quiet jsonschema
fi

# The parity tests build a small C library two ways: with make and with CMake.
if ! command -v cmake >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  echo "installing cmake, make and a C compiler (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq cmake make gcc libc6-dev >/dev/null
fi

# Property tests: a fixed number of cases keeps CI time predictable.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
# nextest does not run doc tests; run them first so the suite's summary closes the log.
cargo test --workspace --doc --quiet
cargo nextest run --workspace --all-targets --no-fail-fast
