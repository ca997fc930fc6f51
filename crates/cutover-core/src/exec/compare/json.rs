//! `json`: semantic JSON equality — key order and formatting do not count —
//! with values at the `ignore` JSON Pointers left out. Differing values are
//! named by their JSON Pointer.

use std::path::Path;

use serde_json::Value;

use super::{CompareContext, Verdict, read};

/// Most differing pointers listed.
const MAX_LISTED: usize = 10;

/// Compares two JSON documents.
pub fn compare(a: &Path, b: &Path, ignore: &[String], context: &CompareContext<'_>) -> Verdict {
    let (side_a, side_b) = context.sides;
    let parsed = |path: &Path, side| {
        read(path, side).and_then(|data| {
            serde_json::from_slice::<Value>(&data)
                .map_err(|e| format!("{side}: not valid JSON: {e}"))
        })
    };
    let (mut left, mut right) = match (parsed(a, side_a), parsed(b, side_b)) {
        (Ok(left), Ok(right)) => (left, right),
        (Err(error), _) | (_, Err(error)) => return Verdict::Differs(error),
    };
    for pointer in ignore {
        remove(&mut left, pointer);
        remove(&mut right, pointer);
    }
    let mut differing = Vec::new();
    differences("", &left, &right, &mut differing);
    let total = differing.len();
    differing.truncate(MAX_LISTED);
    let mut lines: Vec<String> = differing
        .into_iter()
        .map(|(pointer, x, y)| format!("`{pointer}`: {side_a} {x}, {side_b} {y}"))
        .collect();
    if total > MAX_LISTED {
        lines.push(format!("and {} more", total - MAX_LISTED));
    }
    Verdict::from_differences(lines)
}

/// Removes the value at `pointer`, if there is one.
fn remove(value: &mut Value, pointer: &str) {
    if pointer.is_empty() {
        *value = Value::Null;
        return;
    }
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// Collects `(pointer, left, right)` for every differing leaf.
fn differences(at: &str, x: &Value, y: &Value, out: &mut Vec<(String, String, String)>) {
    match (x, y) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match b.get(key) {
                    Some(other) => differences(&here, value, other, out),
                    None => out.push((here, shorten(value), "absent".into())),
                }
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push((here, "absent".into(), shorten(value)));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (p, q)) in a.iter().zip(b).enumerate() {
                differences(&format!("{at}/{index}"), p, q, out);
            }
        }
        _ if x != y => out.push((at.to_owned(), shorten(x), shorten(y))),
        _ => {}
    }
}

fn shorten(value: &Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_ignored_pointers_do_not_count() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::fs::write(
            &a,
            r#"{"v": 1, "build": {"time": "10:00", "host": "x"}, "list": [1, 2]}"#,
        )
        .expect("write");
        std::fs::write(
            &b,
            r#"{"list":[1,2],"build":{"host":"x","time":"11:00"},"v":1}"#,
        )
        .expect("write");
        let context = super::super::test_context(dir.path());
        assert_eq!(
            compare(&a, &b, &["/build/time".into()], &context),
            Verdict::Equivalent
        );
        assert_eq!(
            compare(&a, &b, &[], &context),
            Verdict::Differs("`/build/time`: legacy \"10:00\", dagger \"11:00\"".into())
        );
    }
}
