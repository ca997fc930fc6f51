//! Dependency-graph algorithms over components: cycles, topological order,
//! longest paths. Works on plain indices; knows nothing of YAML or dates.

mod dependency_graph;

pub use dependency_graph::DependencyGraph;
