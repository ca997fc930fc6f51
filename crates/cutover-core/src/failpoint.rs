//! Test-only failpoints: when `CUTOVER_TEST_FAILPOINT` names a point, the
//! process kills itself there with SIGKILL (no cleanup, like a real crash),
//! so tests can prove that every interruption is recoverable. Inert unless
//! the variable is set. Shared by every operation that must survive a crash
//! (advance, rollback, snapshots).

/// The environment variable naming the failpoint to crash at.
pub const FAILPOINT_VARIABLE: &str = "CUTOVER_TEST_FAILPOINT";

/// Crashes here if the failpoint `name` is armed.
pub fn failpoint(name: &str) {
    if std::env::var(FAILPOINT_VARIABLE).is_ok_and(|armed| armed == name) {
        // If raising fails the process simply goes on: the failpoint is a test aid.
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}

/// Crashes here if the failpoint `name` is armed, or `name:detail` (so a
/// test can pick one call among many, say the write of one file).
pub fn failpoint_at(name: &str, detail: &str) {
    let armed = std::env::var(FAILPOINT_VARIABLE).unwrap_or_default();
    let matches = armed == name
        || armed
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest == detail);
    if matches {
        // If raising fails the process simply goes on: the failpoint is a test aid.
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}
