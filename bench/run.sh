#!/usr/bin/env bash
# See bench/run.py: shadow concurrency and legacy-mode overhead of `cutover run`.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
