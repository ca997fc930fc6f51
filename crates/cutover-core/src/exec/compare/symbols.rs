//! `symbols`: the exported symbols of ELF, Mach-O or PE objects, shared
//! libraries and static (`.a`) archives, read with the `object` crate.
//! Two builds are equivalent when they export the same names with the same
//! kinds, whatever their bytes, member names or order; names matching an
//! `allow` pattern may differ.

use std::collections::BTreeSet;
use std::path::Path;

use object::read::archive::ArchiveFile;
use object::{Object, ObjectKind, ObjectSymbol, SymbolKind};

use super::{CompareContext, Verdict, read};
use crate::spec::wildcard_match;

/// Most names listed per side.
const MAX_LISTED: usize = 20;

/// Compares the exported symbols of two binaries.
pub fn compare(a: &Path, b: &Path, allow: &[String], context: &CompareContext<'_>) -> Verdict {
    let (side_a, side_b) = context.sides;
    let left =
        match read(a, side_a).and_then(|d| exported(&d).map_err(|e| format!("{side_a}: {e}"))) {
            Ok(symbols) => symbols,
            Err(error) => return Verdict::Differs(error),
        };
    let right =
        match read(b, side_b).and_then(|d| exported(&d).map_err(|e| format!("{side_b}: {e}"))) {
            Ok(symbols) => symbols,
            Err(error) => return Verdict::Differs(error),
        };
    let allowed = |name: &String| allow.iter().any(|p| wildcard_match(p, symbol_name(name)));
    let only = |x: &BTreeSet<String>, y: &BTreeSet<String>| -> Vec<String> {
        x.difference(y).filter(|n| !allowed(n)).cloned().collect()
    };
    let mut differences = Vec::new();
    for (side, names) in [(side_a, only(&left, &right)), (side_b, only(&right, &left))] {
        if !names.is_empty() {
            differences.push(format!("only in {side}: {}", listing(&names)));
        }
    }
    Verdict::from_differences(differences)
}

/// `T name` → `name`.
fn symbol_name(entry: &str) -> &str {
    entry.split_once(' ').map_or(entry, |(_, name)| name)
}

fn listing(names: &[String]) -> String {
    let mut shown: Vec<String> = names
        .iter()
        .take(MAX_LISTED)
        .map(|n| format!("`{n}`"))
        .collect();
    if names.len() > MAX_LISTED {
        shown.push(format!("and {} more", names.len() - MAX_LISTED));
    }
    shown.join(", ")
}

/// `T name` for each defined global symbol (`T` code, `D` data, `?` other).
fn exported(data: &[u8]) -> Result<BTreeSet<String>, String> {
    if let Ok(archive) = ArchiveFile::parse(data) {
        let mut all = BTreeSet::new();
        for member in archive.members() {
            let member = member.map_err(|e| format!("damaged archive: {e}"))?;
            let bytes = member
                .data(data)
                .map_err(|e| format!("damaged archive: {e}"))?;
            // Archives may hold non-object members (symbol tables, notes).
            if let Ok(symbols) = object_symbols(bytes) {
                all.extend(symbols);
            }
        }
        return Ok(all);
    }
    object_symbols(data)
}

fn object_symbols(data: &[u8]) -> Result<BTreeSet<String>, String> {
    let file = object::File::parse(data).map_err(|e| format!("not an object file: {e}"))?;
    let mut found = BTreeSet::new();
    if file.kind() == ObjectKind::Dynamic {
        for symbol in file.dynamic_symbols() {
            if symbol.is_global() && symbol.is_definition() {
                found.insert(entry(symbol.kind(), symbol.name().unwrap_or("")));
            }
        }
        if !found.is_empty() {
            return Ok(found);
        }
    }
    for symbol in file.symbols() {
        if symbol.is_global() && symbol.is_definition() {
            found.insert(entry(symbol.kind(), symbol.name().unwrap_or("")));
        }
    }
    Ok(found)
}

fn entry(kind: SymbolKind, name: &str) -> String {
    let letter = match kind {
        SymbolKind::Text => 'T',
        SymbolKind::Data => 'D',
        SymbolKind::Tls => 'L',
        _ => '?',
    };
    format!("{letter} {name}")
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    /// Compiles C source into a static archive with the real `cc` and `ar`.
    fn library(dir: &Path, name: &str, sources: &[(&str, &str)]) -> std::path::PathBuf {
        let mut objects = Vec::new();
        for (file, code) in sources {
            let source = dir.join(format!("{name}-{file}.c"));
            std::fs::write(&source, code).expect("write");
            let object = dir.join(format!("{name}-{file}.o"));
            let status = Command::new("cc")
                .args(["-c", "-O1"])
                .arg(&source)
                .arg("-o")
                .arg(&object)
                .status()
                .expect("cc");
            assert!(status.success());
            objects.push(object);
        }
        let archive = dir.join(format!("lib{name}.a"));
        let status = Command::new("ar")
            .arg("rcs")
            .arg(&archive)
            .args(&objects)
            .status()
            .expect("ar");
        assert!(status.success());
        archive
    }

    #[test]
    fn static_libraries_compare_by_exported_symbols() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        let a = library(
            d,
            "one",
            &[
                (
                    "add",
                    "static int h(int a) { return a; } int add(int a, int b) { return h(a) + b; }",
                ),
                ("tag", "const int built_by_make = 1;"),
            ],
        );
        let b = library(
            d,
            "two",
            &[
                ("tag", "const int built_by_cmake = 2;"),
                ("add", "int add(int a, int b) { return b + a; }"),
            ],
        );
        let context = super::super::test_context(d);
        assert_eq!(
            compare(&a, &b, &["built_by_*".into()], &context),
            Verdict::Equivalent
        );
        assert_eq!(
            compare(&a, &b, &[], &context),
            Verdict::Differs(
                "only in legacy: `D built_by_make`\nonly in dagger: `D built_by_cmake`".into()
            )
        );
    }

    /// Builds a shared library with the real `cc`.
    fn shared(dir: &Path, name: &str, code: &str) -> std::path::PathBuf {
        let source = dir.join(format!("{name}.c"));
        std::fs::write(&source, code).expect("write");
        let library = dir.join(format!("lib{name}.so"));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O1"])
            .arg(&source)
            .arg("-o")
            .arg(&library)
            .status()
            .expect("cc");
        assert!(status.success());
        library
    }

    #[test]
    fn shared_libraries_compare_by_dynamic_exports() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        let a = shared(
            d,
            "one",
            "static int h(void) { return 1; } int api(void) { return h(); }",
        );
        let b = shared(d, "two", "int api(void) { return 1; }");
        let c = shared(
            d,
            "three",
            "int api(void) { return 1; } int extra(void) { return 2; }",
        );
        let context = super::super::test_context(d);
        assert_eq!(compare(&a, &b, &[], &context), Verdict::Equivalent);
        assert_eq!(
            compare(&a, &c, &[], &context),
            Verdict::Differs("only in dagger: `T extra`".into())
        );
    }
}
