//! Renders [`FunctionPlan`]s as a TypeScript SDK module (`@object`, `@func`,
//! `@check`), laid out as `dagger init --sdk=typescript` lays it out.

use super::function::{FunctionPlan, PlannedStep, WORKDIR};
use super::module::{GeneratedFile, quote};

const RESERVED: &[&str] = &[
    "source", "ctr", "out", "dag", "delete", "new", "default", "function", "class", "return",
    "import", "export",
];

/// The TypeScript (camelCase) name for `words`.
pub fn name(words: &[String]) -> String {
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        if i == 0 {
            out.push_str(word);
        } else {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    if RESERVED.contains(&out.as_str()) {
        format!("{out}Value")
    } else {
        out
    }
}

/// The files of the module.
pub fn files(module: &str, class: &str, functions: &[FunctionPlan]) -> Vec<GeneratedFile> {
    vec![
        GeneratedFile::new("package.json", format!("{{\n  \"name\": \"{module}\",\n  \"type\": \"module\",\n  \"private\": true,\n  \"dependencies\": {{\n    \"@dagger.io/dagger\": \"^0.21.0\",\n    \"typescript\": \"^5.5.0\"\n  }}\n}}\n")),
        GeneratedFile::new(
            "tsconfig.json",
            "{\n  \"compilerOptions\": {\n    \"target\": \"ES2022\",\n    \"module\": \"NodeNext\",\n    \"moduleResolution\": \"NodeNext\",\n    \"experimentalDecorators\": true,\n    \"strict\": true,\n    \"skipLibCheck\": true,\n    \"noEmit\": true\n  },\n  \"include\": [\"src/**/*.ts\"]\n}\n".to_owned(),
        ),
        GeneratedFile::new("src/index.ts", index(module, class, functions)),
    ]
}

fn index(module: &str, class: &str, functions: &[FunctionPlan]) -> String {
    let mut out = format!(
        "/**\n * The {module} Dagger module, drafted by `cutover scaffold` from the legacy CI.\n * One function per legacy job. Lines marked WRAPPED are steps not converted yet.\n */\nimport {{ argument, check, Container, dag, Directory, func, object, Secret }} from \"@dagger.io/dagger\"\n\n@object()\nexport class {class} {{\n"
    );
    let bodies: Vec<String> = functions.iter().map(render_function).collect();
    out.push_str(&bodies.join("\n"));
    out.push_str("}\n");
    out
}

fn render_function(f: &FunctionPlan) -> String {
    let mut out = format!(
        "  /**\n   * {}\n   */\n  @func()\n",
        f.doc.replace("*/", "* /")
    );
    if f.check {
        out.push_str("  @check()\n");
    }
    let returns = if f.exports.is_empty() {
        "string"
    } else {
        "Directory"
    };
    out.push_str(&format!(
        "  async {}(\n    @argument({{ defaultPath: \".\" }}) source: Directory,\n",
        name(&f.words)
    ));
    for (words, _) in &f.secrets {
        out.push_str(&format!("    {}: Secret,\n", name(words)));
    }
    for (words, _, default) in &f.args {
        out.push_str(&format!(
            "    {}: string = {},\n",
            name(words),
            quote(default)
        ));
    }
    out.push_str(&format!("  ): Promise<{returns}> {{\n"));
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
        "    let ctr: Container = dag\n      .container()\n      .from({image})\n      .withDirectory({w}, source)\n      .withWorkdir({w})\n",
        w = quote(WORKDIR)
    ));
    for (words, variable, _) in &f.args {
        out.push_str(&format!(
            "    ctr = ctr.withEnvVariable({}, {})\n",
            quote(variable),
            name(words)
        ));
    }
    for (key, value) in &f.env {
        out.push_str(&format!(
            "    ctr = ctr.withEnvVariable({}, {})\n",
            quote(key),
            quote(value)
        ));
    }
    for (words, variable) in &f.secrets {
        out.push_str(&format!(
            "    ctr = ctr.withSecretVariable({}, {})\n",
            quote(variable),
            name(words)
        ));
    }
    for (volume, path) in &f.caches {
        out.push_str(&format!(
            "    ctr = ctr.withMountedCache({}, dag.cacheVolume({}))\n",
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
        let mut service = format!("dag.container().from({})", quote(image));
        for (key, value) in env {
            service.push_str(&format!(
                ".withEnvVariable({}, {})",
                quote(key),
                quote(value)
            ));
        }
        for port in ports {
            service.push_str(&format!(".withExposedPort({port})"));
        }
        out.push_str(&format!(
            "    ctr = ctr.withServiceBinding({}, {service}.asService())\n",
            quote(host)
        ));
    }
    for step in &f.steps {
        match step {
            PlannedStep::Exec(script) => out.push_str(&format!(
                "    ctr = ctr.withExec([\"sh\", \"-c\", {}])\n",
                quote(script)
            )),
            PlannedStep::Wrap(note) => {
                out.push_str(&format!("    // WRAPPED: {}\n", note.replace('\n', " ")))
            }
        }
    }
    match f.exports.as_slice() {
        [] => out.push_str("    return await ctr.stdout()\n"),
        [one] => out.push_str(&format!(
            "    return ctr.directory({})\n",
            quote(&export_path(one))
        )),
        many => {
            out.push_str("    let out: Directory = dag.directory()\n");
            for path in many {
                out.push_str(&format!(
                    "    out = out.withDirectory({}, ctr.directory({}))\n",
                    quote(path),
                    quote(&export_path(path))
                ));
            }
            out.push_str("    return out\n");
        }
    }
    out.push_str("  }\n");
    out
}

fn export_path(path: &str) -> String {
    if path == "." {
        WORKDIR.to_owned()
    } else {
        format!("{WORKDIR}/{path}")
    }
}
