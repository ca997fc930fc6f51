#!/usr/bin/env bash
# Legacy release step of the example: builds the release report, then
# publishes it — the side effect, here a line appended to deploys.log — and
# says what it pushed. With --dry-run it only says what it would push.
# Usage: legacy/deploy.sh [--dry-run]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/legacy/run-task.sh" release-pipeline >/dev/null
version="release-pipeline@1.4.2"
if [ "${1:-}" = "--dry-run" ]; then
  echo "would push $version"
  exit 0
fi
echo "$version legacy $(date -u +%Y-%m-%dT%H:%M:%S)" >> "$here/deploys.log"
echo "pushed $version"
