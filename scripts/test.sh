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

# The plan check (tests/data/plan_check.py) verifies generated plans with networkx.
if ! python3 -c 'import networkx' >/dev/null 2>&1; then
  echo "installing networkx (not found)..." >&2
  python3 -m pip install --quiet networkx || python3 -m pip install --quiet --break-system-packages networkx
fi

# Property tests: a fixed number of cases keeps CI time predictable.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
# nextest does not run doc tests; run them first so the suite's summary closes the log.
cargo test --workspace --doc --quiet
cargo nextest run --workspace --all-targets --no-fail-fast
