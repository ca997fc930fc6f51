//! Spawning one side's command.
//!
//! Everything is set explicitly: the command runs as `/bin/sh -c LINE` in the
//! given working directory; its environment is cutover's own, then the
//! `CUTOVER_*` variables and `TRACEPARENT` on top (later layers win); stdin is
//! null. stdout and stderr are drained concurrently by two threads, so a
//! chatty child never deadlocks, each line redacted of secret values, written
//! to a capture file and, for the authoritative side, streamed live.
//!
//! Timeouts and signals: each side runs in its own process group and carries
//! a tag in its environment, so its whole [`ProcessTree`] can be found, even
//! processes that left the group or lost their parent. On timeout the tree
//! gets SIGTERM, then after a grace period (still reading output) SIGKILL,
//! re-scanned until nothing is left. When the main process exits by itself,
//! whatever it left running in its tree is stopped the same way (a shorter
//! grace), so a forgotten `sleep 60 &` neither outlives the run nor holds
//! it. Output is then read for at most a few seconds more. SIGINT and
//! SIGTERM to cutover stop every running tree (see [`super::cancel`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::outcome::SideOutcome;
use super::priority::{self, Lowering};
use super::process_tree::{self, KILL_GRACE, ProcessTree, TAG_VARIABLE};
use super::redact::Redactor;

/// Time between SIGTERM and SIGKILL for what a finished side left running.
const LEFTOVER_GRACE: Duration = Duration::from_secs(2);
/// How long output is still read after the process exits.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(3);

/// One side's command and how to run it.
#[derive(Debug, Clone)]
pub struct SideCommand {
    /// Shell command line, extra arguments already appended and quoted.
    pub line: String,
    /// Working directory.
    pub working_dir: PathBuf,
    /// Variables layered over cutover's own environment.
    pub env: Vec<(String, String)>,
    /// Where stdout is captured (`None`: streamed only).
    pub stdout_file: Option<PathBuf>,
    /// Where stderr is captured (`None`: streamed only).
    pub stderr_file: Option<PathBuf>,
    /// Stream output live to cutover's own stdout/stderr (authoritative side).
    pub live: bool,
    /// Kill after this long.
    pub timeout: Option<Duration>,
    /// Secret values to redact from everything captured or streamed.
    pub redact: Vec<String>,
}

/// The result of running a [`SideCommand`].
#[derive(Debug, Clone)]
pub struct Execution {
    /// How it ended.
    pub outcome: SideOutcome,
    /// Wall time from spawn to exit.
    pub duration: Duration,
    /// SHA-256 of stdout as captured (secrets redacted), if it was read to the end.
    pub stdout_digest: Option<String>,
    /// The first Dagger Cloud trace URL printed on either stream.
    pub trace_url: Option<String>,
}

/// What a pipe reader saw.
#[derive(Debug, Default)]
struct Drained {
    digest: Option<String>,
    trace_url: Option<String>,
}

/// Runs the command to completion (or timeout), then stops whatever it
/// left running.
pub fn run_side(command: &SideCommand) -> Execution {
    run(command, false).0
}

/// Runs the command like [`run_side`] at lowered CPU and I/O priority (see
/// [`super::priority`]); also says what was lowered. Lowers the calling
/// thread too, for good: call it on a thread of its own.
pub fn run_side_lowered(command: &SideCommand) -> (Execution, Lowering) {
    let (execution, lowering) = run(command, true);
    (execution, lowering.unwrap_or_default())
}

fn run(command: &SideCommand, lowered: bool) -> (Execution, Option<Lowering>) {
    let mut lowering = lowered.then(priority::lower_this_thread);
    let started = Instant::now();
    process_tree::adopt_orphans();
    let tag = format!("{}-{}", std::process::id(), super::random_hex(6));
    let (mut child, tree) = match super::cancel::start(&tag, || spawn(command, &tag)) {
        Ok(Some(started)) => started,
        Ok(None) => {
            return (
                not_started("not started: cutover was interrupted".into(), started),
                None,
            );
        }
        Err(error) => return (not_started(error.to_string(), started), None),
    };
    let quota = lowering
        .as_mut()
        .and_then(|lowering| priority::limit(child.id() as i32, &tag, lowering));
    let (done_rx, readers) = spawn_readers(&mut child, command);
    let outcome = match command.timeout {
        // No time limit: wait right here; a waiter thread would only add a
        // hand-over (and its scheduling delay) to every run.
        None => outcome_of(child.wait()),
        Some(limit) => {
            let (status_tx, status_rx) = mpsc::channel::<io::Result<ExitStatus>>();
            std::thread::spawn(move || {
                let _ = status_tx.send(child.wait());
            });
            wait_with_timeout(&status_rx, &tree, limit)
        }
    };
    let duration = started.elapsed();
    super::cancel::finish(&tree);
    if !process_tree::is_empty(&tree) {
        stop(&tree, LEFTOVER_GRACE);
    }
    let (stdout_digest, trace_url) = drain(&done_rx, readers);
    if let Some(quota) = quota {
        quota.remove();
    }
    let execution = Execution {
        outcome,
        duration,
        stdout_digest,
        trace_url,
    };
    (execution, lowering)
}

/// Starts `/bin/sh -c LINE` in its own process group, tagged; returns the
/// child and its pid.
fn spawn(command: &SideCommand, tag: &str) -> io::Result<(Child, i32)> {
    let child = Command::new("/bin/sh")
        .arg("-c")
        .arg(&command.line)
        .current_dir(&command.working_dir)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .env(TAG_VARIABLE, tag)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let pid = child.id() as i32;
    Ok((child, pid))
}

/// One reader thread per pipe; returns where they report and how many there are.
fn spawn_readers(
    child: &mut Child,
    command: &SideCommand,
) -> (mpsc::Receiver<(bool, Drained)>, usize) {
    let (done_tx, done_rx) = mpsc::channel::<(bool, Drained)>();
    let mut readers = 0;
    if let Some(stdout) = child.stdout.take() {
        let live = command
            .live
            .then(|| Box::new(io::stdout()) as Box<dyn Write + Send>);
        let file = command.stdout_file.clone();
        spawn_reader(
            stdout,
            file,
            live,
            command.redact.clone(),
            true,
            done_tx.clone(),
        );
        readers += 1;
    }
    if let Some(stderr) = child.stderr.take() {
        let live = command
            .live
            .then(|| Box::new(io::stderr()) as Box<dyn Write + Send>);
        let file = command.stderr_file.clone();
        spawn_reader(stderr, file, live, command.redact.clone(), false, done_tx);
        readers += 1;
    }
    (done_rx, readers)
}

/// Waits a few seconds at most for the readers: stdout's digest and the
/// first trace URL seen.
fn drain(
    done: &mpsc::Receiver<(bool, Drained)>,
    readers: usize,
) -> (Option<String>, Option<String>) {
    let deadline = Instant::now() + DRAIN_AFTER_EXIT;
    let (mut stdout_digest, mut trace_url) = (None, None);
    for _ in 0..readers {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((is_stdout, drained)) = done.recv_timeout(left) else {
            break;
        };
        if is_stdout {
            stdout_digest = drained.digest;
        }
        trace_url = trace_url.or(drained.trace_url);
    }
    (stdout_digest, trace_url)
}

fn not_started(message: String, started: Instant) -> Execution {
    Execution {
        outcome: SideOutcome::SpawnFailed { message },
        duration: started.elapsed(),
        stdout_digest: None,
        trace_url: None,
    }
}

fn wait_with_timeout(
    status: &mpsc::Receiver<io::Result<ExitStatus>>,
    tree: &ProcessTree,
    timeout: Duration,
) -> SideOutcome {
    if let Ok(result) = status.recv_timeout(timeout) {
        return outcome_of(result);
    }
    let after_ms = timeout.as_millis() as u64;
    stop(tree, KILL_GRACE);
    let _ = status.recv();
    SideOutcome::TimedOut { after_ms }
}

/// Stops a side's tree and reaps the orphans it left as zombies.
fn stop(tree: &ProcessTree, grace: Duration) {
    tree.stop(grace);
    super::cancel::reap_orphans();
}

fn outcome_of(result: io::Result<ExitStatus>) -> SideOutcome {
    match result {
        Err(error) => SideOutcome::SpawnFailed {
            message: format!("failed to wait for the process: {error}"),
        },
        Ok(status) => match (status.code(), status.signal()) {
            (Some(0), _) => SideOutcome::Succeeded,
            (Some(code), _) => SideOutcome::Failed { code },
            (None, Some(signal)) => SideOutcome::Signalled { signal },
            (None, None) => SideOutcome::Failed { code: 1 },
        },
    }
}

/// Copies a pipe line by line into `file` (and `live`), redacting secrets,
/// hashing what it copies and watching for a Dagger Cloud trace URL.
fn spawn_reader(
    pipe: impl Read + Send + 'static,
    file: Option<PathBuf>,
    live: Option<Box<dyn Write + Send>>,
    redact: Vec<String>,
    is_stdout: bool,
    done: mpsc::Sender<(bool, Drained)>,
) {
    std::thread::spawn(move || {
        let drained =
            copy_lines(pipe, file.as_deref(), live, &Redactor::new(&redact)).unwrap_or_default();
        let _ = done.send((is_stdout, drained));
    });
}

fn copy_lines(
    pipe: impl Read,
    file: Option<&Path>,
    mut live: Option<Box<dyn Write + Send>>,
    redactor: &Redactor,
) -> io::Result<Drained> {
    let mut reader = BufReader::new(pipe);
    let mut capture = file.map(File::create).transpose()?.map(BufWriter::new);
    let mut hasher = Sha256::new();
    let mut trace_url = None;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let clean = redactor.redact(&line);
        hasher.update(&clean);
        if trace_url.is_none() {
            trace_url = find_trace_url(&clean);
        }
        if let Some(capture) = capture.as_mut() {
            capture.write_all(&clean)?;
        }
        if let Some(out) = live.as_mut() {
            // A closed terminal must not stop the capture.
            if out.write_all(&clean).and_then(|()| out.flush()).is_err() {
                live = None;
            }
        }
    }
    if let Some(capture) = capture.as_mut() {
        capture.flush()?;
    }
    Ok(Drained {
        digest: Some(super::digest::hex(&hasher.finalize())),
        trace_url,
    })
}

/// A Dagger Cloud trace URL in a line, trailing punctuation removed.
fn find_trace_url(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let at = text.find("dagger.cloud/")?;
    let start = text[..at]
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .map_or(0, |i| i + 1);
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    let url = url.trim_end_matches(['.', ',', ')']).to_owned();
    url.starts_with("http").then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str, dir: &Path, timeout: Option<Duration>) -> SideCommand {
        SideCommand {
            line: line.into(),
            working_dir: dir.to_owned(),
            env: vec![("GREETING".into(), "hello".into())],
            stdout_file: Some(dir.join("stdout")),
            stderr_file: Some(dir.join("stderr")),
            live: false,
            timeout,
            redact: vec!["s3cret".into()],
        }
    }

    #[test]
    fn captures_output_with_env_and_redaction() {
        let dir = tempfile::tempdir().expect("tmp");
        let run = run_side(&command(
            "echo $GREETING s3cret; echo oops >&2; exit 3",
            dir.path(),
            None,
        ));
        assert_eq!(run.outcome, SideOutcome::Failed { code: 3 });
        assert_eq!(
            std::fs::read_to_string(dir.path().join("stdout")).expect("stdout"),
            "hello ***\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("stderr")).expect("stderr"),
            "oops\n"
        );
    }

    #[test]
    fn kills_the_whole_group_on_timeout() {
        let dir = tempfile::tempdir().expect("tmp");
        let started = Instant::now();
        let run = run_side(&command(
            "sleep 30 & sleep 30",
            dir.path(),
            Some(Duration::from_millis(200)),
        ));
        assert!(matches!(
            run.outcome,
            SideOutcome::TimedOut { after_ms: 200 }
        ));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(run.outcome.exit_code(), 124);
    }

    #[test]
    fn chatty_children_do_not_deadlock() {
        let dir = tempfile::tempdir().expect("tmp");
        let run = run_side(&command(
            "yes line | head -n 200000; yes err | head -n 200000 >&2",
            dir.path(),
            None,
        ));
        assert!(run.outcome.is_success());
        let lines = std::fs::read_to_string(dir.path().join("stdout"))
            .expect("stdout")
            .lines()
            .count();
        assert_eq!(lines, 200_000);
    }

    #[test]
    fn trace_urls_are_found_in_the_stream() {
        assert_eq!(
            find_trace_url(b"Full trace at https://dagger.cloud/acme/traces/abc123.\n").as_deref(),
            Some("https://dagger.cloud/acme/traces/abc123")
        );
        assert_eq!(find_trace_url(b"no url here\n"), None);
        let dir = tempfile::tempdir().expect("tmp");
        let mut streamed = command(
            "echo out; echo 'trace https://dagger.cloud/o/traces/1' >&2",
            dir.path(),
            None,
        );
        streamed.stdout_file = None;
        streamed.stderr_file = None;
        let run = run_side(&streamed);
        assert_eq!(
            run.trace_url.as_deref(),
            Some("https://dagger.cloud/o/traces/1")
        );
        assert_eq!(run.stdout_digest, Some(crate::exec::digest_bytes(b"out\n")));
        assert!(!dir.path().join("stdout").exists());
    }

    #[test]
    fn spawn_failure_is_not_a_failure_to_run() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut missing = command("true", dir.path(), None);
        missing.working_dir = dir.path().join("does-not-exist");
        assert!(matches!(
            run_side(&missing).outcome,
            SideOutcome::SpawnFailed { .. }
        ));
    }
}
