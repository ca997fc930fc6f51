#!/usr/bin/env python3
"""Benchmarks of `cutover run` (release build), printed as the README reports them.

1. Shadow concurrency: both sides `sleep 1`; wall time of `cutover run`
   (bar: at most 1.10 s, i.e. the sides run concurrently, not one after the other).
2. Overhead in legacy mode: `cutover run` of `true` versus `sh -c true` run
   directly; median of the difference over interleaved runs (bar: under 2 ms),
   and CPU time (user + system), which the load of other processes disturbs
   less. Two projects, each with its store already created: one whose
   committed mode file keeps the job in legacy (the run needs no store), one
   without a mode file (the run reads the job's mode from the store).
   Then the `cutover status` that delivers the records those runs spooled.
3. fsync calls per legacy-mode run, counted by `strace -f -c` over many runs
   of each project (bar: at most 1 per run, on every run).
4. The floor, interleaved in the same way: a Rust program that only starts
   and exits, the same program starting `sh -c true` as `cutover run` starts a
   side (bench/floor.rs, built with `rustc -O`), and `cutover --version`; each
   over `sh -c true`. It shows how much of the overhead any wrapper process
   costs and how much is cutover's own start.
5. A store that does not answer: wall time of a `run` while the SQLite file
   is held by an exclusive lock, in legacy mode (the run never touches the
   store) and in dagger mode (the run must end within its delivery bound,
   2 s by default, and keep its record in the spool).

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


def workspace(legacy, dagger, modes=None, binary=None):
    """A project with `job`; `modes` is the committed mode file's text
    (none when `None`). The store is created first, as any command does."""
    WORK.mkdir(parents=True, exist_ok=True)
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cutover-bench-", dir=WORK))
    (directory / "migration.yaml").write_text(SPEC.format(legacy=legacy, dagger=dagger))
    if modes is not None:
        (directory / "migration.modes").write_text(modes)
    subprocess.run([binary or BINARY, "status"], cwd=directory, check=True, stdout=subprocess.DEVNULL)
    return directory


PROJECTS = [("committed mode file: `job: legacy`", "job: legacy\n"),
            ("no mode file: the store says legacy", None)]


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
    baseline = os.environ.get("BASELINE_BINARY")
    for label, modes in PROJECTS:
        directory = workspace("true", "true", modes)
        base_directory = workspace("true", "true", modes, baseline) if baseline else None
        direct, routed, based = [], [], []
        for _ in range(5):  # warm caches
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
        print(f"legacy-mode overhead ({label}): median {statistics.median(wall) * 1000:.2f} ms "
              f"(cutover run {statistics.median(r[0] for r in routed) * 1000:.2f} ms vs sh -c true "
              f"{statistics.median(d[0] for d in direct) * 1000:.2f} ms) over {runs} interleaved runs (bar: < 2 ms); "
              f"CPU time over sh -c true: mean {statistics.mean(cpu) * 1000:.2f} ms, "
              f"median {statistics.median(cpu) * 1000:.2f} ms; load average {load:.1f}")
        if baseline:
            base_wall = [b[0] - d[0] for b, d in zip(based, direct)]
            base_cpu = [b[1] - d[1] for b, d in zip(based, direct)]
            print(f"  baseline {baseline}: overhead median {statistics.median(base_wall) * 1000:.2f} ms, "
                  f"CPU over sh -c true: mean {statistics.mean(base_cpu) * 1000:.2f} ms, "
                  f"median {statistics.median(base_cpu) * 1000:.2f} ms (same interleaved runs)")
        spooled = len(list((directory / ".cutover" / "spool").glob("*.json")))
        took = timed([BINARY, "status"], directory)
        left = len(list((directory / ".cutover" / "spool").glob("*.json")))
        print(f"  then `cutover status` delivered {spooled - left} spooled records in {took * 1000:.0f} ms "
              f"({left} left in the spool)")


def floor(runs):
    program = WORK / "floor"
    subprocess.run(["rustc", "-O", "-o", program, ROOT / "bench" / "floor.rs"], check=True)
    directory = workspace("true", "true", "job: legacy\n")
    commands = {
        "a Rust program that exits": [program],
        "a Rust program that runs `sh -c true` as `run` starts a side": [program, "spawn"],
        "`cutover --version`": [BINARY, "--version"],
        "`cutover run` (committed mode file)": [BINARY, "run", "job"],
    }
    direct, times = [], {name: [] for name in commands}
    for _ in range(runs):
        direct.append(timed(["/bin/sh", "-c", "true"], directory))
        for name, command in commands.items():
            times[name].append(timed(command, directory))
    print(f"floor, over sh -c true ({statistics.median(direct) * 1000:.2f} ms), medians of {runs} interleaved runs:")
    for name, values in times.items():
        over = statistics.median(v - d for v, d in zip(values, direct))
        print(f"  {name}: {over * 1000:+.2f} ms")


def locked_store(runs):
    for label, modes in [("legacy mode", "job: legacy\n"), ("dagger mode", "job: dagger\n")]:
        directory = workspace("true", "true", modes)
        lock = sqlite3.connect(directory / ".cutover" / "state.db", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        times = [timed([BINARY, "run", "job"], directory) for _ in range(runs)]
        lock.execute("ROLLBACK")
        lock.close()
        kept = len(list((directory / ".cutover" / "spool").glob("*.json")))
        print(f"run with the store locked, {label}: median {statistics.median(times):.3f} s, "
              f"max {max(times):.3f} s over {runs} runs (bound: 2 s delivery timeout); "
              f"{kept} records kept in the spool")


def fsyncs(runs):
    for label, modes in PROJECTS:
        directory = workspace("true", "true", modes)
        for _ in range(5):
            timed([BINARY, "run", "job"], directory)
        report = directory / "strace.txt"
        per_run = []
        for _ in range(runs):
            subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", report,
                            BINARY, "run", "job"], cwd=directory, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            per_run.append(sum(int(m.group(1)) for m in re.finditer(
                r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$",
                report.read_text(), re.M)))
        print(f"fsync per legacy-mode run ({label}): {sum(per_run) / runs:.2f} on average, "
              f"{max(per_run)} at most, {sum(1 for c in per_run if c)} of {runs} runs synced at all "
              f"(bar: <= 1 per run)")


def copied(binary, name):
    """A copy of `binary` in the work directory. The binary the linker just
    wrote pages in through small page-cache pieces and takes more page faults
    on every start than a copy of it (here about 60 more, some 0.9 ms), so
    the build and the baseline are both timed as copies written the same way."""
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / name
    shutil.copyfile(binary, target)
    target.chmod(0o755)
    return target


def main():
    global BINARY
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "cutover"], cwd=ROOT, check=True)
    BINARY = copied(BINARY, "cutover")
    if os.environ.get("BASELINE_BINARY"):
        os.environ["BASELINE_BINARY"] = str(copied(os.environ["BASELINE_BINARY"], "cutover-baseline"))
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    shadow_concurrency(int(os.environ.get("SHADOW_RUNS", "5")))
    overhead(int(os.environ.get("OVERHEAD_RUNS", "200")))
    fsyncs(int(os.environ.get("FSYNC_RUNS", "300")))
    floor(int(os.environ.get("FLOOR_RUNS", "200")))
    locked_store(int(os.environ.get("LOCKED_RUNS", "5")))
    print(f"machine: {os.cpu_count()} cores; work directory {WORK} (repository disk)")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
