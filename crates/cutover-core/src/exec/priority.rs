//! Lowering a shadowing side's priority, so that it does not slow down the
//! authoritative side it runs beside (the CI job itself).
//!
//! CPU and I/O priorities are set on the thread that is about to spawn the
//! side (Linux keeps both per thread, and a forked child inherits them), so
//! the side's very first instruction already runs lowered — no window in
//! which a short command escapes. That thread must be one of its own (the
//! shadow's thread in `run`): a thread cannot raise its priority back.
//! - CPU: `setpriority(PRIO_PROCESS, 0)` to [`SHADOW_NICE`] (a nice 19
//!   process gets about 1.5% of a CPU a nice 0 process wants);
//! - I/O: `ioprio_set(IOPRIO_WHO_PROCESS, 0)` to the idle class (its I/O is
//!   served when the disk is otherwise idle);
//! - a CPU quota: when cutover may create a cgroup v2 below its own (a
//!   delegated cgroup, e.g. a systemd unit with `Delegate=yes`), the side's
//!   main process is moved into a new one with `cpu.max` set to
//!   [`QUOTA_SHARE`] of the machine; every process it starts inherits it.
//!
//! Each step that fails (no permission, no cgroup v2, cgroup v1) is skipped
//! silently; [`Lowering`] says which ones applied, and is recorded with the
//! execution. A side that calls `setsid` lands in another autogroup, where
//! its nice value no longer competes with the CI job's: such sides rely on
//! the quota or on `shadow: after`.

use std::fs;
use std::path::{Path, PathBuf};

/// The nice value of a shadowing side.
pub const SHADOW_NICE: i32 = 19;
/// The share of the machine's CPUs a shadowing side may use under a quota.
pub const QUOTA_SHARE: f64 = 0.5;
/// The cgroup v2 period, microseconds.
const QUOTA_PERIOD_US: u64 = 100_000;
/// Where cgroup v2 is mounted when it is the only hierarchy.
const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// What was lowered for one side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lowering {
    /// The nice value set, if setting it worked.
    pub nice: Option<i32>,
    /// Whether the idle I/O class was set.
    pub io_idle: bool,
    /// The `cpu.max` written to a cgroup of the side's own, if one could be
    /// created.
    pub cpu_max: Option<String>,
}

impl Lowering {
    /// A short description for records: `nice 19, io idle, cpu.max 100000
    /// 100000`, or `none` when nothing applied.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(nice) = self.nice {
            parts.push(format!("nice {nice}"));
        }
        if self.io_idle {
            parts.push("io idle".to_owned());
        }
        if let Some(cpu_max) = &self.cpu_max {
            parts.push(format!("cpu.max {cpu_max}"));
        }
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// Whether anything applied.
    pub fn any(&self) -> bool {
        self.nice.is_some() || self.io_idle || self.cpu_max.is_some()
    }
}

/// A cgroup created for one side; removed by [`Quota::remove`] once the
/// side's tree is gone.
#[derive(Debug)]
pub struct Quota {
    dir: PathBuf,
}

impl Quota {
    /// Removes the cgroup (it must be empty; a failure is ignored, as the
    /// kernel keeps an empty cgroup harmlessly).
    pub fn remove(self) {
        let _ = fs::remove_dir(&self.dir);
    }
}

/// Lowers the CPU and I/O priority of the calling thread, for the side it
/// is about to spawn (see the module doc: call it on a thread of its own).
pub fn lower_this_thread() -> Lowering {
    // `None` is "the caller": on Linux the calling thread.
    let nice = rustix::process::setpriority_process(None, SHADOW_NICE)
        .ok()
        .map(|()| SHADOW_NICE);
    let io_idle = ioprio::set_priority(
        ioprio::Target::Process(ioprio::Pid::from_raw(0)),
        ioprio::Priority::new(ioprio::Class::Idle),
    )
    .is_ok();
    Lowering {
        nice,
        io_idle,
        cpu_max: None,
    }
}

/// Puts the side whose main process is `pid` under a CPU quota of its own,
/// when a cgroup can be created; `tag` names the cgroup. Records the
/// quota in `lowering`.
pub fn limit(pid: i32, tag: &str, lowering: &mut Lowering) -> Option<Quota> {
    let (quota, cpu_max) = own_cgroup().and_then(|parent| quota(&parent, pid, tag))?;
    lowering.cpu_max = Some(cpu_max);
    Some(quota)
}

/// cutover's own cgroup directory, when cgroup v2 is mounted alone and has
/// the cpu controller.
fn own_cgroup() -> Option<PathBuf> {
    let root = Path::new(CGROUP_ROOT);
    let controllers = fs::read_to_string(root.join("cgroup.controllers")).ok()?;
    if !controllers.split_whitespace().any(|c| c == "cpu") {
        return None;
    }
    let membership = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = membership.lines().find_map(|l| l.strip_prefix("0::"))?;
    Some(root.join(path.trim_start_matches('/')))
}

/// Creates `<parent>/cutover-<tag>` with a `cpu.max` and moves `pid` into it.
fn quota(parent: &Path, pid: i32, tag: &str) -> Option<(Quota, String)> {
    // The controller must be enabled for children; this fails where the
    // parent holds processes itself (the "no internal processes" rule),
    // which is the usual case outside a delegated cgroup.
    let enabled = fs::read_to_string(parent.join("cgroup.subtree_control")).ok()?;
    if !enabled.split_whitespace().any(|c| c == "cpu") {
        fs::write(parent.join("cgroup.subtree_control"), "+cpu").ok()?;
    }
    let dir = parent.join(format!("cutover-{tag}"));
    fs::create_dir(&dir).ok()?;
    let quota = Quota { dir };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max_us = ((cpus as f64 * QUOTA_SHARE) * QUOTA_PERIOD_US as f64) as u64;
    let cpu_max = format!("{max_us} {QUOTA_PERIOD_US}");
    let moved = fs::write(quota.dir.join("cpu.max"), &cpu_max).is_ok()
        && fs::write(quota.dir.join("cgroup.procs"), pid.to_string()).is_ok();
    if moved {
        Some((quota, cpu_max))
    } else {
        quota.remove();
        None
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;

    use super::*;

    #[test]
    fn lowering_is_described_by_what_applied() {
        assert_eq!(Lowering::default().describe(), "none");
        let lowering = Lowering {
            nice: Some(19),
            io_idle: true,
            cpu_max: None,
        };
        assert_eq!(lowering.describe(), "nice 19, io idle");
        assert!(lowering.any());
    }

    #[test]
    fn a_process_spawned_by_a_lowered_thread_starts_lowered() {
        let (lowering, mut child) = std::thread::spawn(|| {
            let lowering = lower_this_thread();
            let child = std::process::Command::new("sleep")
                .arg("5")
                .process_group(0)
                .spawn()
                .expect("spawn sleep");
            (lowering, child)
        })
        .join()
        .expect("thread");
        let pid = child.id() as i32;
        let mut lowering = lowering;
        let quota = limit(pid, "test", &mut lowering);
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
        let _ = child.kill();
        let _ = child.wait();
        if let Some(quota) = quota {
            quota.remove();
        }
        // Field 19 of /proc/PID/stat is the nice value (after the comm field).
        let nice: i32 = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(16))
            .and_then(|n| n.parse().ok())
            .expect("nice field");
        assert_eq!(lowering.nice, Some(SHADOW_NICE));
        assert_eq!(nice, SHADOW_NICE);
    }
}
