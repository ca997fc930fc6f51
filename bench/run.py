#!/usr/bin/env python3
"""Benchmarks of `cutover run` (release build), printed as the README reports them.

1. Shadow concurrency: both sides `sleep 1`; wall time of `cutover run`
   (bar: at most 1.10 s, i.e. the sides run concurrently, not one after the other).
2. Overhead in legacy mode: `cutover run` of `true` versus `sh -c true` run
   directly; median of the difference over interleaved runs (bar: under 2 ms).
3. fsync calls per legacy-mode run, counted by `strace -f -c` over many runs
   (bar: at most 1 per run on average).
4. A store that does not answer: wall time of a legacy-mode `run` while the
   SQLite file is held by an exclusive lock (the run must end within its
   delivery bound, 2 s by default, and keep its record in the spool).

With BASELINE_BINARY=/path/to/an/older/cutover, the overhead measurement
interleaves that binary too (before/after figures from the same run).

Workspaces live under target/bench-work/, on the repository's own disk (never
tmpfs), so every file-system cost is the real one.
"""
import os
import pathlib
import sqlite3
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
    baseline = os.environ.get("BASELINE_BINARY")
    base_directory = workspace("true", "true") if baseline else None
    direct, routed, based = [], [], []
    for _ in range(5):  # warm caches, create the store
        timed([BINARY, "run", "job"], directory)
        if baseline:
            timed([baseline, "run", "job"], base_directory)
    for _ in range(runs):
        direct.append(cpu_timed(["/bin/sh", "-c", "true"], directory))
        routed.append(cpu_timed([BINARY, "run", "job"], directory))
        if baseline:
            based.append(cpu_timed([baseline, "run", "job"], base_directory))
    wall = [r[0] - d[0] for r, d in zip(routed, direct)]
    cpu = [r[1] - d[1] for r, d in zip(routed, direct)]
    load = os.getloadavg()[0]
    print(f"legacy-mode overhead: median {statistics.median(wall) * 1000:.2f} ms "
          f"(cutover run {statistics.median(r[0] for r in routed) * 1000:.2f} ms vs sh -c true "
          f"{statistics.median(d[0] for d in direct) * 1000:.2f} ms) over {runs} interleaved runs (bar: < 2 ms); "
          f"CPU time over sh -c true: mean {statistics.mean(cpu) * 1000:.2f} ms; load average {load:.1f}")
    if baseline:
        base_wall = [b[0] - d[0] for b, d in zip(based, direct)]
        base_cpu = [b[1] - d[1] for b, d in zip(based, direct)]
        print(f"  baseline {baseline}: overhead median {statistics.median(base_wall) * 1000:.2f} ms, "
              f"CPU over sh -c true: mean {statistics.mean(base_cpu) * 1000:.2f} ms (same interleaved runs)")


def locked_store(runs):
    directory = workspace("true", "true")
    timed([BINARY, "run", "job"], directory)  # create the store
    lock = sqlite3.connect(directory / ".cutover" / "state.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    times = [timed([BINARY, "run", "job"], directory) for _ in range(runs)]
    lock.execute("ROLLBACK")
    lock.close()
    kept = len(list((directory / ".cutover" / "spool").glob("*.json")))
    print(f"run with the store locked: median {statistics.median(times):.3f} s, max {max(times):.3f} s "
          f"over {runs} runs (bound: 2 s delivery timeout); {kept} records kept in the spool")


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
    locked_store(int(os.environ.get("LOCKED_RUNS", "5")))
    print(f"machine: {os.cpu_count()} cores; work directory {WORK} (repository disk)")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
