//! [`ComponentRef`]: a component of a [`Migration`], by position.

use super::model::{Component, Migration};

/// A component of one [`Migration`]. Made only from an id the spec has (or
/// from a plan of the same spec), so an unknown id is an error where it is
/// looked up — never a silent component 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentRef(usize);

impl ComponentRef {
    /// Its position in [`Migration::components`] (and in a plan of the spec).
    pub fn index(self) -> usize {
        self.0
    }

    /// The component at a position the plan of the same spec produced.
    pub(crate) fn from_plan(index: usize) -> ComponentRef {
        ComponentRef(index)
    }
}

impl Migration {
    /// The component with this id, if the spec has one.
    pub fn component_ref(&self, id: &str) -> Option<ComponentRef> {
        self.components
            .iter()
            .position(|c| c.id == id)
            .map(ComponentRef)
    }

    /// The component referred to. `reference` must come from this spec.
    pub fn component(&self, reference: ComponentRef) -> &Component {
        &self.components[reference.0]
    }

    /// Every component, in spec order.
    pub fn component_refs(&self) -> impl Iterator<Item = ComponentRef> + use<> {
        (0..self.components.len()).map(ComponentRef)
    }
}
