#!/usr/bin/env bash
# See bench/gate.py: cutover gate over 1,000,000 recorded runs.
set -euo pipefail
exec python3 "$(dirname "$0")/gate.py" "$@"
