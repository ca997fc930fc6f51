#!/usr/bin/env bash
# Integration test of a phase: runs the given components through the
# implementation under test and checks that the reports agree with each
# other (the components share one data set, so only their names differ).
# Usage: tests/compare-sides.sh COMPONENT...
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for component in "$@"; do
  case "${CUTOVER_SIDE:-legacy}" in
    legacy) CUTOVER_OUT="$scratch" "$here/legacy/run-task.sh" "$component" >/dev/null 2>&1 ;;
    dagger) CUTOVER_OUT="$scratch" "$here/dagger/run-task.py" "$component" >/dev/null 2>&1 ;;
  esac
  tail -n +2 "$scratch/out/$component.txt" > "$scratch/$component.body"
done
first="$1"
for component in "$@"; do
  cmp -s "$scratch/$first.body" "$scratch/$component.body" || { echo "$component disagrees with $first"; exit 1; }
done
echo "$# components agree"
