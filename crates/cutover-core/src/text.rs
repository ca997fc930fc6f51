//! Small helpers that make messages read well without colour: plurals and
//! English lists ("`a`, `b`, and `c`").

/// Returns `"1 component"` / `"2 components"`: a count with its noun
/// (`dependency` becomes `dependencies`).
pub fn count(n: usize, singular: &str) -> String {
    if n == 1 {
        return format!("1 {singular}");
    }
    match singular.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n} {stem}ies"),
        _ if singular.ends_with("ch") || singular.ends_with("sh") || singular.ends_with('x') => {
            format!("{n} {singular}es")
        }
        _ => format!("{n} {singular}s"),
    }
}

/// Joins items as an English list of backticked names: "`a`, `b`, and `c`".
pub fn backtick_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// The candidate closest to `word`, if any is close enough to be a likely typo.
pub fn suggestion<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3) && *distance > 0)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Writes a unit enum variant as its serde name (`mode_advanced`, `match`):
/// the one spelling of such a value, shared by JSON and text output.
pub fn write_serde_name<T: serde::Serialize>(
    value: &T,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => f.write_str(&name),
        _ => Err(std::fmt::Error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(backtick_list(&["a"]), "`a`");
        assert_eq!(backtick_list(&["a", "b"]), "`a` and `b`");
        assert_eq!(backtick_list(&["a", "b", "c"]), "`a`, `b`, and `c`");
        assert_eq!(count(1, "phase"), "1 phase");
        assert_eq!(count(3, "phase"), "3 phases");
        assert_eq!(count(2, "mismatch"), "2 mismatches");
        assert_eq!(count(2, "dependency"), "2 dependencies");
        assert_eq!(count(2, "day"), "2 days");
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["depends_on", "owner", "effort"];
        assert_eq!(suggestion("dependson", keys), Some("depends_on"));
        assert_eq!(suggestion("efort", keys), Some("effort"));
        assert_eq!(suggestion("zzzzzzzz", keys), None);
    }
}
