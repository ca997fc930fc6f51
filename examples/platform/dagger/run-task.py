#!/usr/bin/env python3
"""Stand-in for `dagger call <component>`: the ported implementation of every
example task, in Python, producing the same summary as legacy/run-task.sh.

No Dagger engine runs on the machines this example is exercised on, so the
example's `dagger.run` lines call this script; in a real migration they are
`dagger call ...` lines. Usage: dagger/run-task.py COMPONENT
"""
import collections
import csv
import datetime
import os
import pathlib
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: run-task.py COMPONENT", file=sys.stderr)
        return 2
    component = sys.argv[1]
    here = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(os.environ.get("CUTOVER_OUT", here)) / "out"
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    print(f"dagger: running {component} at {now}", file=sys.stderr)
    with open(here / "data" / "workflow-runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    statuses = collections.Counter(row["status"] for row in rows)
    agents = collections.Counter(row["agent"] for row in rows)
    mean = sum(int(row["duration_ms"]) for row in rows) / len(rows)
    lines = [
        f"component: {component}",
        f"records: {len(rows)}",
        f"failed: {statuses['failed']}",
        f"retried: {statuses['retried']}",
        f"mean_duration_ms: {mean:.1f}",
    ]
    lines += [f"agent.{agent}: {agents[agent]}" for agent in sorted(agents)]
    (out / f"{component}.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote {component}.txt built at {now}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
