//! The migration lifecycle of a component: its [`Mode`], which moves are
//! legal, and who moved it when and why. Pure rules; the store persists them.

mod change;
mod mode;
mod target;
mod transition;

pub use change::{ChangeError, ChangeRequest, ModeChange, change_modes};
pub use mode::{Mode, ModeState, Side, UnknownMode};
pub use target::{Target, TargetError, resolve_target};
pub use transition::{Direction, TransitionError, TransitionRequest, check_transition};
