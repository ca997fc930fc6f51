//! `archive`: tar, tar.gz, gzip and zip files (or a directory, such as an
//! install tree) compared member by member — path, kind, mode and content —
//! ignoring modification times, owners, member order and directory entries.
//! Members matching a `members:` rule are compared by its comparator
//! (e.g. static libraries by `symbols`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::tree::{Entry, entries};
use super::{CompareContext, Scratch, Verdict, bytes, compare_output, differ_line};
use crate::spec::{Comparison, MemberComparison, wildcard_match};

/// Most differing members explained in detail; the rest are only named.
const MAX_EXPLAINED: usize = 5;

/// One member: its kind with mode or link target, and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    kind: MemberKind,
    content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum MemberKind {
    File(u32),
    Link(String),
}

impl std::fmt::Display for MemberKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MemberKind::File(mode) => write!(f, "file mode {mode:o}"),
            MemberKind::Link(target) => write!(f, "link to `{target}`"),
        }
    }
}

type Members = BTreeMap<String, Member>;

/// Compares two archives (or directories) member by member.
pub fn compare(
    a: &Path,
    b: &Path,
    rules: &[MemberComparison],
    context: &CompareContext<'_>,
) -> Verdict {
    let (side_a, side_b) = context.sides;
    let left = match members(a) {
        Ok(found) => found,
        Err(error) => return Verdict::Differs(format!("{side_a}: {error}")),
    };
    let right = match members(b) {
        Ok(found) => found,
        Err(error) => return Verdict::Differs(format!("{side_b}: {error}")),
    };
    let mut differing = Vec::new();
    for (path, x) in &left {
        match right.get(path) {
            None => differing.push((path.clone(), format!("only in {side_a}"))),
            Some(y) => {
                if let Some(why) = member_difference(path, x, y, rules, context) {
                    differing.push((path.clone(), why));
                }
            }
        }
    }
    for path in right.keys().filter(|p| !left.contains_key(*p)) {
        differing.push((path.clone(), format!("only in {side_b}")));
    }
    if differing.is_empty() {
        return Verdict::Equivalent;
    }
    let names: Vec<String> = differing.iter().map(|(p, _)| p.clone()).collect();
    let mut lines = vec![differ_line("member", &names)];
    for (path, why) in differing.iter().take(MAX_EXPLAINED) {
        lines.push(format!("`{path}`: {why}"));
    }
    Verdict::Differs(lines.join("\n"))
}

fn member_difference(
    path: &str,
    x: &Member,
    y: &Member,
    rules: &[MemberComparison],
    context: &CompareContext<'_>,
) -> Option<String> {
    let (side_a, side_b) = context.sides;
    if x.kind != y.kind {
        return Some(format!("{side_a} {}, {side_b} {}", x.kind, y.kind));
    }
    if x.content == y.content {
        return None;
    }
    let comparison = rules
        .iter()
        .find(|rule| wildcard_match(&rule.pattern, path))
        .map_or(&Comparison::Bytes, |rule| &rule.comparison);
    if *comparison == Comparison::Bytes {
        return Some(bytes::explain(&x.content, &y.content, context));
    }
    let scratch = match Scratch::new(path, &x.content, &y.content) {
        Ok(scratch) => scratch,
        Err(error) => return Some(format!("cannot unpack for comparing: {error}")),
    };
    match compare_output(comparison, &scratch.a, &scratch.b, context) {
        Verdict::Equivalent => None,
        Verdict::Differs(why) => Some(why),
    }
}

/// The members of an archive file or a directory tree.
fn members(path: &Path) -> Result<Members, String> {
    if path.is_dir() {
        return directory_members(path);
    }
    let data = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    archive_members(&data).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn archive_members(data: &[u8]) -> Result<Members, String> {
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut inflated = Vec::new();
        flate2::read::MultiGzDecoder::new(data)
            .read_to_end(&mut inflated)
            .map_err(|e| format!("not a valid gzip stream: {e}"))?;
        if is_tar(&inflated) {
            return tar_members(&inflated);
        }
        let member = Member {
            kind: MemberKind::File(0o644),
            content: inflated,
        };
        return Ok(BTreeMap::from([("<content>".to_owned(), member)]));
    }
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return zip_members(data);
    }
    if is_tar(data) {
        return tar_members(data);
    }
    Err("not a tar, gzip or zip archive".to_owned())
}

fn is_tar(data: &[u8]) -> bool {
    data.get(257..262) == Some(b"ustar")
}

/// `./lib/x` and `lib/x` are the same member.
fn member_name(raw: &str) -> String {
    raw.trim_start_matches("./")
        .trim_end_matches('/')
        .to_owned()
}

fn tar_members(data: &[u8]) -> Result<Members, String> {
    let mut found = BTreeMap::new();
    let mut archive = tar::Archive::new(data);
    let listing = archive
        .entries()
        .map_err(|e| format!("not a valid tar: {e}"))?;
    for entry in listing {
        let mut entry = entry.map_err(|e| format!("damaged tar member: {e}"))?;
        let name = member_name(&entry.path().map_err(|e| e.to_string())?.to_string_lossy());
        let header = entry.header();
        let kind = header.entry_type();
        let member = if kind.is_symlink() || kind.is_hard_link() {
            let target = header
                .link_name()
                .ok()
                .flatten()
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            Member {
                kind: MemberKind::Link(target),
                content: Vec::new(),
            }
        } else if kind.is_file() {
            let mode = header.mode().map_err(|e| e.to_string())? & 0o7777;
            let mut content = Vec::new();
            entry
                .read_to_end(&mut content)
                .map_err(|e| format!("damaged tar member `{name}`: {e}"))?;
            Member {
                kind: MemberKind::File(mode),
                content,
            }
        } else {
            continue;
        };
        found.insert(name, member);
    }
    Ok(found)
}

fn zip_members(data: &[u8]) -> Result<Members, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| format!("not a valid zip: {e}"))?;
    let mut found = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|e| format!("damaged zip member: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = member_name(file.name());
        let mode = file.unix_mode().map_or(0o644, |m| m & 0o7777);
        let mut content = Vec::new();
        file.read_to_end(&mut content)
            .map_err(|e| format!("damaged zip member `{name}`: {e}"))?;
        let kind = if file.is_symlink() {
            MemberKind::Link(String::from_utf8_lossy(&content).into_owned())
        } else {
            MemberKind::File(mode)
        };
        found.insert(name, Member { kind, content });
    }
    Ok(found)
}

fn directory_members(root: &Path) -> Result<Members, String> {
    let mut found = BTreeMap::new();
    for (name, entry) in entries(root) {
        let member = match entry {
            Entry::Directory(_) => continue,
            Entry::Link(target) => Member {
                kind: MemberKind::Link(target.to_string_lossy().into_owned()),
                content: Vec::new(),
            },
            Entry::File(mode) => {
                let path = root.join(&name);
                let content = std::fs::read(&path)
                    .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
                Member {
                    kind: MemberKind::File(mode),
                    content,
                }
            }
        };
        found.insert(name, member);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    use super::*;

    /// Runs a real archiver; the test fails if it is missing.
    fn sh(dir: &Path, line: &str) {
        let status = Command::new("sh")
            .args(["-c", line])
            .current_dir(dir)
            .status()
            .expect("sh");
        assert!(status.success(), "{line}");
    }

    fn tree(root: &Path, mode: u32) {
        std::fs::create_dir_all(root.join("lib")).expect("mkdir");
        std::fs::write(root.join("lib/a.txt"), "alpha\n").expect("write");
        std::fs::write(root.join("README"), "read me\n").expect("write");
        std::fs::set_permissions(root.join("README"), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
        std::os::unix::fs::symlink("a.txt", root.join("lib/link")).expect("symlink");
    }

    fn verdict(a: &Path, b: &Path) -> Verdict {
        let context = super::super::test_context(a);
        compare(a, b, &[], &context)
    }

    #[test]
    fn tarballs_and_zips_match_by_members_not_by_mtime_or_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        tree(&d.join("one"), 0o644);
        tree(&d.join("two"), 0o644);
        sh(d, "touch -d 2001-01-01 two/lib/a.txt");
        sh(
            d,
            "tar czf one.tar.gz -C one . && tar cf two.tar -C two README lib",
        );
        sh(d, "gzip -c two.tar > two.tgz");
        assert_eq!(
            verdict(&d.join("one.tar.gz"), &d.join("two.tgz")),
            Verdict::Equivalent
        );
        assert_eq!(
            verdict(&d.join("one.tar.gz"), &d.join("two.tar")),
            Verdict::Equivalent
        );
        assert_eq!(
            verdict(&d.join("one"), &d.join("two.tar")),
            Verdict::Equivalent
        );
        sh(
            d,
            "python3 -c \"import zipfile; z = zipfile.ZipFile('one.zip', 'w', zipfile.ZIP_DEFLATED); z.write('one/README', 'README'); z.write('one/lib/a.txt', 'lib/a.txt'); z.close()\"",
        );
        sh(
            d,
            "python3 -c \"import zipfile; z = zipfile.ZipFile('two.zip', 'w'); z.write('two/lib/a.txt', 'lib/a.txt'); z.write('two/README', 'README'); z.close()\"",
        );
        assert_eq!(
            verdict(&d.join("one.zip"), &d.join("two.zip")),
            Verdict::Equivalent
        );
    }

    #[test]
    fn a_changed_mode_or_member_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        tree(&d.join("one"), 0o644);
        tree(&d.join("two"), 0o755);
        std::fs::write(d.join("two/lib/a.txt"), "beta\n").expect("write");
        sh(
            d,
            "tar czf one.tar.gz -C one . && tar czf two.tar.gz -C two .",
        );
        let Verdict::Differs(why) = verdict(&d.join("one.tar.gz"), &d.join("two.tar.gz")) else {
            panic!("expected a difference")
        };
        assert!(
            why.starts_with("2 members differ: `README` and `lib/a.txt`\n"),
            "{why}"
        );
        assert!(
            why.contains("`README`: legacy file mode 644, dagger file mode 755"),
            "{why}"
        );
        assert!(why.contains("-alpha\n+beta"), "{why}");
        std::fs::write(d.join("junk"), "not an archive").expect("write");
        let Verdict::Differs(why) = verdict(&d.join("one.tar.gz"), &d.join("junk")) else {
            panic!("expected a difference")
        };
        assert!(why.contains("not a tar, gzip or zip archive"), "{why}");
    }
}
