//! Spawning one side's command.
//!
//! Everything is set explicitly: the command runs as `/bin/sh -c LINE` in the
//! given working directory; its environment is cutover's own, then the
//! `CUTOVER_*` variables and `TRACEPARENT` on top (later layers win); stdin is
//! null. stdout and stderr are drained concurrently by two threads, so a
//! chatty child never deadlocks, each line redacted of secret values, written
//! to a capture file and, for the authoritative side, streamed live.
//!
//! Timeouts and signals: each side runs in its own process group. On timeout
//! the group gets SIGTERM, then after a grace period (still reading output)
//! SIGKILL. After the main process exits, output is read for at most a few
//! seconds more, so a background grandchild holding the pipe cannot hang CI.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::outcome::SideOutcome;

/// Time between SIGTERM and SIGKILL on timeout.
const KILL_GRACE: Duration = Duration::from_secs(5);
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
    /// Where stdout is captured.
    pub stdout_file: PathBuf,
    /// Where stderr is captured.
    pub stderr_file: PathBuf,
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
}

/// Runs the command to completion (or timeout).
pub fn run_side(command: &SideCommand) -> Execution {
    let started = Instant::now();
    let spawned = Command::new("/bin/sh")
        .arg("-c")
        .arg(&command.line)
        .current_dir(&command.working_dir)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => {
            return Execution {
                outcome: SideOutcome::SpawnFailed {
                    message: error.to_string(),
                },
                duration: started.elapsed(),
            };
        }
    };
    let pid = child.id() as i32;
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut readers = 0;
    if let Some(stdout) = child.stdout.take() {
        spawn_reader(
            stdout,
            &command.stdout_file,
            command
                .live
                .then(|| Box::new(io::stdout()) as Box<dyn Write + Send>),
            command.redact.clone(),
            done_tx.clone(),
        );
        readers += 1;
    }
    if let Some(stderr) = child.stderr.take() {
        spawn_reader(
            stderr,
            &command.stderr_file,
            command
                .live
                .then(|| Box::new(io::stderr()) as Box<dyn Write + Send>),
            command.redact.clone(),
            done_tx.clone(),
        );
        readers += 1;
    }
    drop(done_tx);
    let (status_tx, status_rx) = mpsc::channel::<io::Result<ExitStatus>>();
    std::thread::spawn(move || {
        let _ = status_tx.send(child.wait());
    });
    let outcome = wait_with_timeout(&status_rx, pid, command.timeout);
    let duration = started.elapsed();
    let deadline = Instant::now() + DRAIN_AFTER_EXIT;
    for _ in 0..readers {
        let left = deadline.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    Execution { outcome, duration }
}

fn wait_with_timeout(
    status: &mpsc::Receiver<io::Result<ExitStatus>>,
    pid: i32,
    timeout: Option<Duration>,
) -> SideOutcome {
    let first = match timeout {
        Some(limit) => status.recv_timeout(limit).ok(),
        None => status.recv().ok(),
    };
    if let Some(result) = first {
        return outcome_of(result);
    }
    let after_ms = timeout.map_or(0, |t| t.as_millis() as u64);
    let group = Pid::from_raw(pid);
    let _ = killpg(group, Signal::SIGTERM);
    if status.recv_timeout(KILL_GRACE).is_err() {
        let _ = killpg(group, Signal::SIGKILL);
        let _ = status.recv();
    }
    SideOutcome::TimedOut { after_ms }
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

/// Copies a pipe line by line into `file` (and `live`), redacting secrets.
fn spawn_reader(
    pipe: impl Read + Send + 'static,
    file: &Path,
    live: Option<Box<dyn Write + Send>>,
    redact: Vec<String>,
    done: mpsc::Sender<()>,
) {
    let file = file.to_owned();
    std::thread::spawn(move || {
        let _ = copy_lines(pipe, &file, live, &redact);
        let _ = done.send(());
    });
}

fn copy_lines(
    pipe: impl Read,
    file: &Path,
    mut live: Option<Box<dyn Write + Send>>,
    redact: &[String],
) -> io::Result<()> {
    let mut reader = BufReader::new(pipe);
    let mut capture = BufWriter::new(File::create(file)?);
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let clean = redact_bytes(&line, redact);
        capture.write_all(&clean)?;
        if let Some(out) = live.as_mut() {
            // A closed terminal must not stop the capture.
            if out.write_all(&clean).and_then(|()| out.flush()).is_err() {
                live = None;
            }
        }
    }
    capture.flush()
}

/// Replaces every occurrence of each secret value with `***`.
pub fn redact_bytes(line: &[u8], secrets: &[String]) -> Vec<u8> {
    let mut out = line.to_vec();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let needle = secret.as_bytes();
        let mut result = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(needle) {
                result.extend_from_slice(b"***");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str, dir: &Path, timeout: Option<Duration>) -> SideCommand {
        SideCommand {
            line: line.into(),
            working_dir: dir.to_owned(),
            env: vec![("GREETING".into(), "hello".into())],
            stdout_file: dir.join("stdout"),
            stderr_file: dir.join("stderr"),
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
