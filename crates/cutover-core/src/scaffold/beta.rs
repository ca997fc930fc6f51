//! The Dagger CLI 1.0-beta layout: a workspace (`dagger.toml` at the
//! project root) that installs the module, and the module itself under
//! `.dagger/modules/<name>/` with its `dagger-module.toml`. The SDK files
//! beside it come from the [`super::python`] and [`super::typescript`]
//! renderers; this module writes the two configuration files and the
//! `dagger api call …` line.
//!
//! Read from Dagger's own source, `github.com/dagger/dagger` at commit
//! `13d493ee6e757e1d36416be98e3b5acc8e248eb8` (2026-08-20, after tag
//! `v1.0.0-beta.10`):
//! - `core/schema/workspace_module_init.go`: `dagger module init <sdk>
//!   <name>` writes `.dagger/modules/<name>/dagger-module.toml` (`name`,
//!   `engineVersion`, `[runtime] source` = the SDK's target runtime),
//!   installs the module as `[modules.<name>] source = …` in `dagger.toml`,
//!   and records the path under `[[modules.<sdk>.as-sdk.modules]]`.
//! - `internal/cmd/dagger/sdks.json` and `core/sdk/sdkmeta/sdkmeta.go`:
//!   `dagger sdk install python` installs `github.com/dagger/python-sdk` as
//!   `dagger-python-sdk` with `as-sdk.name = "python"` (TypeScript alike).
//! - `core/modules/config_format.go`, `docs/static/reference/dagger-module.schema.json`
//!   and `dagger-workspace.schema.json`: the two files' fields.
//! - `internal/cmd/dagger/api.go`, `call.go`, `docs/current_docs/using-dagger/calling-functions.mdx`:
//!   `dagger api call <installed module> <function> --arg …`, `-o/--output`
//!   to save a returned directory.
//!
//! And the SDK modules' own init templates: `github.com/dagger/python-sdk`
//! at `9e9df21dfb9e054f2bd285eba704754947f961d2` (`templates/default`:
//! `pyproject.toml`, code in `src/<package>/__init__.py`, target runtime
//! `python`) and `github.com/dagger/typescript-sdk` at
//! `a20501269fad37d4799499b2392cc16f5d867722` (`src/index.ts`, and
//! `helpers/config-updator`: `package.json` with `"type": "module"`, a
//! `tsconfig.json` whose `paths` point `@dagger.io/dagger` at the generated
//! `./sdk`). The beta is not settled: the SDK pages of the same commit tell
//! users to `dagger install github.com/dagger/python-sdk` and run
//! `dagger api call python-sdk init`, the CLI reference `dagger sdk install`
//! then `dagger module init`; both produce the files written here, which
//! follow the newest commit's engine code.

use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::file::{GeneratedFile, Sdk};
use super::function::{FunctionPlan, call_arguments};

/// The engine version a 1.0-beta module declares: the newest beta tag in
/// the source the layout was read from.
pub const ENGINE_VERSION: &str = "v1.0.0-beta.10";

/// The workspace file's name, at the project root.
pub const WORKSPACE_FILE: &str = "dagger.toml";

/// The module file's name, in the module directory.
pub const MODULE_FILE: &str = "dagger-module.toml";

/// The default module directory, relative to the workspace root.
pub fn default_module_dir(name: &str) -> String {
    format!(".dagger/modules/{name}")
}

/// `dagger-module.toml`: the module's name, engine and runtime.
pub fn module_config(name: &str, sdk: Sdk) -> GeneratedFile {
    let mut document = DocumentMut::new();
    document["name"] = value(name);
    document["engineVersion"] = value(ENGINE_VERSION);
    let mut runtime = Table::new();
    runtime["source"] = value(sdk.source());
    document["runtime"] = Item::Table(runtime);
    GeneratedFile::new(MODULE_FILE, document.to_string())
}

/// Why the workspace file could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceConfigError {
    /// The existing file is not valid TOML.
    #[error("`{WORKSPACE_FILE}` is not valid TOML: {0}")]
    Syntax(String),
    /// A key the scaffold must write already holds something else.
    #[error("`{WORKSPACE_FILE}`: {0}")]
    Conflict(String),
}

/// The workspace file with the module installed and its SDK registered as
/// the module's author, written over `existing` (comments and order kept)
/// or from nothing.
pub fn workspace_config(
    existing: Option<&str>,
    name: &str,
    sdk: Sdk,
    module_dir: &str,
) -> Result<String, WorkspaceConfigError> {
    let mut document: DocumentMut = match existing {
        Some(text) => text.parse().map_err(|error: toml_edit::TomlError| {
            WorkspaceConfigError::Syntax(error.to_string())
        })?,
        None => {
            let mut document = DocumentMut::new();
            document.decor_mut().set_prefix(
                "# Dagger workspace (CLI 1.0 beta). Written by `cutover scaffold`;\n# `dagger generate` writes each module's `sdk/` bindings (commit them).\n",
            );
            document
        }
    };
    let modules = document
        .entry("modules")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_mut()
        .ok_or_else(|| WorkspaceConfigError::Conflict("`modules` is not a table".into()))?;
    install_module(modules, name, module_dir)?;
    register_authoring_sdk(modules, sdk, module_dir)?;
    Ok(document.to_string())
}

fn install_module(
    modules: &mut Table,
    name: &str,
    module_dir: &str,
) -> Result<(), WorkspaceConfigError> {
    match modules.get(name) {
        None => {
            let mut entry = Table::new();
            entry["source"] = value(module_dir);
            modules.insert(name, Item::Table(entry));
            Ok(())
        }
        Some(entry) => {
            let source = entry.get("source").and_then(Item::as_str);
            if source.map(|s| s.trim_start_matches("./")) == Some(module_dir) {
                Ok(())
            } else {
                Err(WorkspaceConfigError::Conflict(format!(
                    "`modules.{name}` already installs `{}`, not `{module_dir}`; choose another --name",
                    source.unwrap_or("?")
                )))
            }
        }
    }
}

/// Adds `module_dir` to the `as-sdk.modules` of the entry that installs the
/// SDK (found by its `as-sdk.name`), or installs the SDK the way `dagger sdk
/// install` does.
fn register_authoring_sdk(
    modules: &mut Table,
    sdk: Sdk,
    module_dir: &str,
) -> Result<(), WorkspaceConfigError> {
    let installed = modules.iter().find_map(|(key, item)| {
        let as_sdk = item.get("as-sdk")?;
        (as_sdk.get("name").and_then(Item::as_str) == Some(sdk.source())).then(|| key.to_owned())
    });
    let key = match installed {
        Some(key) => key,
        None => {
            let key = format!("dagger-{}-sdk", sdk.source());
            if modules.contains_key(&key) {
                return Err(WorkspaceConfigError::Conflict(format!(
                    "`modules.{key}` exists but is not installed as the {} SDK",
                    sdk.source()
                )));
            }
            let mut entry = Table::new();
            entry["source"] = value(format!("github.com/dagger/{}-sdk", sdk.source()));
            let mut as_sdk = Table::new();
            as_sdk["name"] = value(sdk.source());
            entry.insert("as-sdk", Item::Table(as_sdk));
            modules.insert(&key, Item::Table(entry));
            key
        }
    };
    let as_sdk = modules
        .get_mut(&key)
        .and_then(|entry| entry.get_mut("as-sdk"))
        .and_then(Item::as_table_mut)
        .ok_or_else(|| {
            WorkspaceConfigError::Conflict(format!("`modules.{key}.as-sdk` is not a table"))
        })?;
    let authored = as_sdk
        .entry("modules")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| {
            WorkspaceConfigError::Conflict(format!(
                "`modules.{key}.as-sdk.modules` is not an array of tables"
            ))
        })?;
    let known = authored.iter().any(|m| {
        m.get("path")
            .and_then(Item::as_str)
            .is_some_and(|p| p.trim_start_matches("./") == module_dir)
    });
    if !known {
        let mut entry = Table::new();
        entry["path"] = value(module_dir);
        authored.push(entry);
    }
    Ok(())
}

/// The `dagger api call` line for `function` of the module installed as
/// `module` in the workspace.
pub fn call_line(function: &FunctionPlan, module: &str) -> String {
    let mut line = format!(
        "dagger api call {module} {} --source .",
        function.words.join("-")
    );
    line.push_str(&call_arguments(function));
    match function.exports.as_slice() {
        [] => {}
        [one] => line.push_str(&format!(" --output {one}")),
        _ => line.push_str(" --output ."),
    }
    line
}

/// Whether `directory` already holds a module of either generation.
pub fn holds_module(directory: &Path) -> bool {
    directory.join(MODULE_FILE).exists() || directory.join("dagger.json").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_workspace_installs_the_module_and_registers_its_sdk() {
        let text = workspace_config(None, "ci", Sdk::Python, ".dagger/modules/ci").expect("toml");
        assert!(text.starts_with("# Dagger workspace (CLI 1.0 beta)"));
        assert!(
            !text.contains("[modules]\n"),
            "the parent table stays implicit:\n{text}"
        );
        for needle in [
            "[modules.ci]\nsource = \".dagger/modules/ci\"\n",
            "[modules.dagger-python-sdk]\nsource = \"github.com/dagger/python-sdk\"\n",
            "[modules.dagger-python-sdk.as-sdk]\nname = \"python\"\n",
            "[[modules.dagger-python-sdk.as-sdk.modules]]\npath = \".dagger/modules/ci\"\n",
        ] {
            assert!(text.contains(needle), "no {needle:?} in\n{text}");
        }
    }

    #[test]
    fn an_existing_workspace_keeps_its_comments_and_its_sdk_entry() {
        let existing = "# ours\n[modules.eslint]\nsource = \"github.com/dagger/eslint@v0.3.0\" # pinned\n\n[modules.py]\nsource = \"github.com/dagger/python-sdk\"\n\n[modules.py.as-sdk]\nname = \"python\"\n\n[[modules.py.as-sdk.modules]]\npath = \"tools/other\"\n";
        let text = workspace_config(Some(existing), "ci", Sdk::Python, ".dagger/modules/ci")
            .expect("toml");
        assert!(text.starts_with(
            "# ours\n[modules.eslint]\nsource = \"github.com/dagger/eslint@v0.3.0\" # pinned\n"
        ));
        assert!(
            !text.contains("dagger-python-sdk"),
            "the installed SDK is reused:\n{text}"
        );
        assert_eq!(
            text.matches("[[modules.py.as-sdk.modules]]").count(),
            2,
            "{text}"
        );
        let again =
            workspace_config(Some(&text), "ci", Sdk::Python, ".dagger/modules/ci").expect("toml");
        assert_eq!(again, text, "scaffolding twice changes nothing");
    }

    #[test]
    fn conflicts_and_bad_toml_are_refused() {
        let existing = "[modules.ci]\nsource = \"github.com/acme/ci\"\n";
        let error = workspace_config(Some(existing), "ci", Sdk::Typescript, ".dagger/modules/ci")
            .expect_err("a conflict");
        assert!(
            error
                .to_string()
                .contains("already installs `github.com/acme/ci`")
        );
        assert!(matches!(
            workspace_config(Some("[modules\n"), "ci", Sdk::Python, "m"),
            Err(WorkspaceConfigError::Syntax(_))
        ));
    }

    #[test]
    fn the_module_file_names_its_runtime() {
        let file = module_config("ci", Sdk::Typescript);
        assert_eq!(
            file.text,
            format!(
                "name = \"ci\"\nengineVersion = \"{ENGINE_VERSION}\"\n\n[runtime]\nsource = \"typescript\"\n"
            )
        );
    }
}
