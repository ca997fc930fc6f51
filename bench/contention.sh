#!/usr/bin/env bash
# See bench/contention.py: the CI job's own duration with and without a shadow beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin cutover
exec python3 bench/contention.py "$@"
