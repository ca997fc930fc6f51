#!/usr/bin/env python3
"""Does a shadow slow down the CI job it shadows? (release build)

A CPU-bound job saturating both cores (two busy shell loops in parallel, the
worst case on a 2-core runner) is run through `cutover run` three ways,
interleaved and repeated in the same session:

- `alone`: legacy mode, the legacy side only (the job as it was);
- `shadow`: shadow mode, the default: the Dagger side (the same CPU-bound
  work) runs beside it at lowered priority (nice 19, idle I/O class, and a
  cgroup v2 `cpu.max` quota where cutover may create one);
- `after`: shadow mode with `shadow: after`: the Dagger side runs once the
  legacy side is done;
- `equal` (the reference, outside cutover): the same two commands started
  together at equal priority, the legacy one timed — what a shadow without
  lowering costs the job.

The figure is the authoritative (legacy) side's own duration as cutover
recorded it (`run_sides.duration_ms`), median of each way; the ratio
shadow/alone is the slowdown the CI job sees (bar: at most 1.10). The store
is read directly to also show what lowered the shadow (`run_sides.lowered`).

Workspaces live under target/bench-work/, on the repository's own disk.
Usage: bench/contention.py [ROUNDS] [LOOP]
"""
import pathlib
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "cutover"
WORK = ROOT / "target" / "bench-work"

# Two busy loops at once: the job wants both cores for its whole duration.
JOB = "i=0; while [ $i -lt {n} ]; do i=$((i+1)); done"
BOTH = "sh -c '{job}' & sh -c '{job}'; wait"

SPEC = """version: 1
migration: {{ name: contention, start: 2027-01-04 }}
components:
{components}"""

COMPONENT = """  - id: {id}
    kind: job
    owner: bench
    effort: 1d
    legacy: {{ run: "{command}" }}
    dagger: {{ run: "{command}" }}
    workspace: shared
{extra}"""


def setup(loop):
    WORK.mkdir(parents=True, exist_ok=True)
    directory = pathlib.Path(tempfile.mkdtemp(prefix="contention-", dir=WORK))
    command = BOTH.format(job=JOB.format(n=loop))
    components = "".join(
        COMPONENT.format(id=id, command=command, extra=extra)
        for id, extra in [("alone", ""), ("shadow", ""), ("after", "    shadow: after\n")]
    )
    (directory / "migration.yaml").write_text(SPEC.format(components=components))
    for component in ["shadow", "after"]:
        subprocess.run([BINARY, "advance", component, "--to", "shadow", "--force", "--reason", "bench"],
                       cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return directory


def run(directory, component):
    start = time.perf_counter()
    subprocess.run([BINARY, "run", component], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def equal(directory, command):
    """Both commands at once at normal priority; the first one's wall time."""
    shadow = subprocess.Popen(["/bin/sh", "-c", command], cwd=directory,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run(["/bin/sh", "-c", command], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    shadow.wait()
    return elapsed


def recorded(directory):
    """Per component: the authoritative durations (s), and the lowering seen."""
    db = sqlite3.connect(directory / ".cutover" / "state.db")
    rows = db.execute(
        "SELECT r.component, s.role, s.duration_ms, s.lowered, s.overlapped, s.contended "
        "FROM run_sides s JOIN runs r ON r.id = s.run_id ORDER BY r.started_at").fetchall()
    durations, lowered = {}, {}
    for component, role, duration_ms, lowering, overlapped, contended in rows:
        if role == "authoritative":
            durations.setdefault(component, []).append(duration_ms / 1000)
        elif lowering:
            lowered[component] = (lowering, overlapped, contended)
    return durations, lowered


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    loop = int(sys.argv[2]) if len(sys.argv) > 2 else 1_500_000
    if not BINARY.exists():
        sys.exit(f"build first: cargo build --release --bin cutover ({BINARY} is missing)")
    directory = setup(loop)
    run(directory, "alone")  # warm up: the store, page cache
    wall = {"alone": [], "shadow": [], "after": []}
    reference = []
    command = BOTH.format(job=JOB.format(n=loop))
    for _ in range(rounds):
        for component in wall:
            wall[component].append(run(directory, component))
        reference.append(equal(directory, command))
    durations, lowered = recorded(directory)
    alone = statistics.median(durations["alone"][1:])
    print(f"CPU-bound job on {len(os_cpus())} cores, {rounds} interleaved rounds "
          f"(loop {loop:,} x 2 processes):")
    for component in wall:
        own = statistics.median(durations[component][1:] if component == "alone" else durations[component])
        print(f"  {component:6}: authoritative side median {own:.3f} s "
              f"(x{own / alone:.3f} of alone), `cutover run` wall median {statistics.median(wall[component]):.3f} s")
    print(f"  equal : the job beside the same work at equal priority (no cutover) median "
          f"{statistics.median(reference):.3f} s (x{statistics.median(reference) / alone:.3f} of alone)")
    # Paired by round: each way against the `alone` run just before it,
    # which cancels most of the drift of a machine shared with other work.
    base = durations["alone"][1:]
    for component in ["shadow", "after"]:
        ratios = [own / alone for own, alone in zip(durations[component], base)]
        print(f"  {component:6}: paired ratio to alone, median x{statistics.median(ratios):.3f} "
              f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
    ratios = [own / alone for own, alone in zip(reference, base)]
    print(f"  equal : paired ratio to alone, median x{statistics.median(ratios):.3f}")
    print(f"  load average at the end: {open('/proc/loadavg').read().split()[0]}")
    for component, (lowering, overlapped, contended) in lowered.items():
        print(f"  {component}: shadow lowered by `{lowering}` (overlapped={overlapped}, contended={contended})")
    shutil.rmtree(directory, ignore_errors=True)


def os_cpus():
    import os
    return list(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
