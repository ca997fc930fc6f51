//! Finding things in the spec's text, for the commands that edit it as
//! text (so comments and layout stay): `scaffold`, `calibrate --write`.
//! Every edit is validated by parsing the result before it is written.

/// Where a component's list item is in the spec's lines.
#[derive(Debug, Clone, Copy)]
pub struct ComponentItem {
    /// The `- id:` line.
    pub start: usize,
    /// One past its last non-blank line.
    pub end: usize,
    /// The column of its keys.
    pub key_column: usize,
}

/// Finds the list item `- id: <id>` among `lines` (each with its newline).
pub fn component_item(lines: &[&str], id: &str) -> Option<ComponentItem> {
    let start = lines.iter().position(|l| {
        let t = l.trim().trim_start_matches("- ").trim();
        t.strip_prefix("id:").map(|v| {
            v.split(" #")
                .next()
                .unwrap_or(v)
                .trim()
                .trim_matches(['"', '\''])
        }) == Some(id)
    })?;
    let line = lines[start];
    let dash = line
        .find('-')
        .filter(|&d| line[..d].trim().is_empty() && line.trim_start().starts_with("- "));
    let key_column = line.len() - line.trim_start().trim_start_matches("- ").len();
    let item_column = dash.unwrap_or(key_column.saturating_sub(2));
    let mut end = lines.len();
    for (j, l) in lines.iter().enumerate().skip(start + 1) {
        let content = l.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let column = l.len() - l.trim_start().len();
        if column <= item_column {
            end = j;
            break;
        }
    }
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    Some(ComponentItem {
        start,
        end,
        key_column,
    })
}
