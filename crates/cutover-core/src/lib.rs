//! The library behind `cutover`: reads a migration spec, validates it, and
//! derives the phased migration plan from it.
//!
//! Data flows one way: [`spec`] (parse and validate) → [`graph`] (dependency
//! algorithms) → [`plan`] (phases, schedule, critical path) → [`report`]
//! (documents); and [`spec`] → [`router`] (which side runs, per
//! [`lifecycle`] mode) → [`exec`] (processes, parity) → [`store`] (the only
//! SQL). Nothing in this crate prints; the `cutover` binary owns all output.

pub mod audit;
pub mod benchmark;
pub mod capability;
pub mod ci;
pub mod criteria;
pub mod docs;
pub mod doctor;
pub mod exec;
pub mod gate;
pub mod graph;
pub mod import;
pub mod legacy;
pub mod lifecycle;
pub mod plan;
pub mod random;
pub mod report;
pub mod rollback;
pub mod router;
pub mod scaffold;
pub mod spec;
pub mod status;
pub mod store;
pub mod testing;
pub mod text;
