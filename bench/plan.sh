#!/usr/bin/env bash
# Benchmark: `cutover plan --format json` end to end (parsing included) on a
# generated spec of N components (default 50,000, ~125,000 dependency edges),
# side by side with a networkx script on the same file (PyYAML's libyaml
# loader, dependency layers, longest effort path: bench/plan_networkx.py).
# Runs are interleaved (the order alternates), RUNS of each (default 7), on
# the repository's disk; prints min/median/max of both and the ratio of the
# medians (cutover / networkx), then where cutover's time goes, phase by phase.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-50000}"
runs="${RUNS:-7}"
if ! python3 -c 'import networkx, yaml; assert yaml.__with_libyaml__' >/dev/null 2>&1; then
  echo "installing networkx and PyYAML with libyaml (not found)..." >&2
  python3 -m pip install --quiet networkx pyyaml || python3 -m pip install --quiet --break-system-packages networkx pyyaml
  python3 -c 'import yaml; assert yaml.__with_libyaml__, "PyYAML lacks libyaml: install libyaml-dev and reinstall pyyaml"'
fi
cargo build --release --quiet --bin cutover --example gen_spec -p cutover
cargo build --release --quiet --example plan_phases -p cutover-core
work="target/bench-plan"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
./target/release/examples/gen_spec "$count" > "$work/big.yaml"
edges=$(grep -o 'c[0-9]*[],]' "$work/big.yaml" | wc -l)
echo "spec: $count components, $edges dependency edges, $(du -h "$work/big.yaml" | cut -f1)"

# Wall time in ms, then CPU time (user + system) in ms: on a shared machine
# the CPU time is the steadier of the two.
measure() {
  local start end
  start=$(date +%s%N)
  TIMEFORMAT='%3U %3S'
  { time "$@" > /dev/null 2> /dev/null; } 2> "$work/cpu"
  end=$(date +%s%N)
  read -r user system < "$work/cpu"
  echo "$(( (end - start) / 1000000 )) $(python3 -c "print(round(($user + $system) * 1000))")"
}
cutover=(); networkx=(); cutover_cpu=(); networkx_cpu=()
run_cutover() { read -r wall cpu <<< "$(measure ./target/release/cutover plan --format json "$work/big.yaml")"; cutover+=("$wall"); cutover_cpu+=("$cpu"); }
run_networkx() { read -r wall cpu <<< "$(measure python3 bench/plan_networkx.py "$work/big.yaml")"; networkx+=("$wall"); networkx_cpu+=("$cpu"); }
for i in $(seq "$runs"); do
  if (( i % 2 )); then run_cutover; run_networkx; else run_networkx; run_cutover; fi
done
summary() { local sorted; sorted=($(printf '%s\n' "$@" | sort -n)); echo "${sorted[0]} ${sorted[$(( $# / 2 ))]} ${sorted[$(( $# - 1 ))]}"; }
read -r c_min c_med c_max <<< "$(summary "${cutover[@]}")"
read -r n_min n_med n_max <<< "$(summary "${networkx[@]}")"
read -r _ cc_med _ <<< "$(summary "${cutover_cpu[@]}")"
read -r _ nc_med _ <<< "$(summary "${networkx_cpu[@]}")"
echo "cutover plan --format json: wall min $c_min ms, median $c_med ms, max $c_max ms; CPU median $cc_med ms ($runs runs)"
echo "networkx (PyYAML CLoader + layers + longest path): wall min $n_min ms, median $n_med ms, max $n_max ms; CPU median $nc_med ms ($runs runs)"
echo "ratio of medians (cutover / networkx): wall $(python3 -c "print(f'{$c_med / $n_med:.3f}')"), CPU $(python3 -c "print(f'{$cc_med / $nc_med:.3f}')") (bar: at most 0.5)"
echo "where cutover's time goes (one run):"
./target/release/examples/plan_phases "$work/big.yaml" | sed 's/^/  /'
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
