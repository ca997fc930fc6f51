//! Secret redaction: the one place that knows what a secret looks like.
//!
//! A [`Redactor`] replaces the values of a component's `secrets:` with
//! `***` wherever cutover copies text: the live stream and the captured
//! `stdout`/`stderr` (line by line, as they are read), the files sides
//! write under `.cutover/runs/*/out/`, and parity summaries. A multi-line
//! value (a PEM key) is matched whole and also line by line, since streams
//! are read a line at a time and a summary quotes single lines: each of its
//! lines of at least [`MIN_SECRET_LINE`] characters (trailing whitespace
//! and `\r` dropped) counts as a secret of its own. Longer values are
//! replaced first, so a value never survives in part because a shorter one
//! was replaced inside it.

use std::io;
use std::path::Path;

/// Shortest line of a multi-line secret that is redacted on its own;
/// shorter lines (a PEM's last `==`) carry too little to matter and would
/// blot out ordinary output.
pub const MIN_SECRET_LINE: usize = 3;

/// What replaces a secret.
const MASK: &[u8] = b"***";

/// Replaces secret values (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Byte strings to replace, longest first.
    needles: Vec<Vec<u8>>,
}

impl Redactor {
    /// A redactor for these secret values (empty ones are ignored).
    pub fn new(secrets: &[String]) -> Self {
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            needles.push(secret.as_bytes().to_vec());
            if secret.contains(['\n', '\r']) {
                needles.extend(
                    secret
                        .lines()
                        .map(str::trim_end)
                        .filter(|line| line.chars().count() >= MIN_SECRET_LINE)
                        .map(|line| line.as_bytes().to_vec()),
                );
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Redactor { needles }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `bytes` with every secret replaced by `***`.
    pub fn redact(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for needle in &self.needles {
            if out.len() < needle.len() {
                continue;
            }
            let mut result = Vec::with_capacity(out.len());
            let mut i = 0;
            while i < out.len() {
                if out[i..].starts_with(needle) {
                    result.extend_from_slice(MASK);
                    i += needle.len();
                } else {
                    result.push(out[i]);
                    i += 1;
                }
            }
            out = result;
        }
        out
    }

    /// `text` with every secret replaced by `***`.
    pub fn redact_str(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        String::from_utf8_lossy(&self.redact(text.as_bytes())).into_owned()
    }

    /// Rewrites every file under `directory` (found without following
    /// symlinks) with its secrets replaced; files without secrets are left
    /// untouched, and a file that cannot be read or rewritten is removed.
    /// A missing directory has nothing to scrub.
    pub fn scrub_tree(&self, directory: &Path) -> io::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        for relative in crate::fs::confine::list_files(directory)? {
            let path = directory.join(relative);
            let scrubbed = std::fs::read(&path).and_then(|bytes| {
                let clean = self.redact(&bytes);
                if clean == bytes {
                    Ok(())
                } else {
                    std::fs::write(&path, clean)
                }
            });
            // A file that cannot be checked cannot be kept.
            if scrubbed.is_err() {
                crate::fs::confine::remove(&path)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n==\n-----END PRIVATE KEY-----\n";

    #[test]
    fn single_and_multi_line_secrets() {
        let redactor = Redactor::new(&["s3cret".into(), PEM.into(), String::new()]);
        assert_eq!(redactor.redact_str("a s3cret b s3cret"), "a *** b ***");
        assert_eq!(
            redactor.redact_str(&format!("key:\n{PEM}done")),
            "key:\n***done"
        );
        // Read a line at a time, every line of the key is still hidden.
        for line in PEM.lines().filter(|l| l.len() >= MIN_SECRET_LINE) {
            assert_eq!(redactor.redact_str(&format!("{line}\n")), "***\n", "{line}");
        }
        let crlf = PEM.replace('\n', "\r\n");
        let clean = Redactor::new(std::slice::from_ref(&crlf)).redact_str(&crlf);
        assert!(
            !clean.contains("MIIE") && !clean.contains("BKcw"),
            "{clean}"
        );
        assert_eq!(redactor.redact_str("a == b"), "a == b");
    }

    #[test]
    fn longer_values_first() {
        let redactor = Redactor::new(&["abc".into(), "abcdef".into()]);
        assert_eq!(redactor.redact_str("abcdef abc"), "*** ***");
    }

    #[test]
    fn scrubs_files_without_following_links() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("out/sub")).expect("mkdir");
        std::fs::write(dir.path().join("out/sub/a.txt"), "token=s3cret\n").expect("write");
        std::fs::write(dir.path().join("elsewhere"), "s3cret").expect("write");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), dir.path().join("out/link"))
            .expect("link");
        Redactor::new(&["s3cret".into()])
            .scrub_tree(&dir.path().join("out"))
            .expect("scrub");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out/sub/a.txt")).expect("read"),
            "token=***\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("elsewhere")).expect("read"),
            "s3cret"
        );
    }
}
