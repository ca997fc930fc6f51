//! [`DependencyGraph`]: components as nodes, "depends on" as edges.

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// The dependency graph of a migration, indexed like its component list.
///
/// An edge `d → c` means `c` depends on `d`, so a topological order lists
/// dependencies before their dependents.
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    graph: DiGraph<(), ()>,
    dependencies: Vec<Vec<usize>>,
    dependents: Vec<Vec<usize>>,
    /// The topological order, computed once (planning asks several times).
    order: std::sync::OnceLock<Option<Vec<usize>>>,
}

impl DependencyGraph {
    /// Builds the graph from each node's dependency list.
    pub fn new(dependencies: Vec<Vec<usize>>) -> Self {
        let count = dependencies.len();
        let edge_count = dependencies.iter().map(Vec::len).sum();
        let mut graph = DiGraph::with_capacity(count, edge_count);
        for _ in 0..count {
            graph.add_node(());
        }
        let mut dependents = vec![Vec::new(); count];
        for (node, deps) in dependencies.iter().enumerate() {
            for &dependency in deps {
                graph.add_edge(NodeIndex::new(dependency), NodeIndex::new(node), ());
                dependents[dependency].push(node);
            }
        }
        DependencyGraph {
            graph,
            dependencies,
            dependents,
            order: std::sync::OnceLock::new(),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.dependencies.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.dependencies.is_empty()
    }

    /// What `node` depends on.
    pub fn dependencies(&self, node: usize) -> &[usize] {
        &self.dependencies[node]
    }

    /// What depends on `node`.
    pub fn dependents(&self, node: usize) -> &[usize] {
        &self.dependents[node]
    }

    /// Dependencies before dependents, or `None` when there is a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        self.order
            .get_or_init(|| {
                toposort(&self.graph, None)
                    .ok()
                    .map(|order| order.into_iter().map(NodeIndex::index).collect())
            })
            .clone()
    }

    /// One cycle per strongly connected component that has one, each as the
    /// path `[a, b, c]` where `a` depends on `b`, `b` on `c` and `c` on `a`.
    /// Cycles are ordered by their smallest node, each starting from it.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let mut cycles: Vec<Vec<usize>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter_map(|component| {
                let members: Vec<usize> = component.iter().map(|n| n.index()).collect();
                let start = *members.iter().min()?;
                if members.len() == 1 && !self.dependencies[start].contains(&start) {
                    return None;
                }
                self.cycle_within(start, &members)
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// A shortest dependency path from `start` back to itself inside one
    /// strongly connected component (breadth-first, so reports stay short).
    fn cycle_within(&self, start: usize, members: &[usize]) -> Option<Vec<usize>> {
        let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
        let mut previous: std::collections::HashMap<usize, usize> = Default::default();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let mut next: Vec<usize> = self.dependencies[node]
                .iter()
                .copied()
                .filter(|d| inside.contains(d))
                .collect();
            next.sort_unstable();
            for dependency in next {
                if dependency == start {
                    let mut path = vec![node];
                    while let Some(&before) = previous.get(path.last()?) {
                        path.push(before);
                    }
                    path.reverse();
                    return Some(path);
                }
                if dependency != start && !previous.contains_key(&dependency) {
                    previous.insert(dependency, node);
                    queue.push_back(dependency);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_no_cycle_in_a_dag() {
        let graph = DependencyGraph::new(vec![vec![], vec![0], vec![0, 1]]);
        assert!(graph.cycles().is_empty());
        assert_eq!(graph.topological_order(), Some(vec![0, 1, 2]));
        assert_eq!(graph.dependents(0), &[1, 2]);
    }

    #[test]
    fn reports_each_cycle_as_a_path() {
        // 0 -> 1 -> 2 -> 0, and 3 depends on itself.
        let graph = DependencyGraph::new(vec![vec![1], vec![2], vec![0], vec![3]]);
        assert_eq!(graph.cycles(), vec![vec![0, 1, 2], vec![3]]);
        assert_eq!(graph.topological_order(), None);
    }
}
