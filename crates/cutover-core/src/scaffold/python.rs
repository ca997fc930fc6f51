//! Renders [`FunctionPlan`]s as a Python SDK module (`@object_type`,
//! `@function`, `@check`), laid out as `dagger init --sdk=python` lays it out.

use super::function::{FunctionPlan, PlannedStep, WORKDIR};
use super::module::{GeneratedFile, quote};

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
    out.push_str("        source: Annotated[dagger.Directory, DefaultPath(\".\"), Doc(\"the repository\")],\n");
    for (words, variable) in &f.secrets {
        out.push_str(&format!(
            "        {}: Annotated[dagger.Secret, Doc({})],\n",
            name(words),
            quote(&format!("the {variable} secret"))
        ));
    }
    for (words, _, default) in &f.args {
        out.push_str(&format!(
            "        {}: str = {},\n",
            name(words),
            quote(default)
        ));
    }
    out.push_str(&format!(
        "    ) -> {returns}:\n        \"\"\"{}\"\"\"\n",
        f.doc.replace('\\', "\\\\").replace('"', "'")
    ));
    let image = match &f.image_arg {
        Some(arg) => {
            let (before, after) = f.image.split_once("{arg}").unwrap_or((&f.image, ""));
            format!(
                "{} + {} + {}",
                quote(before),
                name(&arg.split('_').map(str::to_owned).collect::<Vec<_>>()),
                quote(after)
            )
        }
        None => quote(&f.image),
    };
    out.push_str(&format!(
        "        ctr = (\n            dag.container()\n            .from_({image})\n            .with_directory({w}, source)\n            .with_workdir({w})\n        )\n",
        w = quote(WORKDIR)
    ));
    for (words, variable, _) in &f.args {
        out.push_str(&format!(
            "        ctr = ctr.with_env_variable({}, {})\n",
            quote(variable),
            name(words)
        ));
    }
    for (key, value) in &f.env {
        out.push_str(&format!(
            "        ctr = ctr.with_env_variable({}, {})\n",
            quote(key),
            quote(value)
        ));
    }
    for (words, variable) in &f.secrets {
        out.push_str(&format!(
            "        ctr = ctr.with_secret_variable({}, {})\n",
            quote(variable),
            name(words)
        ));
    }
    for (volume, path) in &f.caches {
        out.push_str(&format!(
            "        ctr = ctr.with_mounted_cache({}, dag.cache_volume({}))\n",
            quote(path),
            quote(volume)
        ));
    }
    for service_plan in &f.services {
        let (host, image, ports, env) = (
            &service_plan.host,
            &service_plan.image,
            &service_plan.ports,
            &service_plan.env,
        );
        let mut service = format!("dag.container().from_({})", quote(image));
        for (key, value) in env {
            service.push_str(&format!(
                ".with_env_variable({}, {})",
                quote(key),
                quote(value)
            ));
        }
        for port in ports {
            service.push_str(&format!(".with_exposed_port({port})"));
        }
        out.push_str(&format!(
            "        ctr = ctr.with_service_binding({}, {service}.as_service())\n",
            quote(host)
        ));
    }
    for step in &f.steps {
        match step {
            PlannedStep::Exec(script) => out.push_str(&format!(
                "        ctr = ctr.with_exec([\"sh\", \"-c\", {}])\n",
                quote(script)
            )),
            PlannedStep::Wrap(note) => {
                out.push_str(&format!("        # WRAPPED: {}\n", note.replace('\n', " ")))
            }
        }
    }
    match f.exports.as_slice() {
        [] => out.push_str("        return await ctr.stdout()\n"),
        [one] => out.push_str(&format!(
            "        return ctr.directory({})\n",
            quote(&export_path(one))
        )),
        many => {
            out.push_str("        out = dag.directory()\n");
            for path in many {
                out.push_str(&format!(
                    "        out = out.with_directory({}, ctr.directory({}))\n",
                    quote(path),
                    quote(&export_path(path))
                ));
            }
            out.push_str("        return out\n");
        }
    }
    out
}

fn export_path(path: &str) -> String {
    if path == "." {
        WORKDIR.to_owned()
    } else {
        format!("{WORKDIR}/{path}")
    }
}
