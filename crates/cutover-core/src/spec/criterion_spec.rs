//! [`CriterionSpec`]: a gate entry, written either as a bare expression
//! (`- parity >= 0.99`) or as a mapping with options:
//!
//! ```yaml
//! - expr: dagger.p95_duration <= 1.1 * legacy.p95_duration
//!   enforce: false        # observe only (also `dry_run: true`)
//!   window: 50 runs       # or `7d`; default: since the current mode began
//! ```
//!
//! Deserialized by hand (a string or a map) rather than with
//! `serde(untagged)`, which would lose the locations that errors point at.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// One gate criterion as written.
#[derive(Debug, Clone)]
pub struct CriterionSpec {
    /// The expression.
    pub expr: String,
    /// Where the expression is, when written inside a mapping.
    pub expr_at: Option<Location>,
    /// `enforce: false` makes it observe-only.
    pub enforce: Option<bool>,
    /// `dry_run: true` is the same as `enforce: false`.
    pub dry_run: Option<bool>,
    /// Evaluation window.
    pub window: Option<Spanned<String>>,
}

const FIELDS: [&str; 4] = ["expr", "enforce", "dry_run", "window"];

impl<'de> Deserialize<'de> for CriterionSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CriterionVisitor;
        impl<'de> Visitor<'de> for CriterionVisitor {
            type Value = CriterionSpec;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a criterion such as `parity >= 0.99`, or a mapping with `expr`")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<CriterionSpec, E> {
                Ok(CriterionSpec {
                    expr: value.to_owned(),
                    expr_at: None,
                    enforce: None,
                    dry_run: None,
                    window: None,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CriterionSpec, A::Error> {
                let mut expr: Option<Spanned<String>> = None;
                let (mut enforce, mut dry_run, mut window) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "expr" => expr = Some(map.next_value()?),
                        "enforce" => enforce = Some(map.next_value()?),
                        "dry_run" => dry_run = Some(map.next_value()?),
                        "window" => window = Some(map.next_value()?),
                        other => return Err(de::Error::unknown_field(other, &FIELDS)),
                    }
                }
                let expr = expr.ok_or_else(|| de::Error::missing_field("expr"))?;
                Ok(CriterionSpec {
                    expr: expr.value,
                    expr_at: Some(expr.referenced),
                    enforce,
                    dry_run,
                    window,
                })
            }
        }
        deserializer.deserialize_any(CriterionVisitor)
    }
}

impl JsonSchema for CriterionSpec {
    fn schema_name() -> Cow<'static, str> {
        "Criterion".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A criterion: an expression such as `dagger.success_rate >= legacy.success_rate`, or a mapping with `expr`, `enforce`/`dry_run` and `window` (`7d` or `50 runs`).",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "expr": { "type": "string" },
                        "enforce": { "type": "boolean" },
                        "dry_run": { "type": "boolean" },
                        "window": { "type": "string" }
                    },
                    "required": ["expr"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
