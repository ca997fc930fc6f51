//! The training plan: per owner team, the Dagger concepts its components
//! need (derived from what they use: secrets, services, caches, exported
//! outputs, side effects, other teams' modules, and the legacy features of
//! the capability table), the date each is needed by, and suggested
//! sessions. Reads the spec and the plan; never the store.

mod concept;
mod invitation;
mod need;
mod session;
mod training_plan;

pub use concept::{Concept, Use, concepts};
pub use invitation::{invitation, invitations};
pub use need::{ConceptNeed, ConceptUse};
pub use session::{SESSION_HOURS, SESSION_SPREAD_DAYS, Session, hours_text};
pub use training_plan::{
    Invitee, LEAD_TIME_DAYS, TeamTraining, TrainingPlan, invitees, training_plan,
};
