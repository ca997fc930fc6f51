#!/usr/bin/env python3
"""Baseline for bench/plan.sh: what a short networkx script does with the
same spec — parse it with PyYAML's libyaml loader, build the dependency
graph, compute its layers (topological generations) and the longest path
weighted by effort — and print a small JSON summary."""

import json
import sys

import networkx as nx
import yaml


def days(text) -> int:
    text = str(text)
    if text.endswith("w"):
        return int(text[:-1]) * 5
    return int(text.rstrip("d"))


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=yaml.CLoader)
    graph = nx.DiGraph()
    for component in spec["components"]:
        graph.add_node(component["id"], effort=days(component["effort"]))
        for dependency in component.get("depends_on", []):
            graph.add_edge(dependency, component["id"])
    for u, v in graph.edges:
        graph.edges[u, v]["weight"] = graph.nodes[v]["effort"]
    layers = [sorted(layer) for layer in nx.topological_generations(graph)]
    path = nx.dag_longest_path(graph, weight="weight")
    json.dump({"layers": len(layers), "longest_path": path}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
