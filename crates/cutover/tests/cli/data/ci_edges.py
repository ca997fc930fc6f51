#!/usr/bin/env python3
"""Independent check of `cutover import`'s dependency edges.

Usage: ci_edges.py github-actions|gitlab CI_FILE SPEC_FILE

Computes, with PyYAML and nothing from cutover, which jobs of CI_FILE wait
for which (GitHub `needs`; GitLab `needs`, else every job of every earlier
stage, after `include: local`, `extends` and `!reference`), reads the spec
that `cutover import` wrote, and compares them for the jobs defined in
CI_FILE:
  - GitHub: the edges must be equal;
  - GitLab: explicit `needs` edges must be equal, every other edge must be a
    stage-order edge, and both graphs must have the same reach (the importer
    writes stage order as its transitive reduction).
Exits 0 when they agree, 1 with the differences otherwise.
"""
import os
import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def _reference(loader, node):
    return ("!reference", loader.construct_sequence(node, deep=True))


Loader.add_constructor("!reference", _reference)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader) or {}


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    out = []
    for item in value:
        out.extend(as_list(item) if isinstance(item, list) else [item])
    return out


def github_edges(path):
    doc = load(path)
    jobs = doc.get("jobs") or {}
    return {name: set(as_list((body or {}).get("needs"))) for name, body in jobs.items()}, {}


def repo_root(path):
    d = os.path.dirname(os.path.abspath(path))
    probe = d
    while probe != os.path.dirname(probe):
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        probe = os.path.dirname(probe)
    return d


def merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    return over


def gitlab_doc(path, root, seen):
    doc = load(path)
    seen.add(os.path.abspath(path))
    includes = doc.get("include")
    merged = {}
    for entry in as_list(includes):
        local = entry if isinstance(entry, str) and "://" not in entry else (entry.get("local") if isinstance(entry, dict) else None)
        if not local:
            continue
        target = os.path.join(root, local.lstrip("./").lstrip("/") if local.startswith("./") else local.lstrip("/"))
        if os.path.isfile(target) and os.path.abspath(target) not in seen:
            merged = merge(merged, gitlab_doc(target, root, seen))
    return merge(merged, doc)


RESERVED = {"image", "services", "stages", "types", "before_script", "after_script", "variables", "cache", "include", "default", "workflow", "spec"}


def resolve(doc, value, depth=0):
    if isinstance(value, tuple) and value and value[0] == "!reference" and depth < 12:
        target = doc
        for part in value[1]:
            target = target.get(part) if isinstance(target, dict) else None
        return resolve(doc, target, depth + 1)
    if isinstance(value, list):
        return [resolve(doc, v, depth) for v in value]
    return value


def extended(doc, body, depth=0):
    parents = as_list(body.get("extends"))
    out = {}
    for p in parents:
        if isinstance(doc.get(p), dict) and depth < 12:
            out = merge(out, extended(doc, doc[p], depth + 1))
    return merge(out, body)


def gitlab_edges(path):
    doc = gitlab_doc(path, repo_root(path), set())
    stages = [".pre"] + [s for s in (doc.get("stages") or ["build", "test", "deploy"]) if s not in (".pre", ".post")] + [".post"]
    jobs = {}
    for name, body in doc.items():
        if not isinstance(name, str) or name.startswith(".") or name in RESERVED or not isinstance(body, dict):
            continue
        jobs[name] = extended(doc, body)
    # A stage missing from `stages:` (its template came from an include that
    # was not followed) takes no part in stage order.
    rank = lambda s: stages.index(s) if s in stages else None
    raw, explicit = {}, {}
    for name, body in jobs.items():
        if "needs" in body:
            needs = set()
            for entry in as_list(resolve(doc, body["needs"])):
                entry = resolve(doc, entry)
                for e in (entry if isinstance(entry, list) else [entry]):
                    if isinstance(e, str):
                        job = e
                    elif isinstance(e, dict) and "project" not in e and "pipeline" not in e:
                        job = e.get("job")
                    else:
                        job = None
                    if job in jobs:
                        needs.add(job)
            raw[name] = needs
            explicit[name] = needs
        else:
            mine = rank(body.get("stage", "test"))
            raw[name] = set() if mine is None else {
                o for o, ob in jobs.items() if rank(ob.get("stage", "test")) is not None and rank(ob.get("stage", "test")) < mine
            }
    return raw, explicit


def closure(edges):
    memo = {}

    def reach(n, stack=()):
        if n in memo:
            return memo[n]
        if n in stack:
            return set()
        out = set()
        for d in edges.get(n, ()):
            out.add(d)
            out |= reach(d, stack + (n,))
        memo[n] = out
        return out

    return {n: reach(n) for n in edges}


def spec_edges(spec_path, ci_path, root):
    spec = load(spec_path)
    shown = os.path.relpath(os.path.abspath(ci_path), root)
    by_id, edges = {}, {}
    for c in spec.get("components") or []:
        origin = (c.get("legacy") or {}).get("origin") or {}
        if origin.get("file") == shown:
            by_id[c["id"]] = (origin.get("file"), origin.get("job"))
    for c in spec.get("components") or []:
        if c["id"] not in by_id:
            continue
        edges[by_id[c["id"]][1]] = {by_id[d][1] for d in c.get("depends_on") or [] if d in by_id}
    return edges


def main():
    system, ci_path, spec_path = sys.argv[1:4]
    root = os.getcwd()
    if system == "github-actions":
        expected, explicit = github_edges(ci_path)
    else:
        expected, explicit = gitlab_edges(ci_path)
    actual = spec_edges(spec_path, ci_path, root)
    problems = []
    if set(actual) != set(expected):
        problems.append(f"jobs differ: only in spec {sorted(set(actual) - set(expected))}, only in CI {sorted(set(expected) - set(actual))}")
    for job in sorted(set(actual) & set(expected)):
        if system == "github-actions" or job in explicit:
            if actual[job] != expected[job]:
                problems.append(f"{job}: spec {sorted(actual[job])} != CI {sorted(expected[job])}")
        elif not actual[job] <= expected[job]:
            problems.append(f"{job}: {sorted(actual[job] - expected[job])} are not earlier-stage jobs")
    if system == "gitlab":
        a, e = closure(actual), closure(expected)
        for job in sorted(set(a) & set(e)):
            if a[job] != e[job]:
                problems.append(f"{job}: reaches {sorted(a[job] ^ e[job])} in only one of spec/CI")
    edges = sum(len(v) for v in actual.values())
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{len(actual)} jobs, {edges} edges agree")


main()
