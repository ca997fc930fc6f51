#!/usr/bin/env bash
# Run-ingest throughput and latency of `cutover serve` (SQLite behind it) on
# loopback: CLIENTS threads each record RUNS runs (begin + finish with both
# sides, as `cutover run` in shadow mode sends them) through the HTTP store.
# Baseline, interleaved in the same run: the same clients writing the SQLite
# file directly (no server). Release build; the store lives on the
# repository's disk (target/), not tmpfs. Prints each repetition and medians.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${CLIENTS:-16}"
RUNS="${RUNS:-500}"
REPEAT="${REPEAT:-5}"

cargo build --release --quiet -p cutover -p cutover-server --example ingest_load
BIN=target/release
WORK="$(mktemp -d -p target bench-ingest.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

TOKEN="bench-runner-token-0123456789"
printf 'runner bench %s\n' "$TOKEN" > "$WORK/tokens"
"$BIN/cutover" serve --listen 127.0.0.1:0 --tokens "$WORK/tokens" --state "$WORK/served.db" 2> "$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$WORK/serve.log" && break; sleep 0.1; done
URL="$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/serve.log" >&2; exit 3; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load: $CLIENTS clients x $RUNS runs, $REPEAT repetitions, server $URL"
export CUTOVER_TOKEN="$TOKEN"
: > "$WORK/results"
for i in $(seq "$REPEAT"); do
  served="$("$BIN/examples/ingest_load" "$URL" "$CLIENTS" "$RUNS")"
  direct="$("$BIN/examples/ingest_load" "$WORK/direct.db" "$CLIENTS" "$RUNS")"
  echo "server $served" | tee -a "$WORK/results"
  echo "direct $direct" | tee -a "$WORK/results"
done
python3 - "$WORK/results" <<'PY'
import json, statistics, sys
rows = {"server": [], "direct": []}
for line in open(sys.argv[1]):
    kind, _, text = line.partition(" ")
    rows[kind].append(json.loads(text))
for kind, label in (("server", "cutover serve (HTTP, SQLite behind)"), ("direct", "baseline: SQLite file, no server")):
    rates = [r["runs_per_second"] for r in rows[kind]]
    p99 = [r["p99_ms"] for r in rows[kind]]
    print(f"{label}: median {statistics.median(rates):,.0f} runs/s (min {min(rates):,.0f}, max {max(rates):,.0f}); "
          f"p99 latency median {statistics.median(p99):.2f} ms (max {max(p99):.2f})")
ratio = statistics.median(r["runs_per_second"] for r in rows["server"]) / statistics.median(r["runs_per_second"] for r in rows["direct"])
print(f"server / direct throughput: {ratio:.2f}; goal: >= 2,000 runs/s through the server")
PY
