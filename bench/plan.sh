#!/usr/bin/env bash
# Benchmark: `cutover plan --format json` end to end (parsing included) on a
# generated spec of N components (default 50,000, ~125,000 dependency edges).
# Prints min/median/max wall time over RUNS runs (default 7), release build.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-50000}"
runs="${RUNS:-7}"
cargo build --release --quiet --bin cutover --example gen_spec
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./target/release/examples/gen_spec "$count" > "$work/big.yaml"
edges=$(grep -o 'c[0-9]*[],]' "$work/big.yaml" | wc -l)
echo "spec: $count components, $edges dependency edges, $(du -h "$work/big.yaml" | cut -f1)"
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  ./target/release/cutover plan --format json "$work/big.yaml" > "$work/plan.json"
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "plan --format json: min ${sorted[0]} ms, median ${sorted[$((runs / 2))]} ms, max ${sorted[$((runs - 1))]} ms over $runs runs"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
