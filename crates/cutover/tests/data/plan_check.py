#!/usr/bin/env python3
"""Independent check of `cutover plan` on generated specs.

Usage: plan_check.py CUTOVER_BINARY WORK_DIR COUNT [COUNT...]

For each COUNT, writes a random DAG spec (teams with random sizes, random
efforts and risks, several seeds), plans it with `cutover plan --format json`
and checks, with networkx and nothing from cutover but its JSON output:
  - the ordering rules: porting after dependencies are ported, canary only
    after every dependency is cut over (at dagger), canary only after the
    previous phase's gate, soaks at least as long as the spec says;
  - the people: never more porting at once than a team has, nor than the
    global capacity;
  - the lower bound: recomputed here (longest chain under the rules with
    unlimited people; each team's effort over its people, and all effort over
    the capacity, plus the shortest soak tail), equal to the one reported,
    and the plan spans at most 1.15 x that bound.
Exits non-zero with the failures listed; prints one line per spec.
"""

import datetime
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx

RATIO_BAR = 1.15


def generate(count: int, seed: int):
    rng = random.Random(seed * 7919 + count)
    teams = {f"team{t}": rng.randint(1, 3) for t in range(rng.randint(2, 5))}
    capacity = max(1, sum(teams.values()) - rng.randint(0, 2))
    shadow, canary = rng.randint(2, 6), rng.randint(1, 3)
    lines = [
        "version: 1",
        "migration:",
        f"  name: generated-{count}-{seed}",
        "  start: 2027-01-04",
        f"  capacity: {capacity}",
        "  teams: {" + ", ".join(f"{k}: {v}" for k, v in teams.items()) + "}",
        "planning:",
        f"  porting_after: {rng.choice(['ported', 'ported', 'cutover'])}",
        f"  overlap: {rng.choice(['true', 'true', 'false'])}",
        "defaults:",
        f"  soak: {{ shadow: {shadow}d, canary: {canary}d }}",
        "components:",
    ]
    names = list(teams) + ["solo"]
    for i in range(count):
        kind = "infra" if i < max(1, count // 20) else rng.choice(["pipeline", "job", "service", "library"])
        lines += [
            f"  - id: c{i}",
            f"    kind: {kind}",
            f"    owner: {rng.choice(names)}",
            f"    effort: {rng.randint(1, 10)}d",
            f"    risk: {rng.choice(['low', 'medium', 'high'])}",
        ]
        if kind != "infra" and rng.random() < 0.1:
            lines.append("    user_facing: true")
        if i > 0:
            deps = sorted({rng.randrange(i) for _ in range(rng.randint(0, 3))})
            if deps:
                lines.append("    depends_on: [" + ", ".join(f"c{d}" for d in deps) + "]")
    return "\n".join(lines) + "\n", teams, capacity


def day_numbers(start: str, end: str) -> dict:
    """Work-day number of every Monday-to-Friday date from start to end."""
    day = datetime.date.fromisoformat(start)
    last = datetime.date.fromisoformat(end) + datetime.timedelta(days=30)
    numbers, n = {}, 0
    while day <= last:
        if day.weekday() < 5:
            numbers[day.isoformat()] = n
            n += 1
        day += datetime.timedelta(days=1)
    return numbers


def check(plan: dict, teams: dict, capacity: int) -> list:
    failures = []
    days = day_numbers(plan["start"], plan["end"])
    comps = {c["id"]: c for c in plan["components"]}
    graph = nx.DiGraph()
    graph.add_nodes_from(comps)
    for c in plan["components"]:
        for d in c["depends_on"]:
            graph.add_edge(d, c["id"])
    if not nx.is_directed_acyclic_graph(graph):
        return ["dependency graph has a cycle"]
    shadow, canary = plan["soak"]["shadow"], plan["soak"]["canary"]
    rules = plan["rules"]
    gate = {p["number"]: days[p["gate"]] for p in plan["phases"]}
    t = {}
    for cid, c in comps.items():
        port = days[c["start"]]
        t[cid] = {
            "port": port,
            "ported": port + c["porting_days"],
            "shadow": days[c["shadow_start"]],
            "canary": days[c["canary_start"]],
            "cutover": days[c["end"]],
        }
    for cid, c in comps.items():
        x = t[cid]
        if x["shadow"] != x["ported"]:
            failures.append(f"{cid}: shadow does not start when porting ends")
        if x["canary"] < x["shadow"] + shadow:
            failures.append(f"{cid}: shadow soak shorter than {shadow}d")
        if x["cutover"] != x["canary"] + canary:
            failures.append(f"{cid}: canary soak is not {canary}d")
        if c["phase"] > 1 and x["cutover"] <= gate[c["phase"] - 1]:
            failures.append(f"{cid}: cut over before the gate of phase {c['phase'] - 1}")
        if not rules["overlap"] and c["phase"] > 1 and x["port"] <= gate[c["phase"] - 1]:
            failures.append(f"{cid}: porting before the previous phase's gate")
        if x["cutover"] >= gate[c["phase"]]:
            failures.append(f"{cid}: cut over after its phase's gate")
        for d in graph.predecessors(cid):
            y = t[d]
            if comps[d]["phase"] > c["phase"]:
                failures.append(f"{cid}: phase before its dependency {d}")
            wait = y["ported"] if rules["porting_after"] == "ported" else y["cutover"] + 1
            if x["port"] < wait:
                failures.append(f"{cid}: porting starts before dependency {d} allows")
            if x["canary"] <= y["cutover"]:
                failures.append(f"{cid}: canary while dependency {d} is not at dagger")
    # People, day by day (a sweep over porting intervals).
    load = {}
    for cid, c in comps.items():
        for day in range(t[cid]["port"], t[cid]["ported"]):
            load.setdefault(day, []).append(c["owner"])
    for day, owners in load.items():
        if len(owners) > capacity:
            failures.append(f"day {day}: {len(owners)} porting, capacity {capacity}")
        for team, people in teams.items():
            if owners.count(team) > people:
                failures.append(f"day {day}: {owners.count(team)} of {team} porting, {people} people")
    # The lower bound, recomputed.
    bound = lower_bound(plan, graph, comps, teams, capacity)
    if plan["lower_bound"]["days"] != bound:
        failures.append(f"reported lower bound {plan['lower_bound']['days']} != recomputed {bound}")
    if plan["span_days"] > RATIO_BAR * bound:
        failures.append(f"span {plan['span_days']} > {RATIO_BAR} x lower bound {bound}")
    return failures


def rule_graph(plan, graph, comps) -> nx.DiGraph:
    """The ordering rules as a weighted DAG of events: an edge u -> v with
    weight w means day(v) >= day(u) + w. Events: porting start, canary start,
    gate of each phase, and the end (the day after the last gate)."""
    shadow, canary = plan["soak"]["shadow"], plan["soak"]["canary"]
    ported_rule = plan["rules"]["porting_after"] == "ported"
    phases = sorted({c["phase"] for c in comps.values()})
    events = nx.DiGraph()
    events.add_node("begin")
    for cid, c in comps.items():
        events.add_edge("begin", ("port", cid), weight=0)
        events.add_edge(("port", cid), ("canary", cid), weight=c["porting_days"] + shadow)
        events.add_edge(("canary", cid), ("gate", c["phase"]), weight=canary + 1)
        if c["phase"] > 1:
            # Cutover (canary start + canary soak) after the previous gate.
            events.add_edge(("gate", c["phase"] - 1), ("canary", cid), weight=1 - canary)
            if not plan["rules"]["overlap"]:
                events.add_edge(("gate", c["phase"] - 1), ("port", cid), weight=1)
        for d in graph.predecessors(cid):
            events.add_edge(("canary", d), ("canary", cid), weight=canary + 1)
            if ported_rule:
                events.add_edge(("port", d), ("port", cid), weight=comps[d]["porting_days"])
            else:
                events.add_edge(("canary", d), ("port", cid), weight=canary + 1)
    events.add_edge(("gate", phases[-1]), "end", weight=1)
    return events


def lower_bound(plan, graph, comps, teams, capacity) -> int:
    shadow, canary = plan["soak"]["shadow"], plan["soak"]["canary"]
    overlap = plan["rules"]["overlap"]
    events = rule_graph(plan, graph, comps)
    order = list(nx.topological_sort(events))
    head = {v: 0 for v in order}  # longest path from "begin"
    for v in order:
        for _, w, data in events.out_edges(v, data=True):
            head[w] = max(head[w], head[v] + data["weight"])
    to_end = {v: 0 for v in order}  # longest path to "end"
    for v in reversed(order):
        for _, w, data in events.out_edges(v, data=True):
            to_end[v] = max(to_end[v], data["weight"] + to_end[w])
    chain = head["end"]
    if chain != nx.dag_longest_path_length(events):
        raise AssertionError("longest path disagrees with networkx")
    tail = shadow + canary + 2
    earliest = {c: head[("port", c)] for c in comps}
    phases = sorted({c["phase"] for c in comps.values()})
    bound = max(chain, people_bound(comps.values(), earliest, 0, teams, capacity, tail))
    # All porting of phases up to N ends, soaks and cuts over before gate N;
    # the longest chain from gate N to the end follows.
    for phase in phases:
        done = [c for c in comps.values() if c["phase"] <= phase]
        for group, people in groups(done, teams, capacity):
            work = sum(c["porting_days"] for c in group)
            if work:
                bound = max(bound, math.ceil(work / people) + tail - 1 + to_end[("gate", phase)])
    if not overlap:
        # Phases in strict sequence: each spans at least its own chain and
        # its own people bound.
        phased = 0
        for phase in phases:
            start = head[("gate", phase - 1)] + 1 if phase > 1 else 0
            members = [c for c in comps.values() if c["phase"] == phase]
            people = people_bound(members, earliest, start, teams, capacity, tail)
            phased += max(head[("gate", phase)] + 1 - start, people)
        bound = max(bound, phased)
    return bound


def groups(members, teams, capacity):
    """Each team's components with its people, then everyone with the capacity."""
    members = list(members)
    out = [([c for c in members if c["owner"] == team], n) for team, n in teams.items()]
    out.append((members, capacity))
    return out


def people_bound(members, earliest, origin, teams, capacity, tail) -> int:
    """For each team and for everyone over the capacity: the porting that
    cannot start before day t needs work/people days after t, then the tail."""
    bound = 0
    for group, people in groups(members, teams, capacity):
        if not any(c["porting_days"] for c in group):
            continue
        for t in {earliest[c["id"]] - origin for c in group}:
            work = sum(c["porting_days"] for c in group if earliest[c["id"]] - origin >= t)
            bound = max(bound, t + math.ceil(work / people) + tail)
    return bound


def main() -> int:
    binary, work = sys.argv[1], Path(sys.argv[2])
    failed = False
    for count in map(int, sys.argv[3:]):
        for seed in range(int(__import__('os').environ.get('PLAN_CHECK_SEEDS', '3'))):
            text, teams, capacity = generate(count, seed)
            spec = work / f"gen-{count}-{seed}.yaml"
            spec.write_text(text)
            out = subprocess.run([binary, "plan", "--format", "json", str(spec)], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{spec.name}: cutover failed: {out.stderr}")
                failed = True
                continue
            plan = json.loads(out.stdout)
            failures = check(plan, teams, capacity)
            ratio = plan["span_days"] / plan["lower_bound"]["days"]
            status = "ok" if not failures else "FAILED"
            print(f"{spec.name}: {count} components, span {plan['span_days']}d, lower bound {plan['lower_bound']['days']}d, ratio {ratio:.3f}: {status}")
            for f in failures[:20]:
                print(f"  {f}")
            failed |= bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
