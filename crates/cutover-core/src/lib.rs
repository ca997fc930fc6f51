//! The library behind `cutover`: reads a migration spec, validates it, and
//! derives the phased migration plan from it.
//!
//! Data flows one way: [`spec`] (parse and validate) → [`graph`] (dependency
//! algorithms) → [`plan`] (phases, schedule, critical path) → [`report`]
//! (documents). Nothing in this crate prints; the `cutover` binary owns all
//! output.

pub mod graph;
pub mod plan;
pub mod report;
pub mod spec;
pub mod text;
