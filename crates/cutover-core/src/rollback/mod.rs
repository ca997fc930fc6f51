//! Rollback as a first-class, tested operation.
//!
//! - [`snapshot`]: before every mode change, the component's mode and its
//!   preserved paths (`preserve:` and `rollback.preserve:`) are saved,
//!   content-addressed under `.cutover/snapshots/objects/` (deduplicated by
//!   digest), with a manifest in the store.
//! - [`procedure`]: a rollback restores the latest restore point (or the one
//!   left when leaving `--to MODE`), dependents first, verified by digest,
//!   under a journal so a crash at any step completes on the next invocation.
//! - [`triggers`]: criteria watched after every run and by `cutover watch`;
//!   they roll back automatically or open a decision point.
//! - [`drill`]: the same rollback on a copy, with legacy acceptance tests and
//!   the measured time to roll back.

pub mod drill;
mod failpoint;
pub mod procedure;
pub mod snapshot;
pub mod triggers;

pub use failpoint::{FAILPOINT_VARIABLE, failpoint};
pub use procedure::{
    RollbackContext, RollbackError, RollbackRequest, execute_rollback, plan_rollback,
    resume_rollbacks,
};
pub use snapshot::{ObjectStore, preserved_paths, save_paths, take_snapshot};
pub use triggers::{Firing, check_all, check_triggers};
