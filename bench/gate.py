#!/usr/bin/env python3
"""Benchmark: `cutover gate` over 1,000,000 recorded runs of one component
(shadow runs, so 2,000,000 side executions), release build, end to end
(process start, spec parsing, store queries, statistics); then `cutover
status` on the same store.

The runs are imported through the store's own API (the `gen_runs` example,
`Store::import_runs`) — recording them one `cutover run` at a time would take hours.
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "cutover"
RUNS = int(os.environ.get("GATE_RUNS", "1000000"))

SPEC = """version: 1
migration: { name: gate-bench, start: 2027-01-04 }
defaults:
  gate:
    - dagger.runs >= 20
    - dagger.success_rate >= legacy.success_rate
    - parity >= 0.99
    - dagger.p95_duration <= 1.2 * legacy.p95_duration
    - expr: not_slower(10%)
      enforce: false
components:
  - id: job
    kind: job
    owner: bench
    effort: 1d
    legacy: { run: "true" }
    dagger: { run: "true" }
"""


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "cutover"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cutover-core", "--example", "gen_runs"], cwd=ROOT, check=True)
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cutover-gate-bench-"))
    (directory / "migration.yaml").write_text(SPEC)
    subprocess.run([BINARY, "status"], cwd=directory, check=True, stdout=subprocess.DEVNULL)
    started = time.time()
    subprocess.run([ROOT / "target" / "release" / "examples" / "gen_runs", directory / ".cutover" / "state.db", "job", str(RUNS)], check=True)
    print(f"store: {RUNS:,} shadow runs, {2 * RUNS:,} side executions (imported in {time.time() - started:.0f} s)")
    times = []
    for _ in range(7):
        begin = time.perf_counter()
        result = subprocess.run([BINARY, "gate", "job", "--format", "json"], cwd=directory, stdout=subprocess.PIPE)
        times.append(time.perf_counter() - begin)
    print(f"cutover gate job (end to end): median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over 7 runs (bar: < 200 ms); exit {result.returncode}")
    status = []
    for _ in range(7):
        begin = time.perf_counter()
        subprocess.run([BINARY, "status", "--format", "json"], cwd=directory, stdout=subprocess.DEVNULL, check=True)
        status.append(time.perf_counter() - begin)
    print(f"cutover status on the same store: median {statistics.median(status) * 1000:.0f} ms over 7 runs")
    print(f"machine: {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
