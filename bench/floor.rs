//! The floor under `cutover run`'s overhead (bench/run.py, "floor"): the
//! least any wrapper in Rust costs. Without an argument it exits at once (a
//! program's start alone); with `spawn` it starts `/bin/sh -c true` the way
//! `cutover run` starts a side — its own process group, stdout and stderr
//! piped and drained by a thread each — and waits for it.
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode, Stdio};

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() != Some("spawn") {
        return ExitCode::SUCCESS;
    }
    let Ok(mut child) = Command::new("/bin/sh")
        .args(["-c", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
    else {
        return ExitCode::FAILURE;
    };
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let _ = (out.join(), err.join());
    match child.wait() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
