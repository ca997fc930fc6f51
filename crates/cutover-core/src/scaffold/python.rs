//! Renders [`FunctionPlan`]s as a Python SDK module (`@object_type`,
//! `@function`, `@check`), laid out as `dagger init --sdk=python` lays it out
//! for the stable CLI (`src/<package>/main.py`), or as the 1.0-beta SDK's
//! `templates/default` does (the class in `src/<package>/__init__.py`, a
//! `pyproject.toml` that takes `dagger-io` from the generated `sdk/`).

use super::body::{Spelling, body, image};
use super::file::{GeneratedFile, quote};
use super::function::{FunctionPlan, WORKDIR};

const KEYWORDS: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self",
    "source", "dagger", "dag",
];

/// The Python name for `words`.
pub fn name(words: &[String]) -> String {
    let joined = words.join("_");
    if KEYWORDS.contains(&joined.as_str()) {
        format!("{joined}_")
    } else {
        joined
    }
}

/// The files of the module.
pub fn files(module: &str, class: &str, functions: &[FunctionPlan]) -> Vec<GeneratedFile> {
    let package = module.replace('-', "_");
    vec![
        GeneratedFile::new("pyproject.toml", pyproject(module)),
        GeneratedFile::new(
            &format!("src/{package}/__init__.py"),
            format!(
                "\"\"\"The {module} Dagger module.\"\"\"\n\nfrom .main import {class} as {class}\n\n__all__ = [\"{class}\"]\n"
            ),
        ),
        GeneratedFile::new(
            &format!("src/{package}/main.py"),
            main(module, class, functions),
        ),
    ]
}

/// The files of the module in the 1.0-beta layout (beside `dagger-module.toml`).
pub fn beta_files(module: &str, class: &str, functions: &[FunctionPlan]) -> Vec<GeneratedFile> {
    let package = module.replace('-', "_");
    vec![
        GeneratedFile::new("pyproject.toml", beta_pyproject(module)),
        GeneratedFile::new(
            &format!("src/{package}/__init__.py"),
            main(module, class, functions),
        ),
    ]
}

/// The python-sdk's `templates/default/pyproject.toml.tmpl`, filled in.
fn beta_pyproject(module: &str) -> String {
    format!(
        "[project]\nname = \"{module}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.14\"\ndependencies = [\"dagger-io\"]\n\n[build-system]\nrequires = [\"uv_build>=0.8.4,<0.12.0\"]\nbuild-backend = \"uv_build\"\n\n[tool.uv.sources]\ndagger-io = {{ path = \"sdk\", editable = true }}\n"
    )
}

fn pyproject(module: &str) -> String {
    format!(
        "[project]\nname = \"{module}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\ndependencies = [\"dagger-io\"]\n\n[build-system]\nrequires = [\"hatchling==1.25.0\"]\nbuild-backend = \"hatchling.build\"\n"
    )
}

fn main(module: &str, class: &str, functions: &[FunctionPlan]) -> String {
    let mut out = format!(
        "\"\"\"The {module} Dagger module, drafted by `cutover scaffold` from the legacy CI.\n\nOne function per legacy job. Lines marked WRAPPED are steps not converted yet.\n\"\"\"\n\nfrom typing import Annotated\n\nimport dagger\nfrom dagger import DefaultPath, Doc, check, dag, function, object_type\n\n\n@object_type\nclass {class}:\n    \"\"\"Functions ported from the legacy CI.\"\"\"\n"
    );
    for function in functions {
        out.push('\n');
        out.push_str(&render_function(function));
    }
    out
}

const SPELLING: Spelling = Spelling {
    indent: "        ",
    comment: "#",
    method: str::to_owned,
    name,
    declare_directory: "out = ",
};

fn render_function(f: &FunctionPlan) -> String {
    let mut out = String::from("    @function\n");
    if f.check {
        out.push_str("    @check\n");
    }
    let returns = if f.exports.is_empty() {
        "str"
    } else {
        "dagger.Directory"
    };
    out.push_str(&format!(
        "    async def {}(\n        self,\n",
        name(&f.words)
    ));
    // "/" is the root of the context (the repository); "." would be the
    // module's own directory.
    out.push_str("        source: Annotated[dagger.Directory, DefaultPath(\"/\"), Doc(\"the repository\")],\n");
    for (words, variable) in &f.secrets {
        let doc = quote(&format!("the {variable} secret"));
        out.push_str(&format!(
            "        {}: Annotated[dagger.Secret, Doc({doc})],\n",
            name(words)
        ));
    }
    for (words, _, default) in &f.args {
        out.push_str(&format!(
            "        {}: str = {},\n",
            name(words),
            quote(default)
        ));
    }
    let doc = f.doc.replace('\\', "\\\\").replace('"', "'");
    out.push_str(&format!("    ) -> {returns}:\n        \"\"\"{doc}\"\"\"\n"));
    out.push_str(&format!(
        "        ctr = (\n            dag.container()\n            .from_({})\n            .with_directory({w}, source)\n            .with_workdir({w})\n        )\n",
        image(f, &SPELLING),
        w = quote(WORKDIR)
    ));
    out.push_str(&body(f, &SPELLING));
    out
}
