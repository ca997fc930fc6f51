//! The impact of the migration on ongoing development, per owner team:
//! which CI jobs change and when (the plan's dates per mode), the extra wall
//! time a job takes while its component is in shadow (from the audit's
//! forecast over recorded runs), what developers must change while both
//! definitions live, and when the legacy definitions are frozen and
//! removed. Reads the spec, the plan and, when one exists, the store.

mod development_impact;
mod job;

pub use development_impact::{DevelopmentImpact, TeamImpact, development_impact};
pub use job::{JobImpact, WallTime};
