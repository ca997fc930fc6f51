#!/usr/bin/env bash
# Stand-in for `dagger call release [--dry-run]`: the ported release step,
# built by dagger/run-task.py, then published (a line appended to
# deploys.log — the side effect). With --dry-run it only says what it would push.
# Usage: dagger/deploy.sh [--dry-run]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/dagger/run-task.py" release-pipeline >/dev/null
version="release-pipeline@1.4.2"
if [ "${1:-}" = "--dry-run" ]; then
  echo "would push $version"
  exit 0
fi
echo "$version dagger $(date -u +%Y-%m-%dT%H:%M:%S)" >> "$here/deploys.log"
echo "pushed $version"
