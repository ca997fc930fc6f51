//! Renders [`FunctionPlan`]s as a TypeScript SDK module (`@object`, `@func`,
//! `@check`), laid out as `dagger init --sdk=typescript` lays it out for the
//! stable CLI, or as the 1.0-beta typescript-sdk's `init` does (`package.json`
//! with `"type": "module"`, a `tsconfig.json` whose `paths` point
//! `@dagger.io/dagger` at the generated `./sdk`, `src/index.ts`).

use super::body::{Spelling, body, image};
use super::file::{GeneratedFile, quote};
use super::function::{FunctionPlan, WORKDIR};

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

/// The files of the module in the 1.0-beta layout (beside `dagger-module.toml`).
pub fn beta_files(module: &str, class: &str, functions: &[FunctionPlan]) -> Vec<GeneratedFile> {
    vec![
        GeneratedFile::new("package.json", "{\n  \"type\": \"module\"\n}\n".to_owned()),
        GeneratedFile::new(
            "tsconfig.json",
            "{\n  \"compilerOptions\": {\n    \"target\": \"ES2022\",\n    \"experimentalDecorators\": true,\n    \"strict\": true,\n    \"skipLibCheck\": true,\n    \"paths\": {\n      \"@dagger.io/dagger\": [\"./sdk/index.ts\"],\n      \"@dagger.io/dagger/telemetry\": [\"./sdk/telemetry.ts\"]\n    }\n  }\n}\n".to_owned(),
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

const SPELLING: Spelling = Spelling {
    indent: "    ",
    comment: "//",
    method: camel_method,
    name,
    declare_directory: "let out: Directory = ",
};

/// `with_exec` → `withExec`; `from_` → `from`.
fn camel_method(snake: &str) -> String {
    let words: Vec<String> = snake
        .trim_end_matches('_')
        .split('_')
        .map(str::to_owned)
        .collect();
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        let mut chars = word.chars();
        match chars.next() {
            Some(first) if i > 0 => {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
            _ => out.push_str(word),
        }
    }
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
        "  async {}(\n    @argument({{ defaultPath: \"/\" }}) source: Directory,\n",
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
    out.push_str(&format!(
        "    let ctr: Container = dag\n      .container()\n      .from({})\n      .withDirectory({w}, source)\n      .withWorkdir({w})\n",
        image(f, &SPELLING),
        w = quote(WORKDIR)
    ));
    out.push_str(&body(f, &SPELLING));
    out.push_str("  }\n");
    out
}
