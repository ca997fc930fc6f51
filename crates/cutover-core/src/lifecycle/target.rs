//! [`Target`]: what `advance`, `rollback`, `gate` and `test` act on.

use crate::spec::ComponentRef;

/// One component, or every component of a phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One component.
    Component(ComponentRef),
    /// A phase number and its members in start order.
    Phase(u32, Vec<ComponentRef>),
}

impl Target {
    /// The components acted on.
    pub fn components(&self) -> Vec<ComponentRef> {
        match self {
            Target::Component(c) => vec![*c],
            Target::Phase(_, members) => members.clone(),
        }
    }
}
