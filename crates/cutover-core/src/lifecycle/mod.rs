//! The migration lifecycle of a component: its [`Mode`], which moves are
//! legal, and what a move acts on. Pure rules, a leaf of the crate: it
//! imports only the spec's vocabulary; the operations (`ops`) apply the
//! rules and the store persists them.

mod mode;
mod target;
mod transition;

pub use mode::{Mode, ModeState, Side, UnknownMode};
pub use target::Target;
pub use transition::{Direction, TransitionError, TransitionRequest, check_transition};
