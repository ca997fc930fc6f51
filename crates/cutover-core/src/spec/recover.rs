//! Going on after a parse error, so a spec's problems come in one round.
//!
//! serde stops at the first unknown key or wrong value. To report that
//! problem *and* everything after it, the parse pass blanks the offending
//! entry out — replaces `key: value` (with its nested block, or up to the
//! next `,` of a flow mapping) by spaces, so every other line and column
//! stays where it was — and parses again. Syntax errors are not recovered:
//! nothing reliable is left to read after them.

/// Blanks out the mapping entry at byte `offset` of `text` (the key itself,
/// or its value when `at_key` is false); returns where the entry started,
/// or `None` if it cannot tell where the entry starts and ends.
pub fn blank_entry(text: &mut String, offset: usize, at_key: bool) -> Option<usize> {
    if offset >= text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let flow = prefix.rfind(['{', ',']);
    let entry_start = match (flow, at_key) {
        (Some(at), _) => {
            let after = line_start + at + 1;
            after + (text[after..].len() - text[after..].trim_start_matches(' ').len())
        }
        (None, true) => offset,
        (None, false) => {
            let content = prefix.trim_start_matches(' ');
            let content = content.strip_prefix("- ").unwrap_or(content).trim_start();
            if content.is_empty() || !content.contains(':') {
                return None;
            }
            offset - content.len()
        }
    };
    let end = if flow.is_some() {
        flow_entry_end(text, entry_start)?
    } else {
        block_entry_end(text, entry_start, line_start)
    };
    blank(text, entry_start, end);
    Some(entry_start)
}

/// End of a flow entry: the next `,` (included) or `}` at depth 0.
fn flow_entry_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') if depth > 0 => depth -= 1,
            (None, '}' | ']') => return Some(start + i),
            (None, ',') if depth == 0 => return Some(start + i + 1),
            (None, '\n') => return None,
            _ => {}
        }
    }
    None
}

/// End of a block entry: its line, and the following lines indented deeper
/// than the key (blank lines and comments included).
fn block_entry_end(text: &str, start: usize, line_start: usize) -> usize {
    let indent = start - line_start;
    let mut end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    while end < text.len() {
        let next_start = end + 1;
        let next_end = text[next_start..]
            .find('\n')
            .map_or(text.len(), |i| next_start + i);
        let line = &text[next_start..next_end];
        let content = line.trim_start_matches(' ');
        let deeper = line.len() - content.len() > indent;
        if !(content.is_empty() || content.starts_with('#') || deeper) {
            break;
        }
        end = next_end;
    }
    end
}

/// Replaces `text[start..end]` by spaces, keeping newlines and byte length.
fn blank(text: &mut String, start: usize, end: usize) {
    let replaced: String = text[start..end]
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(start..end, &replaced);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_block_and_flow_entries() {
        let mut text = "a:\n  bogus: 1\n  nested:\n    x: 1\n  keep: 2\n".to_owned();
        let at = text.find("nested").expect("key");
        assert!(blank_entry(&mut text, at, true).is_some());
        assert_eq!(text, "a:\n  bogus: 1\n         \n        \n  keep: 2\n");
        let mut flow = "x: { a: 1, bogus: [1, 2], c: 3 }\n".to_owned();
        let at = flow.find("bogus").expect("key");
        assert!(blank_entry(&mut flow, at, true).is_some());
        let gap = " ".repeat("bogus: [1, 2],".len());
        assert_eq!(flow, format!("x: {{ a: 1, {gap} c: 3 }}\n"));
        let mut value = "  capacity: lots\n".to_owned();
        let at = value.find("lots").expect("value");
        assert!(blank_entry(&mut value, at, false).is_some());
        assert_eq!(value.trim(), "");
        let mut last = "x: { a: 1, b: 2 }".to_owned();
        let at = last.find("b:").expect("key");
        assert!(blank_entry(&mut last, at, true).is_some());
        assert_eq!(last, "x: { a: 1,      }");
    }
}
