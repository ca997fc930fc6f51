//! [`secret_values`]: the one source of the values to redact.

use crate::spec::Component;

/// The current values of the environment variables the components declare
/// under `secrets:` (empty values skipped): what must never reach a log,
/// a record or a document.
pub fn secret_values<'a>(components: impl IntoIterator<Item = &'a Component>) -> Vec<String> {
    let mut values: Vec<String> = components
        .into_iter()
        .flat_map(|c| c.secrets.iter())
        .filter_map(|name| std::env::var(name).ok())
        .filter(|value| !value.is_empty())
        .collect();
    values.sort();
    values.dedup();
    values
}
