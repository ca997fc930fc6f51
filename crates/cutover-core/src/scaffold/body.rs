//! The body of a scaffolded function, shared by the SDK renderers: the
//! Python and TypeScript SDKs chain the same calls, spelt `with_exec` or
//! `withExec`. Each SDK supplies a [`Spelling`]; this module writes the
//! container setup, environment, secrets, caches, services, steps and the
//! return statement.

use super::file::quote;
use super::function::{FunctionPlan, PlannedStep, WORKDIR};

/// How one SDK spells things.
pub struct Spelling {
    /// Indentation of statements in a method body.
    pub indent: &'static str,
    /// Line comment marker.
    pub comment: &'static str,
    /// The SDK's name for a method given in snake_case (`with_exec`).
    pub method: fn(&str) -> String,
    /// The SDK's name for an argument given as words.
    pub name: fn(&[String]) -> String,
    /// How a new `Directory` variable is declared (`out = `, `let out: Directory = `).
    pub declare_directory: &'static str,
}

/// Everything after the signature, up to and including the return.
pub fn body(f: &FunctionPlan, s: &Spelling) -> String {
    let m = s.method;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(s.indent);
        out.push_str(&text);
        out.push('\n');
    };
    let call = |method: &str, first: String, second: String| {
        format!("ctr = ctr.{}({first}, {second})", m(method))
    };
    for (words, variable, _) in &f.args {
        line(call("with_env_variable", quote(variable), (s.name)(words)));
    }
    for (key, value) in &f.env {
        line(call("with_env_variable", quote(key), quote(value)));
    }
    for (words, variable) in &f.secrets {
        line(call(
            "with_secret_variable",
            quote(variable),
            (s.name)(words),
        ));
    }
    for (volume, path) in &f.caches {
        line(call(
            "with_mounted_cache",
            quote(path),
            format!("dag.{}({})", m("cache_volume"), quote(volume)),
        ));
    }
    for service in &f.services {
        line(call(
            "with_service_binding",
            quote(&service.host),
            service_chain(service, s),
        ));
    }
    for step in &f.steps {
        match step {
            PlannedStep::Exec(script) => line(format!(
                "ctr = ctr.{}([\"sh\", \"-c\", {}])",
                m("with_exec"),
                quote(script)
            )),
            PlannedStep::Wrap(note) => line(format!(
                "{} WRAPPED: {}",
                s.comment,
                note.replace('\n', " ")
            )),
        }
    }
    out.push_str(&returned(f, s));
    out
}

/// The return statement: stdout, or the exported directories.
fn returned(f: &FunctionPlan, s: &Spelling) -> String {
    let m = s.method;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(s.indent);
        out.push_str(&text);
        out.push('\n');
    };
    match f.exports.as_slice() {
        [] => line("return await ctr.stdout()".into()),
        [one] => line(format!(
            "return ctr.directory({})",
            quote(&export_path(one))
        )),
        many => {
            line(format!("{}dag.directory()", s.declare_directory));
            for path in many {
                line(format!(
                    "out = out.{}({}, ctr.directory({}))",
                    m("with_directory"),
                    quote(path),
                    quote(&export_path(path))
                ));
            }
            line("return out".into());
        }
    }
    out
}

/// `dag.container().from_(image)…as_service()` for one service.
fn service_chain(service: &super::function::PlannedService, s: &Spelling) -> String {
    let m = s.method;
    let mut chain = format!("dag.container().{}({})", m("from_"), quote(&service.image));
    for (key, value) in &service.env {
        chain.push_str(&format!(
            ".{}({}, {})",
            m("with_env_variable"),
            quote(key),
            quote(value)
        ));
    }
    for port in &service.ports {
        chain.push_str(&format!(".{}({port})", m("with_exposed_port")));
    }
    chain.push_str(&format!(".{}()", m("as_service")));
    chain
}

/// The base image expression: a literal, or the matrix argument spliced in.
pub fn image(f: &FunctionPlan, s: &Spelling) -> String {
    match &f.image_arg {
        Some(arg) => {
            let (before, after) = f.image.split_once("{arg}").unwrap_or((&f.image, ""));
            let words: Vec<String> = arg.split('_').map(str::to_owned).collect();
            format!(
                "{} + {} + {}",
                quote(before),
                (s.name)(&words),
                quote(after)
            )
        }
        None => quote(&f.image),
    }
}

fn export_path(path: &str) -> String {
    if path == "." {
        WORKDIR.to_owned()
    } else {
        format!("{WORKDIR}/{path}")
    }
}
