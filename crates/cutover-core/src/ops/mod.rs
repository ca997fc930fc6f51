//! Operations: one function per thing a user does, each on a
//! [`crate::workspace::Workspace`], returning a typed result. The faces (the
//! CLI today, the server next) parse, call one of these, and render.
//!
//! - [`advance`]: gated, snapshotted steps forward.
//! - [`rollback`]: resumes interrupted rollbacks, then rolls back (or drills).
//! - [`decide`]: closes a decision point, executing a decided rollback.
//! - [`evaluate_gate`]: evaluates a gate and records the result.
//! - [`sync`]: writes the store's overrides into the mode file, clears them.
//! - [`calibrate`]: learns the legacy side's own noise; [`noise_net`] counts
//!   mismatches only that noise explains.
//! - [`restore_snapshot`]: brings a snapshot's files back, saving the current ones.
//! - [`gc`]: prunes captured run files and snapshot contents retention lets go.
//! - [`comms`]: send, acknowledge, escalate, announce — the stakeholder outbox.
//! - [`record_test_failures`]: failed tests as one event that notifies.
//! - `run` lives in [`crate::router`], triggers in [`crate::rollback::triggers`].

mod advance;
mod calibrate;
mod change;
pub mod comms;
mod decide;
mod drift;
mod gate;
mod gc;
mod noise;
mod restore;
mod retire;
mod rollback;
mod sync;
mod tests;

pub use advance::advance;
pub use calibrate::{CalibrateError, CalibrateRequest, Calibration, calibrate, calibrated_noise};
pub use change::{ChangeError, ChangeRequest, ModeChange};
pub use decide::{DecideError, decide};
pub use drift::{DriftError, DriftReport, FileDrift, acknowledge_drift, drift_report};
pub use gate::{EvaluatedGate, evaluate_gate};
pub use gc::{GcError, GcReport, gc, prune_runs_after_run};
pub use noise::{NoiseNet, noise_net};
pub use restore::{RestoreError, Restored, restore_snapshot};
pub use rollback::{Performed, RestoredFiles, RollbackOutcome, rollback};
pub use sync::{SyncError, SyncReport, sync};
pub use tests::record_test_failures;
