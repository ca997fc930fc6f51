//! [`ConceptNeed`]: one concept a team needs, by when, and for which of
//! its components — what sessions are grouped from.

use jiff::civil::Date;
use serde::Serialize;

/// One concept a team needs.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptNeed {
    /// Concept id.
    pub concept: String,
    /// Its title.
    pub title: String,
    /// What is learnt.
    pub learn: String,
    /// Suggested teaching time.
    pub hours: f64,
    /// Needed by every component (a foundation).
    pub foundation: bool,
    /// The date it is needed by: the lead time before `first_shadow`.
    pub needed_by: Date,
    /// The first component needing it to enter shadow.
    pub first_component: String,
    /// The day that component enters shadow.
    pub first_shadow: Date,
    /// Whether `needed_by` falls before the migration starts.
    pub before_start: bool,
    /// Each component needing it, with why.
    pub components: Vec<ConceptUse>,
}

/// One component's use of a concept.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptUse {
    /// Component id.
    pub component: String,
    /// The day it enters shadow.
    pub shadow_start: Date,
    /// What in it calls for the concept.
    pub reasons: Vec<String>,
}
