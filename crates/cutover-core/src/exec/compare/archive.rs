//! `archive`: tar, tar.gz, gzip and zip files (or a directory, such as an
//! install tree) compared member by member — path, kind, mode and content —
//! ignoring modification times, owners, member order and directory entries.
//! Members matching a `members:` rule are compared by its comparator
//! (e.g. static libraries by `symbols`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::tree::{Entry, entries};
use super::{CompareContext, Scratch, Verdict, bytes, compare_output, differ_line};
use crate::exec::digest::hex;
use crate::spec::{Comparison, MemberComparison, wildcard_match};

/// Most differing members explained in detail; the rest are only named.
const MAX_EXPLAINED: usize = 5;

/// One member: its kind with mode or link target, and its content's digest.
/// The content itself is kept only when it is small enough to diff or a
/// `members:` rule needs it, so large archives stream through.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    kind: MemberKind,
    digest: String,
    size: u64,
    content: Option<Vec<u8>>,
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
    let keep = |name: &str| rules.iter().any(|rule| wildcard_match(&rule.pattern, name));
    let left = match members(a, &keep) {
        Ok(found) => found,
        Err(error) => return Verdict::Differs(format!("{side_a}: {error}")),
    };
    let right = match members(b, &keep) {
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
    if x.digest == y.digest {
        return None;
    }
    let comparison = rules
        .iter()
        .find(|rule| wildcard_match(&rule.pattern, path))
        .map_or(&Comparison::Bytes, |rule| &rule.comparison);
    let (Some(left), Some(right)) = (&x.content, &y.content) else {
        return Some(format!(
            "content differs ({side_a} {} bytes, {side_b} {} bytes)",
            x.size, y.size
        ));
    };
    if *comparison == Comparison::Bytes {
        return Some(bytes::explain(left, right, context));
    }
    let scratch = match Scratch::new(path, left, right) {
        Ok(scratch) => scratch,
        Err(error) => return Some(format!("cannot unpack for comparing: {error}")),
    };
    match compare_output(comparison, &scratch.a, &scratch.b, context) {
        Verdict::Equivalent => None,
        Verdict::Differs(why) => Some(why),
    }
}

/// Member content up to this size is kept for diffs; larger content is
/// only digested unless a `members:` rule needs it.
const KEEP_LIMIT: u64 = 4 * 1024 * 1024;

/// Whether a member's content must be kept whatever its size.
type Keep<'a> = &'a dyn Fn(&str) -> bool;

/// The members of an archive file or a directory tree.
/// A symlink is never followed (it may lead out of the project).
fn members(path: &Path, keep: Keep<'_>) -> Result<Members, String> {
    if let Ok(target) = std::fs::read_link(path) {
        let (path, target) = (path.display(), target.display());
        return Err(format!(
            "`{path}` is a symlink to `{target}` (not followed)"
        ));
    }
    if path.is_dir() {
        return directory_members(path, keep);
    }
    archive_members(path, keep).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn archive_members(path: &Path, keep: Keep<'_>) -> Result<Members, String> {
    let open = || std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"));
    let mut head = [0u8; 512];
    let read = read_up_to(&mut open()?, &mut head)?;
    let head = &head[..read];
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut inflated = flate2::read::MultiGzDecoder::new(open()?);
        let mut start = [0u8; 512];
        let read = read_up_to(&mut inflated, &mut start)
            .map_err(|e| format!("not a valid gzip stream: {e}"))?;
        let stream = std::io::Cursor::new(start[..read].to_vec()).chain(inflated);
        if is_tar(&start[..read]) {
            return tar_members(stream, keep);
        }
        let member = read_member(stream, MemberKind::File(0o644), true)
            .map_err(|e| format!("not a valid gzip stream: {e}"))?;
        return Ok(BTreeMap::from([("<content>".to_owned(), member)]));
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return zip_members(open()?, keep);
    }
    if is_tar(head) {
        return tar_members(open()?, keep);
    }
    Err("not a tar, gzip or zip archive".to_owned())
}

/// Fills as much of `buffer` as the stream holds; the count read.
fn read_up_to(reader: &mut dyn Read, buffer: &mut [u8]) -> Result<usize, String> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(filled)
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

/// Digests a member's content as it streams, keeping it when small or wanted.
fn read_member(mut reader: impl Read, kind: MemberKind, keep: bool) -> std::io::Result<Member> {
    let mut hasher = Sha256::new();
    let mut kept = Some(Vec::new());
    let mut size = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&chunk[..n]);
        size += n as u64;
        if !keep && size > KEEP_LIMIT {
            kept = None;
        }
        if let Some(content) = kept.as_mut() {
            content.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(Member {
        kind,
        digest: hex(&hasher.finalize()),
        size,
        content: kept,
    })
}

fn link(target: String) -> Member {
    Member {
        kind: MemberKind::Link(target),
        digest: String::new(),
        size: 0,
        content: Some(Vec::new()),
    }
}

fn tar_members(reader: impl Read, keep: Keep<'_>) -> Result<Members, String> {
    let mut found = BTreeMap::new();
    let mut archive = tar::Archive::new(reader);
    let listing = archive
        .entries()
        .map_err(|e| format!("not a valid tar: {e}"))?;
    for entry in listing {
        let entry = entry.map_err(|e| format!("damaged tar member: {e}"))?;
        let name = member_name(&entry.path().map_err(|e| e.to_string())?.to_string_lossy());
        let header = entry.header();
        let kind = header.entry_type();
        let member = if kind.is_symlink() || kind.is_hard_link() {
            let target = header.link_name().ok().flatten();
            link(
                target
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else if kind.is_file() {
            let mode = header.mode().map_err(|e| e.to_string())? & 0o7777;
            read_member(entry, MemberKind::File(mode), keep(&name))
                .map_err(|e| format!("damaged tar member `{name}`: {e}"))?
        } else {
            continue;
        };
        found.insert(name, member);
    }
    Ok(found)
}

fn zip_members(file: std::fs::File, keep: Keep<'_>) -> Result<Members, String> {
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("not a valid zip: {e}"))?;
    let mut found = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|e| format!("damaged zip member: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = member_name(file.name());
        let member = if file.is_symlink() {
            let mut target = String::new();
            file.read_to_string(&mut target)
                .map_err(|e| format!("damaged zip member `{name}`: {e}"))?;
            link(target)
        } else {
            let mode = file.unix_mode().map_or(0o644, |m| m & 0o7777);
            read_member(&mut file, MemberKind::File(mode), keep(&name))
                .map_err(|e| format!("damaged zip member `{name}`: {e}"))?
        };
        found.insert(name, member);
    }
    Ok(found)
}

fn directory_members(root: &Path, keep: Keep<'_>) -> Result<Members, String> {
    let mut found = BTreeMap::new();
    for (name, entry) in entries(root) {
        let member = match entry {
            Entry::Directory(_) => continue,
            Entry::Link(target) => link(target.to_string_lossy().into_owned()),
            Entry::File(mode) => {
                let path = root.join(&name);
                std::fs::File::open(&path)
                    .and_then(|file| read_member(file, MemberKind::File(mode), keep(&name)))
                    .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
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

    #[test]
    fn large_members_stream_and_are_compared_by_digest() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path();
        for (side, extra) in [("one", "a"), ("two", "b")] {
            std::fs::create_dir_all(d.join(side)).expect("mkdir");
            sh(
                d,
                &format!(
                    "head -c 6000000 /dev/zero > {side}/big.bin && echo {extra} >> {side}/big.bin"
                ),
            );
        }
        sh(d, "tar czf one.tgz -C one . && tar czf two.tgz -C two .");
        assert_eq!(
            verdict(&d.join("one.tgz"), &d.join("two.tgz")),
            Verdict::Differs(
                "1 member differs: `big.bin`\n`big.bin`: content differs (legacy 6000002 bytes, dagger 6000002 bytes)"
                    .into()
            )
        );
        sh(d, "cp one.tgz three.tgz");
        assert_eq!(
            verdict(&d.join("one.tgz"), &d.join("three.tgz")),
            Verdict::Equivalent
        );
    }
}
