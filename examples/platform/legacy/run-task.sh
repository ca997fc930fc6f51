#!/usr/bin/env bash
# Legacy implementation of every example task: summarises the workflow-run
# records for one component with awk, the way the home-grown runner did.
# Usage: legacy/run-task.sh COMPONENT   (writes $CUTOVER_OUT/out/COMPONENT.txt,
# or out/COMPONENT.txt beside this folder when run by hand)
set -euo pipefail
component="${1:?usage: run-task.sh COMPONENT}"
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${CUTOVER_OUT:-$here}/out"
mkdir -p "$out"
echo "legacy: running $component at $(date -u +%Y-%m-%dT%H:%M:%S)" >&2
awk -F, -v component="$component" '
  NR == 1 { next }
  { records++; total += $5; by_agent[$3]++ }
  $4 == "failed" { failed++ }
  $4 == "retried" { retried++ }
  END {
    printf "component: %s\n", component
    printf "records: %d\n", records
    printf "failed: %d\n", failed
    printf "retried: %d\n", retried
    printf "mean_duration_ms: %.1f\n", total / records
    for (agent in by_agent) printf "agent.%s: %d\n", agent, by_agent[agent] | "LC_ALL=C sort"
    close("LC_ALL=C sort")
  }' "$here/data/workflow-runs.csv" > "$out/$component.txt"
echo "wrote $component.txt built at $(date -u +%Y-%m-%dT%H:%M:%S)"
