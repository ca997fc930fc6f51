//! CI expressions inside scripts. `cutover run` executes `legacy.run` with a
//! POSIX shell, where `${{ matrix.os }}` is a syntax error; simple
//! references become environment variables that `cutover ci` passes in
//! from the CI job (`MATRIX_OS: ${{ matrix.os }}`).

use std::sync::LazyLock;

use regex::Regex;

static SIMPLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{\s*(matrix|env|secrets|inputs|vars|github|needs|steps|runner)\.([A-Za-z0-9_.-]+)\s*\}\}").expect("a constant, valid pattern")
});

/// Rewrites simple `${{ scope.name }}` references to `${VAR}` (see
/// [`variable_name`]); anything more complex is left as written.
pub fn shell_expressions(script: &str) -> String {
    SIMPLE
        .replace_all(script, |caps: &regex::Captures<'_>| {
            format!("${{{}}}", variable_name(&caps[1], &caps[2]))
        })
        .into_owned()
}

/// The environment variable standing for `scope.name`: `env.X` and
/// `secrets.X` are `X`; `github.sha` is `GITHUB_SHA` (GitHub sets those);
/// the rest `SCOPE_NAME` in upper case.
pub fn variable_name(scope: &str, name: &str) -> String {
    let upper = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    match scope {
        "env" | "secrets" => name.to_owned(),
        _ => format!("{}_{}", upper(scope), upper(name)),
    }
}

/// Every simple reference in `script`: `(variable, expression)` pairs, the
/// expression as the CI writes it (`${{ matrix.os }}`).
pub fn references(script: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for caps in SIMPLE.captures_iter(script) {
        let variable = variable_name(&caps[1], &caps[2]);
        if caps[1].eq("env") || out.iter().any(|(v, _)| *v == variable) {
            continue;
        }
        out.push((variable, format!("${{{{ {}.{} }}}}", &caps[1], &caps[2])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_simple_references_only() {
        let script =
            "cargo build --target ${{ matrix.target }} ${{ env.CARGO }} ${{ inputs.x || 'a' }}";
        assert_eq!(
            shell_expressions(script),
            "cargo build --target ${MATRIX_TARGET} ${CARGO} ${{ inputs.x || 'a' }}"
        );
        assert_eq!(
            references(script),
            vec![(
                "MATRIX_TARGET".to_owned(),
                "${{ matrix.target }}".to_owned()
            )]
        );
    }
}
