#!/usr/bin/env bash
# Acceptance test of one component: runs the implementation under test
# ($CUTOVER_SIDE: legacy or dagger) into a scratch directory and checks the
# report it writes: every record counted, every agent listed, a sane mean.
# Usage: tests/check-report.sh COMPONENT
set -euo pipefail
component="${1:?usage: check-report.sh COMPONENT}"
here="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
case "${CUTOVER_SIDE:-legacy}" in
  legacy) CUTOVER_OUT="$scratch" "$here/legacy/run-task.sh" "$component" >/dev/null 2>&1 ;;
  dagger) CUTOVER_OUT="$scratch" "$here/dagger/run-task.py" "$component" >/dev/null 2>&1 ;;
  *) echo "unknown side ${CUTOVER_SIDE}" >&2; exit 2 ;;
esac
report="$scratch/out/$component.txt"
expected=$(( $(wc -l < "$here/data/workflow-runs.csv") - 1 ))
grep -qx "records: $expected" "$report" || { echo "records line wrong: $(grep records "$report")"; exit 1; }
agents=$(cut -d, -f3 "$here/data/workflow-runs.csv" | tail -n +2 | sort -u | wc -l)
[ "$(grep -c '^agent\.' "$report")" -eq "$agents" ] || { echo "expected $agents agents"; exit 1; }
echo "report ok: $expected records, $agents agents"
