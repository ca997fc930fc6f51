//! A Justfile read by `just` itself: `just --justfile FILE --dump
//! --dump-format json` parses and analyses the file (imports resolved,
//! recipes disabled on this platform dropped, duplicates settled) without
//! running anything — no recipe, no backtick. Used when `just` is on
//! `PATH`; [`super::just`] falls back to its own parser when it is not.
//! A file `just` refuses is refused with `just`'s message and line.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::error::ImportError;
use super::source::SourceFile;

/// What `just --dump` says about one recipe, as the importer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpedRecipe {
    /// Recipes it depends on, in order (before and after `&&`).
    pub dependencies: Vec<String>,
    /// Body lines, interpolations shown as `{{…}}`.
    pub body: Vec<String>,
    /// Attributes (`unix`, `parallel`, `group`).
    pub attributes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Dump {
    recipes: BTreeMap<String, Recipe>,
}

#[derive(Debug, Deserialize)]
struct Recipe {
    #[serde(default)]
    attributes: Vec<serde_json::Value>,
    #[serde(default)]
    body: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    recipe: String,
}

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"——▶ .*:(\d+):\d+").expect("a constant, valid pattern"));

/// The recipes of `file` as `just` reads them; `None` when `just` is not
/// installed.
pub fn recipes(file: &SourceFile) -> Result<Option<BTreeMap<String, DumpedRecipe>>, ImportError> {
    let output = Command::new("just")
        .arg("--justfile")
        .arg(&file.path)
        .args(["--color", "never", "--dump", "--dump-format", "json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(ImportError::Tool {
                tool: "just".into(),
                file: file.shown.clone(),
                message: error.to_string(),
            });
        }
    };
    if !output.status.success() {
        return Err(refusal(file, &String::from_utf8_lossy(&output.stderr)));
    }
    let dump: Dump = serde_json::from_slice(&output.stdout).map_err(|error| ImportError::Tool {
        tool: "just --dump".into(),
        file: file.shown.clone(),
        message: format!("unexpected output: {error}"),
    })?;
    Ok(Some(
        dump.recipes
            .into_iter()
            .map(|(name, recipe)| (name, dumped(recipe)))
            .collect(),
    ))
}

fn dumped(recipe: Recipe) -> DumpedRecipe {
    DumpedRecipe {
        dependencies: recipe.dependencies.into_iter().map(|d| d.recipe).collect(),
        body: recipe
            .body
            .iter()
            .map(|fragments| {
                fragments
                    .iter()
                    .map(|fragment| fragment.as_str().unwrap_or("{{…}}"))
                    .collect::<String>()
            })
            .collect(),
        attributes: recipe.attributes.iter().map(attribute_name).collect(),
    }
}

/// `"unix"` stays `unix`; `{"group": "ci"}` becomes `group`.
fn attribute_name(attribute: &serde_json::Value) -> String {
    match attribute {
        serde_json::Value::String(name) => name.clone(),
        serde_json::Value::Object(fields) => fields.keys().cloned().collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// `just`'s own complaint, with the line it points at.
fn refusal(file: &SourceFile, stderr: &str) -> ImportError {
    let message = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("rejected the file")
        .trim()
        .trim_start_matches("error: ")
        .to_owned();
    let line = LOCATION
        .captures(stderr)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(1);
    ImportError::Refused {
        file: file.shown.clone(),
        line,
        construct: format!("`just` rejects it: {message}"),
        hint: "fix the Justfile until `just --list` accepts it".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dumped_recipe_keeps_dependencies_body_and_attributes() {
        let recipe: Recipe = serde_json::from_str(
            r#"{"attributes": ["unix", {"group": "ci"}], "body": [["cargo test "], [["variable", "x"]], ["just fmt"]],
                "dependencies": [{"arguments": [], "recipe": "build", "star": null}], "name": "t"}"#,
        )
        .expect("dump JSON");
        let recipe = dumped(recipe);
        assert_eq!(recipe.dependencies, vec!["build"]);
        assert_eq!(recipe.body, vec!["cargo test ", "{{…}}", "just fmt"]);
        assert_eq!(recipe.attributes, vec!["unix", "group"]);
    }

    #[test]
    fn a_refusal_names_the_line_just_points_at() {
        let file = SourceFile {
            path: "justfile".into(),
            shown: "justfile".into(),
            root: ".".into(),
        };
        let error = refusal(
            &file,
            "error: Unknown start of token '.'\n ——▶ justfile:3:5\n  │\n3 │ a: .\n  │     ^\n",
        );
        assert_eq!(
            error.to_string(),
            "`justfile` line 3: unsupported: `just` rejects it: Unknown start of token '.'"
        );
    }
}
