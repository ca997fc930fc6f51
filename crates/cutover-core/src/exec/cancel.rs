//! Cancellation: what happens when cutover itself gets SIGINT or SIGTERM
//! (a cancelled CI job, Ctrl-C).
//!
//! Every running side registers its [`ProcessTree`] here for as long as it
//! runs. [`handle_termination_signals`] blocks SIGINT and SIGTERM in every
//! thread (children start with a clean mask: the standard library resets it
//! before `exec`) and waits for them on a thread of its own. On a signal:
//! - no new side starts from then on;
//! - every registered tree is stopped (SIGTERM, a grace period, SIGKILL), in
//!   every mode, the authoritative side included;
//! - the run then ends as usual, so it is recorded with the sides' real
//!   outcomes (terminated by a signal) rather than left incomplete;
//! - with nothing running, or if the run has not ended well after the
//!   trees are gone, cutover exits at once with 128 + the signal number.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};

use super::process_tree::{KILL_GRACE, ProcessTree, reap_orphans_except};

/// The signal that cancelled cutover, or 0.
static CANCELLED: AtomicI32 = AtomicI32::new(0);
/// Trees of the sides running now.
static LIVE: Mutex<Vec<ProcessTree>> = Mutex::new(Vec::new());

/// How long the run may take to record itself after its trees are stopped.
const FINISH_AFTER_CANCEL: Duration = Duration::from_secs(10);

/// Blocks SIGINT and SIGTERM and handles them on a dedicated thread as the
/// module doc describes. Call once, first thing, before any other thread
/// starts (threads inherit the blocked mask).
pub fn handle_termination_signals() {
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    if signals.thread_block().is_err() {
        return;
    }
    std::thread::spawn(move || {
        while let Ok(signal) = signals.wait() {
            cancel(signal);
        }
    });
}

/// The signal number that cancelled this process, if one did.
pub fn cancelled() -> Option<i32> {
    match CANCELLED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

fn cancel(signal: Signal) {
    CANCELLED.store(signal as i32, Ordering::SeqCst);
    let trees = lock().clone();
    if !trees.is_empty() {
        std::thread::scope(|scope| {
            for tree in &trees {
                scope.spawn(|| tree.stop(KILL_GRACE));
            }
        });
        std::thread::sleep(FINISH_AFTER_CANCEL);
    }
    std::process::exit(128 + signal as i32);
}

fn lock() -> std::sync::MutexGuard<'static, Vec<ProcessTree>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Starts a side through `spawn` and registers its tree, atomically with
/// respect to cancellation: once cancelled, nothing new starts, and a side
/// that started just before is stopped. `spawn` returns the leader's pid.
pub(crate) fn start<T, E>(
    tag: &str,
    spawn: impl FnOnce() -> Result<(T, i32), E>,
) -> Result<Option<(T, ProcessTree)>, E> {
    let mut live = lock();
    if cancelled().is_some() {
        return Ok(None);
    }
    let (value, leader) = spawn()?;
    let tree = ProcessTree {
        leader,
        tag: tag.to_owned(),
    };
    live.push(tree.clone());
    Ok(Some((value, tree)))
}

/// Forgets a tree whose leader has been waited for.
pub(crate) fn finish(tree: &ProcessTree) {
    lock().retain(|t| t != tree);
}

/// Reaps zombies re-parented to cutover that no side is waiting for (the
/// leaders of the sides running now belong to their waiters). Under the
/// registry's lock, so no side can start (and exit) unseen.
pub(crate) fn reap_orphans() {
    let live = lock();
    let leaders: Vec<i32> = live.iter().map(|t| t.leader).collect();
    reap_orphans_except(&leaders);
}
