#!/usr/bin/env bash
# See bench/run.py: shadow concurrency, legacy-mode overhead and fsyncs of `cutover run`.
set -euo pipefail
# strace counts the fsync calls of a run.
if ! command -v strace >/dev/null 2>&1; then
  echo "installing strace (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq strace
fi
exec python3 "$(dirname "$0")/run.py" "$@"
