#!/usr/bin/env python3
"""Benchmarks of `cutover run` (release build), printed as the README reports them.

1. Shadow concurrency: both sides `sleep 1`; wall time of `cutover run`
   (bar: at most 1.10 s, i.e. the sides run concurrently, not one after the other).
2. Overhead in legacy mode: `cutover run` of `true` versus `sh -c true` run
   directly; median of the difference over interleaved runs (bar: under 2 ms).
3. fsync calls per legacy-mode run, counted by `strace -f -c` over many runs
   (bar: at most 1 per run on average).

Workspaces live under target/bench-work/, on the repository's own disk (never
tmpfs), so every file-system cost is the real one.
"""
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "cutover"
WORK = ROOT / "target" / "bench-work"

SPEC = """version: 1
migration: {{ name: bench, start: 2027-01-04 }}
components:
  - id: job
    kind: job
    owner: bench
    effort: 1d
    legacy: {{ run: "{legacy}" }}
    dagger: {{ run: "{dagger}" }}
"""


def workspace(legacy, dagger):
    WORK.mkdir(parents=True, exist_ok=True)
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cutover-bench-", dir=WORK))
    (directory / "migration.yaml").write_text(SPEC.format(legacy=legacy, dagger=dagger))
    return directory


def timed(command, cwd):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cpu_timed(command, cwd):
    """Wall time and CPU time (user + system, the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(command, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def shadow_concurrency(runs):
    directory = workspace("sleep 1", "sleep 1")
    subprocess.run([BINARY, "advance", "job", "--to", "shadow"], cwd=directory, check=True, stdout=subprocess.DEVNULL)
    times = [timed([BINARY, "run", "job"], directory) for _ in range(runs)]
    print(f"shadow run, both sides `sleep 1`: median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s over {runs} runs (bar: <= 1.10 s)")


def overhead(runs):
    directory = workspace("true", "true")
    direct, routed = [], []
    for _ in range(5):  # warm caches, create the store
        timed([BINARY, "run", "job"], directory)
    for _ in range(runs):
        direct.append(cpu_timed(["/bin/sh", "-c", "true"], directory))
        routed.append(cpu_timed([BINARY, "run", "job"], directory))
    wall = [r[0] - d[0] for r, d in zip(routed, direct)]
    cpu = [r[1] - d[1] for r, d in zip(routed, direct)]
    load = os.getloadavg()[0]
    print(f"legacy-mode overhead: median {statistics.median(wall) * 1000:.2f} ms "
          f"(cutover run {statistics.median(r[0] for r in routed) * 1000:.2f} ms vs sh -c true "
          f"{statistics.median(d[0] for d in direct) * 1000:.2f} ms) over {runs} interleaved runs (bar: < 2 ms); "
          f"CPU time over sh -c true: mean {statistics.mean(cpu) * 1000:.2f} ms; load average {load:.1f}")


def fsyncs(runs):
    directory = workspace("true", "true")
    for _ in range(5):  # create the store first: a new file is synced once
        timed([BINARY, "run", "job"], directory)
    report = directory / "strace.txt"
    calls = 0
    per_run = []
    for _ in range(runs):
        subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", report,
                        BINARY, "run", "job"], cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        count = sum(int(m.group(1)) for m in re.finditer(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$",
                                                         report.read_text(), re.M))
        per_run.append(count)
        calls += count
    print(f"fsync per legacy-mode run: {calls / runs:.2f} on average, {max(per_run)} at most, "
          f"{sum(1 for c in per_run if c)} of {runs} runs synced at all "
          f"(WAL checkpoints; bar: <= 1 per run)")


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "cutover"], cwd=ROOT, check=True)
    shadow_concurrency(int(os.environ.get("SHADOW_RUNS", "5")))
    overhead(int(os.environ.get("OVERHEAD_RUNS", "200")))
    fsyncs(int(os.environ.get("FSYNC_RUNS", "300")))
    print(f"machine: {os.cpu_count()} cores; work directory {WORK} (repository disk)")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
