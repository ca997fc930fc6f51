//! The migration spec (`migration.yaml`): its wire format, its validated
//! model, and the two passes between them.
//!
//! - [`load`] owns the *parse* pass: YAML syntax, types, unknown keys and
//!   missing fields, reported by serde-saphyr with their location.
//! - [`validate`] owns the *validate* pass: ids, references, cycles, phase
//!   pins, durations, dates and calendar names, all reported at once;
//!   [`communication`] checks the stakeholder sections the same way.
//!
//! The result is a [`Migration`], which every later module consumes.

pub mod communication;
pub mod comparison;
pub mod component_ref;
pub mod criterion_spec;
pub mod diagnostic;
pub mod duration;
pub mod edit;
pub mod load;
pub mod model;
pub mod output_spec;
mod recover;
pub mod schema;
pub mod side_settings;
pub mod validate;
pub mod wire;

pub use communication::model::{
    Cadence, Channel, ChannelKind, Communication, EmailChannel, EscalationLevel, FileChannel,
    Group, Interests, Links, Raci, SmtpTls, Stakeholder, StatusSchedule, WebhookChannel,
    WebhookFormat,
};
pub use comparison::{Comparison, MemberComparison, ParitySettings, wildcard_match};
pub use component_ref::ComponentRef;
pub use diagnostic::{SpecDiagnostic, SpecErrors};
pub use duration::{WallDuration, WorkDays};
pub use load::{load_spec, parse_spec};
pub use model::{
    AcceptanceTest, Calendar, Component, ComponentKind, Criterion, DEFAULT_TRIGGER_MODES, Defaults,
    Implementation, Migration, PhaseSettings, Planning, PortingAfter, Retention, Risk,
    RollbackSettings, Trigger, TriggerAction, TriggerMode, Window,
};
pub use side_settings::{ShadowTiming, WorkspaceMode};
