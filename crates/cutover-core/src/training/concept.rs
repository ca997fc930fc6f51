//! The concept table: each Dagger concept a team may need, and what in a
//! component calls for it — a spec field ([`Use`]) or a legacy feature of
//! the capability table. The table is data (`data/training.yaml`,
//! embedded); this module loads it and tells which concepts a component
//! needs, and why.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::spec::{Component, ComponentKind, Migration};

const TABLE: &str = include_str!("../../data/training.yaml");

/// A spec field that calls for a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// Every component.
    Every,
    /// `secrets:` names a variable.
    Secrets,
    /// `outputs:` declares compared files.
    Outputs,
    /// `side_effects: true`.
    SideEffects,
    /// `kind: service`.
    Service,
    /// A dependency is owned by another team.
    OtherTeam,
}

/// One row of the concept table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    /// Stable identifier (used in calendar UIDs).
    pub id: String,
    /// Title, as a session agenda names it.
    pub title: String,
    /// What the team learns.
    pub learn: String,
    /// Suggested teaching time.
    pub hours: f64,
    /// Spec fields that call for it.
    #[serde(default)]
    pub uses: Vec<Use>,
    /// Legacy features that call for it.
    #[serde(default)]
    pub features: Vec<String>,
}

impl Concept {
    /// Whether every component needs it (a foundation).
    pub fn is_foundation(&self) -> bool {
        self.uses.contains(&Use::Every)
    }

    /// Why `component` needs this concept, in words (empty: it does not).
    pub fn reasons(&self, migration: &Migration, component: &Component) -> Vec<String> {
        let mut reasons: Vec<String> = self
            .uses
            .iter()
            .filter_map(|used| use_reason(*used, migration, component))
            .collect();
        if let Some(legacy) = &component.legacy {
            reasons.extend(
                legacy
                    .features
                    .iter()
                    .filter(|f| self.features.contains(f))
                    .map(|f| format!("legacy feature `{f}`")),
            );
        }
        reasons
    }
}

/// Why the spec field `used` calls for a concept in `component`, if it does.
fn use_reason(used: Use, migration: &Migration, component: &Component) -> Option<String> {
    match used {
        Use::Every => Some("every component".to_owned()),
        Use::Secrets => (!component.secrets.is_empty())
            .then(|| format!("secrets {}", crate::text::backtick_list(&component.secrets))),
        Use::Outputs => (!component.outputs.is_empty())
            .then(|| format!("outputs {}", crate::text::backtick_list(&component.outputs))),
        Use::SideEffects => component
            .side_effects
            .then(|| "side effects (deploys or publishes)".to_owned()),
        Use::Service => (component.kind == ComponentKind::Service).then(|| "a service".to_owned()),
        Use::OtherTeam => {
            let others: Vec<String> = component
                .depends_on
                .iter()
                .map(|&d| &migration.components[d])
                .filter(|d| d.owner != component.owner)
                .map(|d| format!("`{}` ({})", d.id, d.owner))
                .collect();
            (!others.is_empty()).then(|| format!("depends on {}", others.join(", ")))
        }
    }
}

static CONCEPTS: LazyLock<Vec<Concept>> = LazyLock::new(|| {
    // The table ships inside the binary and a unit test parses it, so a
    // broken table cannot reach a user; an empty table is the safe fallback.
    serde_saphyr::from_str(TABLE).unwrap_or_default()
});

/// Every concept, in teaching order.
pub fn concepts() -> &'static [Concept] {
    &CONCEPTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_with_unique_ids_and_known_features() {
        let parsed: Vec<Concept> = serde_saphyr::from_str(TABLE).expect("test input");
        assert!(parsed.len() >= 10);
        let mut ids: Vec<&str> = parsed.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), parsed.len(), "an id is listed twice");
        let known: Vec<&str> = crate::capability::table()
            .iter()
            .map(|c| c.feature.as_str())
            .collect();
        for concept in &parsed {
            assert!(concept.hours > 0.0, "{}", concept.id);
            assert!(
                !concept.uses.is_empty() || !concept.features.is_empty(),
                "{} is never needed",
                concept.id
            );
            for feature in &concept.features {
                assert!(
                    known.contains(&feature.as_str()),
                    "unknown feature {feature}"
                );
            }
        }
        // Foundations come first, so they are taught first on the same day.
        let first_specific = parsed.iter().position(|c| !c.is_foundation());
        assert!(
            parsed
                .iter()
                .skip(first_specific.unwrap_or(parsed.len()))
                .all(|c| !c.is_foundation())
        );
    }
}
