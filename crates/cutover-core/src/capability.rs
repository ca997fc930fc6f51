//! The capability table: which Dagger capability covers each legacy CI
//! feature, how well, what to do instead, and what it costs to port. The
//! table is data (`data/capabilities.yaml`, embedded); this module only
//! loads it and answers questions about features. Used by `import` (effort
//! estimates), `audit` and `scaffold` (which steps to wrap).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const TABLE: &str = include_str!("../data/capabilities.yaml");

/// How well Dagger covers a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// Dagger does it; the scaffold converts it.
    Supported,
    /// Stays in the CI system; nothing to port.
    Ci,
    /// Dagger does part of it; a person finishes the port.
    Partial,
    /// No Dagger counterpart; a person ports it (the scaffold wraps it).
    Manual,
}

impl Support {
    /// The word used in tables and JSON.
    pub fn label(self) -> &'static str {
        match self {
            Support::Supported => "supported",
            Support::Ci => "stays in CI",
            Support::Partial => "partial",
            Support::Manual => "manual",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// The legacy feature, as recorded in `legacy.features`.
    pub feature: String,
    /// The Dagger capability that covers it.
    pub dagger: String,
    /// How well.
    pub support: Support,
    /// Extra porting work days.
    pub effort: f64,
    /// What to do instead.
    pub instead: String,
    /// Whether the scaffold wraps the legacy command rather than converting.
    #[serde(default)]
    pub wrap: bool,
}

static CAPABILITIES: LazyLock<Vec<Capability>> = LazyLock::new(|| {
    // The table ships inside the binary and a unit test parses it, so a
    // broken table cannot reach a user; an empty table is the safe fallback.
    serde_saphyr::from_str(TABLE).unwrap_or_default()
});

/// Every row of the table, in file order.
pub fn table() -> &'static [Capability] {
    &CAPABILITIES
}

/// The row for `feature`, or a row saying it is unknown.
pub fn lookup(feature: &str) -> Capability {
    table()
        .iter()
        .find(|c| c.feature == feature)
        .cloned()
        .unwrap_or_else(|| Capability {
            feature: feature.to_owned(),
            dagger: "(not in the capability table)".into(),
            support: Support::Partial,
            effort: 0.5,
            instead: "review by hand; add the feature to the capability table".into(),
            wrap: false,
        })
}

/// Work days to port a component that uses `features` (at least 1, whole days).
pub fn estimate_days(features: &[String]) -> u32 {
    let base = 0.5;
    let total: f64 = base + features.iter().map(|f| lookup(f).effort).sum::<f64>();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "small positive sums"
    )]
    let days = total.ceil() as u32;
    days.max(1)
}

/// The worst support level among `features` (`Supported` for none).
pub fn overall(features: &[String]) -> Support {
    features
        .iter()
        .map(|f| lookup(f).support)
        .filter(|s| *s != Support::Ci)
        .max()
        .unwrap_or(Support::Supported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_each_feature_once() {
        let parsed: Vec<Capability> = serde_saphyr::from_str(TABLE).expect("test input");
        assert!(parsed.len() > 40);
        let mut names: Vec<&str> = parsed.iter().map(|c| c.feature.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a feature is listed twice");
    }

    #[test]
    fn estimates_and_overall_support() {
        assert_eq!(estimate_days(&[]), 1);
        let features = vec![
            "services".to_owned(),
            "secrets".into(),
            "third-party-action".into(),
        ];
        assert_eq!(estimate_days(&features), 3);
        assert_eq!(overall(&features), Support::Manual);
        assert_eq!(overall(&["condition".to_owned()]), Support::Supported);
        assert_eq!(lookup("no-such").support, Support::Partial);
    }
}
