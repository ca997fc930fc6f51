//! Rollback as a first-class, tested operation, on a [`crate::workspace::Workspace`].
//!
//! - [`procedure`]: a rollback restores the latest restore point (or the one
//!   left when leaving `--to MODE`), dependents first, verified by digest,
//!   under a journal so a crash at any step completes on the next invocation.
//!   Snapshots themselves are the shared [`crate::snapshot`] module.
//! - [`triggers`]: criteria watched after every run and by `cutover watch`;
//!   they roll back automatically or open a decision point.
//! - [`drill`]: the same rollback on a copy, with legacy acceptance tests and
//!   the measured time to roll back.

pub mod drill;
pub mod procedure;
pub mod triggers;

pub use procedure::{
    RollbackError, RollbackRequest, execute_rollback, plan_rollback, resume_rollbacks,
};
pub use triggers::{Firing, check_all, check_triggers};
