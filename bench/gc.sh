#!/usr/bin/env bash
# Benchmark: `cutover gc` over a store with 10,000 recorded shadow runs and
# their captured files; `cutover gate` timed before and after (median of 9,
# interleaved with a baseline store of the same records and no captures);
# `du -sh .cutover` before and after.
#
# The records are imported through the store's API (the `gen_runs` example);
# the captures are written as `cutover run` writes them in shadow mode
# (`.cutover/runs/<id>/{legacy,dagger}/{stdout,stderr,out/<output>}`), and a
# few real `cutover run`s are made on top. Scratch data lives under target/
# (the repository's disk, not tmpfs) and is deleted at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${GC_RUNS:-10000}"
cd "$ROOT"
cargo build --release --quiet --bin cutover
cargo build --release --quiet -p cutover-core --example gen_runs
BIN="$ROOT/target/release/cutover"
SCRATCH="$(mktemp -d "$ROOT/target/gc-bench.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

SPEC='version: 1
migration: { name: gc-bench, start: 2027-01-04 }
defaults:
  gate:
    - dagger.runs >= 20
    - dagger.success_rate >= legacy.success_rate
    - parity >= 0.99
    - dagger.p95_duration <= 1.2 * legacy.p95_duration
components:
  - id: job
    kind: job
    owner: bench
    effort: 1d
    legacy: { run: "echo building job; mkdir -p dist; echo artifact > dist/job.txt" }
    dagger: { run: "echo building job; mkdir -p dist; echo artifact > dist/job.txt" }
    outputs: [dist/job.txt]
'
for store in project baseline; do
  mkdir -p "$SCRATCH/$store"
  printf '%s' "$SPEC" > "$SCRATCH/$store/migration.yaml"
  (cd "$SCRATCH/$store" && "$BIN" advance job >/dev/null)
  "$ROOT/target/release/examples/gen_runs" "$SCRATCH/$store/.cutover/state.db" job "$RUNS"
done
# Captures of the 10,000 runs, as `run` writes them, over the last 10 days.
python3 - "$SCRATCH/project/.cutover/runs" "$RUNS" <<'PY'
import os, sys, datetime, random
root, count = sys.argv[1], int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc)
rng = random.Random(7)
for i in range(count):
    at = now - datetime.timedelta(seconds=(count - i) * 86400 * 10 / count)
    run = os.path.join(root, at.strftime("%Y%m%dT%H%M%S") + f"{at.microsecond // 1000:03d}-{rng.getrandbits(32):08x}")
    for side in ("legacy", "dagger"):
        out = os.path.join(run, side, "out", "dist")
        os.makedirs(out)
        with open(os.path.join(run, side, "stdout"), "w") as f:
            f.write("building job\n" * 20)
        open(os.path.join(run, side, "stderr"), "w").close()
        with open(os.path.join(out, "job.txt"), "w") as f:
            f.write("artifact\n")
PY
(cd "$SCRATCH/project" && for _ in 1 2 3; do "$BIN" run job >/dev/null 2>&1; done)

# Median wall time of `cutover gate job` in each store, interleaved.
time_gate() {
  python3 - "$BIN" "$SCRATCH" <<'PY'
import statistics, subprocess, sys, time
binary, scratch = sys.argv[1], sys.argv[2]
times = {"project": [], "baseline": []}
for _ in range(9):
    for store in times:
        begin = time.perf_counter()
        subprocess.run([binary, "gate", "job", "--format", "json"], cwd=f"{scratch}/{store}", stdout=subprocess.DEVNULL)
        times[store].append(time.perf_counter() - begin)
p, b = statistics.median(times["project"]) * 1000, statistics.median(times["baseline"]) * 1000
print(f"gate median of 9: {p:.1f} ms (baseline without captures: {b:.1f} ms, ratio {p / b:.2f})")
PY
}

summary() {
  local files
  files=$(find "$SCRATCH/project/.cutover" -type f | wc -l)
  echo "  .cutover: $(du -sh "$SCRATCH/project/.cutover" | cut -f1), $files files, $(find "$SCRATCH/project/.cutover/runs" -mindepth 1 -maxdepth 1 -type d | wc -l) run capture dirs"
  echo "  $(time_gate)"
}
echo "store: $RUNS recorded shadow runs (+3 real), captures of $RUNS runs"
echo "before gc:"
summary
begin=$(date +%s%N)
(cd "$SCRATCH/project" && "$BIN" gc)
echo "gc took $(( ($(date +%s%N) - begin) / 1000000 )) ms"
echo "after gc (default retention: keep 200 runs' captures, 30 days):"
summary
echo "machine: $(nproc) cores, $(uname -sr)"
