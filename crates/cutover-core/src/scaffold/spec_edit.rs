//! Writes each scaffolded component's `dagger.run` into the spec as text,
//! so comments and formatting stay. A component that already has a Dagger
//! side keeps it; the difference is reported instead. The edited text must
//! pass validation before anyone writes it.

use crate::spec::edit::component_item;
use crate::spec::parse_spec;

/// The spec text after setting `dagger.run` lines.
#[derive(Debug, Clone, Default)]
pub struct SpecEdit {
    /// New text.
    pub text: String,
    /// Components whose `dagger.run` was set.
    pub set: Vec<String>,
    /// Components that already had a different Dagger side: `(id, existing run)`.
    pub kept: Vec<(String, String)>,
}

/// Sets `dagger: {run: …}` on each `(id, line)` that has no Dagger side yet.
pub fn set_dagger_runs(
    text: &str,
    file_name: &str,
    runs: &[(String, String)],
    existing: &crate::spec::Migration,
) -> Result<SpecEdit, String> {
    let mut edit = SpecEdit {
        text: text.to_owned(),
        ..SpecEdit::default()
    };
    for (id, line) in runs {
        let Some(component) = existing.components.iter().find(|c| &c.id == id) else {
            continue;
        };
        if edit.set.contains(id) {
            continue;
        }
        if let Some(dagger) = &component.dagger {
            if dagger.run.trim() != line.trim() {
                edit.kept.push((id.clone(), dagger.run.clone()));
            }
            continue;
        }
        edit.text = insert_dagger(&edit.text, id, line)
            .ok_or_else(|| format!("could not find `- id: {id}` in the spec"))?;
        edit.set.push(id.clone());
    }
    parse_spec(file_name, &edit.text).map_err(|errors| {
        errors
            .reports()
            .next()
            .map(|r| r.to_string())
            .unwrap_or_default()
    })?;
    Ok(edit)
}

fn insert_dagger(text: &str, id: &str, run: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let item = component_item(&lines, id)?;
    let (end, key_column) = (item.end, item.key_column);
    let quoted = serde_json::to_string(run).ok()?;
    let indent = " ".repeat(key_column);
    let mut out: String = lines[..end].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("{indent}dagger:\n{indent}  run: {quoted}\n"));
    out.push_str(&lines[end..].concat());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_inside_the_right_item_keeping_comments() {
        let text = "components:\n  - id: a # first\n    kind: job\n\n  - id: b\n    kind: job\nrollback: {}\n";
        let out = insert_dagger(text, "a", "dagger call -m .dagger a --source .").expect("found");
        assert_eq!(
            out,
            "components:\n  - id: a # first\n    kind: job\n    dagger:\n      run: \"dagger call -m .dagger a --source .\"\n\n  - id: b\n    kind: job\nrollback: {}\n"
        );
        let out = insert_dagger(text, "b", "x").expect("found");
        assert!(out.ends_with("    kind: job\n    dagger:\n      run: \"x\"\nrollback: {}\n"));
    }
}
