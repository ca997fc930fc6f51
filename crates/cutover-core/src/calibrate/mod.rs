//! Calibration: learning what varies between two runs of the same legacy
//! command, as `normalize` rules ([`Learner`]), and writing them into the
//! spec ([`add_normalize_rules`]). Pure engines: the operation that runs the
//! legacy side is [`crate::ops::calibrate`].

mod learn;
mod spec_edit;

pub use learn::{Learned, Learner, NoiseRule, Unexplained};
pub use spec_edit::{SpecEditError, add_normalize_rules};
