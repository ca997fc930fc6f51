//! Which process started a run, in a form that survives pid reuse.
//!
//! A pid alone is not an identity: after a run's process dies, the kernel
//! hands its pid to some later process, and a check by pid would call the
//! dead run "running". A [`ProcessIdentity`] pairs the pid with the
//! process's start time (clock ticks since boot, from `/proc/PID/stat`),
//! and both are packed into one integer so the store keeps them in the
//! single `pid` column it always had: `start_ticks << 22 | pid` (Linux pids
//! stay below 2^22). A value with no start time (rows written before, or a
//! system without `/proc`) falls back to the pid alone.

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;

/// Bits of the packed value that hold the pid.
const PID_BITS: u32 = 22;

/// A process, told apart from any later process that reuses its pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessIdentity {
    /// The process id.
    pub pid: u32,
    /// Start time in clock ticks since boot, when known.
    pub start_ticks: Option<u64>,
}

impl ProcessIdentity {
    /// This process. Read from `/proc` once per process (a run asks
    /// several times); a forked child, whose pid differs, reads its own.
    pub fn current() -> Self {
        static CURRENT: std::sync::OnceLock<ProcessIdentity> = std::sync::OnceLock::new();
        let pid = std::process::id();
        let cached = *CURRENT.get_or_init(|| ProcessIdentity {
            pid,
            start_ticks: start_ticks(pid),
        });
        if cached.pid == pid {
            cached
        } else {
            ProcessIdentity {
                pid,
                start_ticks: start_ticks(pid),
            }
        }
    }

    /// Packs pid and start time into one integer for the store.
    pub fn encode(&self) -> i64 {
        let ticks = self
            .start_ticks
            .filter(|t| *t < 1 << (63 - PID_BITS))
            .unwrap_or(0);
        i64::try_from(ticks << PID_BITS | u64::from(self.pid) & ((1 << PID_BITS) - 1))
            .unwrap_or(i64::from(self.pid))
    }

    /// Unpacks a value written by [`ProcessIdentity::encode`] (or a bare pid).
    pub fn decode(value: i64) -> Self {
        let value = u64::try_from(value).unwrap_or(0);
        let ticks = value >> PID_BITS;
        ProcessIdentity {
            pid: u32::try_from(value & ((1 << PID_BITS) - 1)).unwrap_or(0),
            start_ticks: (ticks > 0).then_some(ticks),
        }
    }

    /// Whether this very process is still running on this machine.
    pub fn is_running(&self) -> bool {
        let Ok(pid) = i32::try_from(self.pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        let exists = match kill(Pid::from_raw(pid), None) {
            Ok(()) => true,
            Err(errno) => errno == Errno::EPERM,
        };
        match (exists, self.start_ticks) {
            (false, _) => false,
            (true, None) => true,
            (true, Some(ticks)) => start_ticks(self.pid) == Some(ticks),
        }
    }
}

/// Start time of a process in clock ticks since boot: field 22 of
/// `/proc/PID/stat`, counted after the command name's closing parenthesis
/// (the name may hold spaces).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tells_a_reused_pid_apart() {
        let me = ProcessIdentity::current();
        assert!(me.start_ticks.is_some(), "/proc gives a start time");
        assert_eq!(ProcessIdentity::decode(me.encode()), me);
        assert!(me.is_running());
        let reused = ProcessIdentity {
            start_ticks: me.start_ticks.map(|t| t + 1),
            ..me
        };
        assert!(
            !reused.is_running(),
            "same pid, later start: another process"
        );
        let bare = ProcessIdentity::decode(i64::from(me.pid));
        assert_eq!(bare.start_ticks, None);
        assert!(bare.is_running());
        assert!(!ProcessIdentity::decode(-5).is_running());
    }
}
