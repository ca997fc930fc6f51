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
