//! [`add_normalize_rules`]: writes learned rules into a component's
//! `normalize:` list as text, so comments and layout stay; the result must
//! validate before anyone writes it.

use super::learn::NoiseRule;
use crate::spec::edit::component_item;
use crate::spec::parse_spec;

/// Why the rules could not be added.
#[derive(Debug, thiserror::Error)]
pub enum SpecEditError {
    /// No `- id:` item for the component.
    #[error("could not find `- id: {0}` in the spec")]
    NoComponent(String),
    /// A flow list (`normalize: [...]`) with rules in it.
    #[error("the `normalize:` of `{0}` is written as a flow list; paste the rules into it by hand")]
    FlowList(String),
    /// The edited spec does not validate.
    #[error("the edited spec would not validate: {0}")]
    Invalid(String),
}

/// The spec text with `rules` appended to the `normalize:` list of `id`
/// (created at the end of its item when missing). Rules whose pattern the
/// list already has are skipped.
pub fn add_normalize_rules(
    text: &str,
    file_name: &str,
    id: &str,
    rules: &[NoiseRule],
) -> Result<String, SpecEditError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let item = component_item(&lines, id).ok_or_else(|| SpecEditError::NoComponent(id.into()))?;
    let indent = " ".repeat(item.key_column);
    let existing = (item.start + 1..item.end).find(|&i| {
        column(lines[i]) == item.key_column && lines[i].trim_start().starts_with("normalize:")
    });
    let (at, replace_line, item_column) = match existing {
        None => (item.end, false, None),
        Some(key) => {
            let value = lines[key].trim_start()["normalize:".len()..]
                .split(" #")
                .next()
                .unwrap_or_default()
                .trim();
            match value {
                "" => {
                    let (end, items) = list_end(&lines, key, item.end);
                    (end, false, Some(items))
                }
                "[]" => (key, true, None),
                _ => return Err(SpecEditError::FlowList(id.into())),
            }
        }
    };
    let item_indent = item_column.map_or_else(|| format!("{indent}  "), |c| " ".repeat(c));
    let mut inserted = String::new();
    if item_column.is_none() {
        inserted.push_str(&format!("{indent}normalize:\n"));
    }
    for rule in rules {
        let pattern = quoted(&rule.pattern);
        if text.contains(&format!("pattern: {pattern}")) {
            continue;
        }
        inserted.push_str(&format!(
            "{item_indent}- {{ pattern: {pattern}, replace: {} }}\n",
            quoted(&rule.replace)
        ));
    }
    let mut out: String = lines[..at].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&inserted);
    let rest = if replace_line { at + 1 } else { at };
    out.push_str(&lines[rest..].concat());
    parse_spec(file_name, &out).map_err(|errors| {
        SpecEditError::Invalid(
            errors
                .reports()
                .next()
                .map(|r| r.to_string())
                .unwrap_or_default(),
        )
    })?;
    Ok(out)
}

fn column(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A YAML double-quoted scalar (JSON's quoting is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

/// Where the block list under the key at line `key` ends, and the column
/// of its `- ` items (YAML allows them at the key's own column).
fn list_end(lines: &[&str], key: usize, item_end: usize) -> (usize, usize) {
    let content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let key_column = column(lines[key]);
    let first = (key + 1..item_end).find(|&i| content(lines[i]));
    let items = first
        .filter(|&i| lines[i].trim_start().starts_with('-'))
        .map_or(key_column + 2, |i| column(lines[i]));
    let mut end = item_end;
    for (i, line) in lines.iter().enumerate().take(item_end).skip(key + 1) {
        if !content(line) {
            continue;
        }
        let c = column(line);
        if c < items || (c == items && !line.trim_start().starts_with('-')) {
            end = i;
            break;
        }
    }
    while end > key + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    (end, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "version: 1
migration:
  name: m
  start: 2027-01-04
components:
  - id: a   # the first
    kind: job
    owner: me
    effort: 1d
    legacy: { run: ./a.sh }
    normalize:
      # kept
      - { pattern: \"x+\", replace: \"x\" }
    recheck: 1

  - id: b
    kind: job
    owner: me
    effort: 1d
    legacy: { run: ./b.sh }
";

    fn rule(pattern: &str, replace: &str) -> NoiseRule {
        NoiseRule {
            pattern: pattern.into(),
            replace: replace.into(),
            examples: Vec::new(),
        }
    }

    #[test]
    fn appends_to_an_existing_list_keeping_comments() {
        let out = add_normalize_rules(
            SPEC,
            "m.yaml",
            "a",
            &[rule("x+", "x"), rule("id: [0-9a-f]{8}", "id: <id>")],
        )
        .expect("edited");
        assert!(out.contains(
            "      # kept\n      - { pattern: \"x+\", replace: \"x\" }\n      - { pattern: \"id: [0-9a-f]{8}\", replace: \"id: <id>\" }\n    recheck: 1\n"
        ), "{out}");
        assert_eq!(out.matches("x+").count(), 1);
    }

    #[test]
    fn creates_the_list_at_the_end_of_the_item() {
        let out =
            add_normalize_rules(SPEC, "m.yaml", "b", &[rule("[.]", "<dot>")]).expect("edited");
        assert!(out.ends_with(
            "legacy: { run: ./b.sh }\n    normalize:\n      - { pattern: \"[.]\", replace: \"<dot>\" }\n"
        ), "{out}");
        let a = add_normalize_rules(SPEC, "m.yaml", "a", &[rule("[.]", "<dot>")]).expect("a");
        assert!(a.contains("  - id: a   # the first\n"));
    }

    #[test]
    fn refuses_a_flow_list_and_an_unknown_component() {
        let flow = SPEC.replace(
            "normalize:\n      # kept\n      - { pattern: \"x+\", replace: \"x\" }\n",
            "normalize: [{ pattern: \"x+\", replace: \"x\" }]\n",
        );
        assert!(matches!(
            add_normalize_rules(&flow, "m.yaml", "a", &[rule("y", "z")]),
            Err(SpecEditError::FlowList(_))
        ));
        assert!(matches!(
            add_normalize_rules(SPEC, "m.yaml", "zz", &[rule("y", "z")]),
            Err(SpecEditError::NoComponent(_))
        ));
    }
}
