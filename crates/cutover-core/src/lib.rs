//! The library behind `cutover`: reads a migration spec, validates it,
//! derives the phased migration plan, and runs the migration's operations.
//! Nothing in this crate prints; the `cutover` binary owns all output.
//!
//! Layers, each importing only those below it:
//! 1. Vocabulary: [`spec`], [`lifecycle`] (modes and legal moves — a pure
//!    leaf), [`event`] (the typed audit trail), [`graph`], [`text`], [`fs`]
//!    (including path confinement), [`random`], [`failpoint`],
//!    [`process_identity`].
//! 2. Engines: [`plan`], [`criteria`], [`exec`], [`store`] (the only SQL; one
//!    seam for more backends), [`snapshot`], [`report`], [`gate`],
//!    [`status`], [`testing`], [`benchmark`], [`spool`] (run records kept
//!    on the runner until the store has them), [`comms`] (events become
//!    messages; channels deliver them).
//! 3. Operations, each on a [`workspace::Workspace`]: [`ops`] (advance,
//!    rollback, decide, evaluate a gate), [`router`] (run), [`rollback`]
//!    (the journaled procedure, triggers, drills), [`docs`], and what
//!    `cutover serve` reads: [`dashboard`] (the migration at a glance) and
//!    [`flags`] (the modes as feature flags, by `run`'s routing rule).

pub mod agenda;
pub mod audit;
pub mod benchmark;
pub mod calibrate;
pub mod capability;
pub mod ci;
pub mod comms;
pub mod criteria;
pub mod dashboard;
pub mod docs;
pub mod doctor;
pub mod event;
pub mod exec;
pub mod failpoint;
pub mod flags;
pub mod fs;
pub mod gate;
pub mod graph;
pub mod impact;
pub mod import;
pub mod legacy;
pub mod lifecycle;
pub mod mode_file;
pub mod modes;
pub mod ops;
pub mod plan;
pub mod process_identity;
pub mod random;
pub mod report;
pub mod retention;
pub mod rollback;
pub mod router;
pub mod scaffold;
pub mod snapshot;
pub mod spec;
pub mod spool;
pub mod status;
pub mod store;
pub mod testing;
pub mod text;
pub mod training;
pub mod units;
pub mod workspace;
