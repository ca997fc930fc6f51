//! Every process one side started, found and stopped together.
//!
//! A side runs in its own process group, but processes leave groups
//! (`setsid`, shells that start job control) and outlive their parents. So a
//! side's tree is, at any moment, the union of:
//! - every process in the side's process group;
//! - every descendant (by parent pid) of those processes;
//! - every orphan re-parented to cutover whose environment carries the
//!   side's tag (`CUTOVER_PROCESS_TAG`), and its descendants.
//!
//! On Linux cutover makes itself a *child subreaper* before its first side
//! starts, so an orphan is re-parented to cutover rather than to init, and
//! therefore never leaves the last set. Stopping a tree sends SIGTERM to
//! all of it, waits a grace period while re-scanning (a dying shell does not
//! stop its children from forking), then SIGKILLs whatever is left. Zombies
//! are not members: they run nothing. Orphaned zombies that are not a live
//! side's own process are reaped here, since nobody else will.

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid, waitpid};
use nix::unistd::Pid;

/// Environment variable carrying a side's tag into every process it starts.
pub const TAG_VARIABLE: &str = "CUTOVER_PROCESS_TAG";

/// Time between SIGTERM and SIGKILL on timeout and on cancellation.
pub(crate) const KILL_GRACE: Duration = Duration::from_secs(5);

/// How often a stopping tree is re-scanned.
const POLL: Duration = Duration::from_millis(10);

/// One side's process tree: its leader (also its process group) and its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessTree {
    /// The side's main process, leader of its process group.
    pub leader: i32,
    /// The value of [`TAG_VARIABLE`] the side was started with.
    pub tag: String,
}

/// What `/proc/PID/stat` says about one process.
#[derive(Debug, Clone, Copy)]
struct ProcessInfo {
    pid: i32,
    parent: i32,
    group: i32,
    zombie: bool,
}

impl ProcessTree {
    /// The live processes of the tree, leader included while it runs.
    pub fn members(&self) -> Vec<i32> {
        let all = scan();
        let me = std::process::id() as i32;
        let mut members: Vec<i32> = all
            .iter()
            .filter(|p| !p.zombie && p.pid != me)
            .filter(|p| {
                p.group == self.leader
                    || p.pid == self.leader
                    || (p.parent == me && carries_tag(p.pid, &self.tag))
            })
            .map(|p| p.pid)
            .collect();
        loop {
            let more: Vec<i32> = all
                .iter()
                .filter(|p| !p.zombie && p.pid != me && !members.contains(&p.pid))
                .filter(|p| members.contains(&p.parent))
                .map(|p| p.pid)
                .collect();
            if more.is_empty() {
                return members;
            }
            members.extend(more);
        }
    }

    /// Sends `signal` to every member; returns how many there were.
    pub fn signal(&self, signal: Signal) -> usize {
        let _ = killpg(Pid::from_raw(self.leader), signal);
        let members = self.members();
        for pid in &members {
            let _ = kill(Pid::from_raw(*pid), signal);
        }
        members.len()
    }

    /// SIGTERM to the whole tree, up to `grace` for it to go, then SIGKILL
    /// to whatever is left, until nothing is. The orphans it leaves as
    /// zombies are reaped by [`super::cancel::reap_orphans`], which knows
    /// which zombies belong to a live side's waiter.
    pub fn stop(&self, grace: Duration) {
        let deadline = Instant::now() + grace;
        let mut signal = Signal::SIGTERM;
        // Bounded: SIGKILL cannot be ignored, so a few rounds empty the tree
        // even when members fork while being killed.
        for _ in 0..1_000 {
            if self.signal(signal) == 0 {
                break;
            }
            std::thread::sleep(POLL);
            if Instant::now() >= deadline {
                signal = Signal::SIGKILL;
            }
        }
    }
}

/// Whether any process but cutover itself is in the tree. Cheap when
/// nothing is left: a full scan of `/proc` happens only if the side's
/// process group still has members or cutover still has child processes
/// (every survivor of a finished side is one of the two, since orphans are
/// re-parented to cutover).
pub fn is_empty(tree: &ProcessTree) -> bool {
    let group_alive = killpg(Pid::from_raw(tree.leader), None).is_ok();
    if !group_alive && !has_children() && cfg!(target_os = "linux") {
        return true;
    }
    tree.members().is_empty()
}

/// Whether cutover has any child process, running or not yet reaped.
fn has_children() -> bool {
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    !matches!(waitid(Id::All, flags), Err(nix::errno::Errno::ECHILD))
}

/// Makes cutover the reaper of its orphaned descendants (Linux), so none
/// escapes to init. Idempotent.
pub fn adopt_orphans() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

/// Reaps zombies re-parented to cutover, except `leaders` (the main
/// processes of the sides running now: their waiters reap them).
pub(crate) fn reap_orphans_except(leaders: &[i32]) {
    let me = std::process::id() as i32;
    for process in scan() {
        if process.zombie && process.parent == me && !leaders.contains(&process.pid) {
            let _ = waitpid(Pid::from_raw(process.pid), Some(WaitPidFlag::WNOHANG));
        }
    }
}

fn carries_tag(pid: i32, tag: &str) -> bool {
    let Ok(environment) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let wanted = format!("{TAG_VARIABLE}={tag}");
    environment
        .split(|b| *b == 0)
        .any(|entry| entry == wanted.as_bytes())
}

/// Every process visible in `/proc`.
fn scan() -> Vec<ProcessInfo> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(process_info)
        .collect()
}

/// Parses `/proc/PID/stat`: the command name is in parentheses and may hold
/// spaces, so fields are counted after the last `)`.
fn process_info(pid: i32) -> Option<ProcessInfo> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let parent = fields.next()?.parse().ok()?;
    let group = fields.next()?.parse().ok()?;
    Some(ProcessInfo {
        pid,
        parent,
        group,
        zombie: state == "Z" || state == "X",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_process() {
        let me = process_info(std::process::id() as i32).expect("own stat");
        assert!(!me.zombie);
        assert_eq!(me.parent, nix::unistd::getppid().as_raw());
        assert!(process_info(i32::MAX).is_none());
    }
}
