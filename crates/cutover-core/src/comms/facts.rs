//! [`Facts`]: what messages are composed from — the spec, its plan (built
//! once, when first needed) and how actions are offered — and the views of
//! components and phases messages show.

use std::sync::OnceLock;

use jiff::Timestamp;

use super::actions::LinkSigner;
use super::context::{ComponentView, PhaseView};
use crate::plan::{Plan, build_plan};
use crate::spec::Migration;

/// The spec and its plan, as message composition reads them.
#[derive(Debug)]
pub struct Facts {
    migration: Migration,
    plan: OnceLock<Option<Plan>>,
    /// For documents: no signed links (a document must not carry live
    /// ones), and keys derived from what a message is (stable text).
    pub(super) for_documents: bool,
}

impl Facts {
    /// The facts of `migration`.
    pub fn new(migration: Migration) -> Facts {
        Facts {
            migration,
            plan: OnceLock::new(),
            for_documents: false,
        }
    }

    /// The spec.
    pub fn migration(&self) -> &Migration {
        &self.migration
    }

    /// The plan, built on first use (`None` if the spec cannot be planned).
    pub fn plan(&self) -> Option<&Plan> {
        self.plan
            .get_or_init(|| build_plan(&self.migration).ok())
            .as_ref()
    }

    /// What signs action links at `now` (nothing, for documents).
    pub fn signer(&self, now: Timestamp) -> LinkSigner {
        if self.for_documents {
            return LinkSigner::disabled(now);
        }
        LinkSigner::from_settings(&self.migration.communication.links, now)
    }

    /// A component as messages show it.
    pub fn component_view(&self, index: usize) -> ComponentView {
        let component = &self.migration.components[index];
        ComponentView {
            id: component.id.clone(),
            name: component.name.clone(),
            owner: component.owner.clone(),
            phase: self.plan().map(|p| p.components[index].phase),
            ..ComponentView::default()
        }
    }

    /// Phase `number` as messages show it.
    pub fn phase_view(&self, number: u32) -> Option<PhaseView> {
        let phase = self.plan()?.phases.iter().find(|p| p.number == number)?;
        Some(PhaseView {
            number,
            name: phase.name.clone(),
            start: phase.start.to_string(),
            end: phase.end.to_string(),
            retirement: Some(phase.retirement.to_string()),
            components: phase
                .components
                .iter()
                .map(|&i| self.migration.components[i].id.clone())
                .collect(),
        })
    }
}
