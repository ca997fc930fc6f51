//! [`Courier`]: a run's delivery, on its own thread, so that whatever the
//! store does, the CI job ends when its sides do (plus a bounded wait).
//!
//! The courier opens its own connection to the store, records the run's
//! start while the sides run, then delivers a bounded batch of older
//! spooled records, then waits for the run's end. The run hands it the end
//! and waits at most the delivery timeout for the store's confirmation;
//! after that the run goes on without it (the thread dies with the
//! process) and the spool keeps the record.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::deliver::push;
use super::{Spool, SpoolRecord};
use crate::store::{Store, StoreError, StoreLocation};

/// How long a run waits for the store after its sides are done, unless
/// configured (`CUTOVER_DELIVERY_TIMEOUT`).
pub const DEFAULT_DELIVERY_TIMEOUT: Duration = Duration::from_secs(2);

/// Older records a run delivers before its own, at most.
pub const BACKLOG_PER_RUN: usize = 16;

/// What became of a run's record.
#[derive(Debug)]
pub enum DeliveryOutcome {
    /// The store has the run; `backlog` older records went with it.
    Delivered {
        /// Older spooled records delivered first.
        backlog: usize,
    },
    /// The store did not confirm in time; the record stays in the spool.
    TimedOut {
        /// How long the run waited.
        after: Duration,
    },
    /// The store failed; the record stays in the spool.
    Failed(StoreError),
    /// Not delivered, by choice: the record is for `cutover ingest`.
    SpoolOnly,
    /// Not delivered yet, by design: the next command that opens the
    /// (local) store delivers it (a legacy-mode run, see [`crate::router`]).
    Deferred,
}

/// The delivery thread of one run.
#[derive(Debug)]
pub struct Courier {
    end: Sender<SpoolRecord>,
    done: Receiver<Result<usize, StoreError>>,
}

impl Courier {
    /// Starts delivering `begun` (already written to `spool`) to the store
    /// at `location`, in the background.
    pub fn start(location: StoreLocation, spool: Spool, begun: SpoolRecord) -> Courier {
        let (end, ends) = mpsc::channel();
        let (finished, done) = mpsc::channel();
        let failed = finished.clone();
        let spawned = std::thread::Builder::new()
            .name("cutover-delivery".into())
            .spawn(move || {
                let result = work(&location, &spool, &begun, &ends);
                // The run may have stopped waiting: nobody to tell then.
                let _ = finished.send(result);
            });
        if let Err(error) = spawned {
            // No thread: the record stays spooled, and the run says why.
            let _ = failed.send(Err(StoreError::Open {
                path: "delivery thread".into(),
                source: Box::new(error),
            }));
        }
        Courier { end, done }
    }

    /// Hands over the run's finished record (already written to the spool)
    /// and waits at most `timeout` for the store to confirm it.
    pub fn finish(self, finished: SpoolRecord, timeout: Duration) -> DeliveryOutcome {
        // If the courier already stopped (the store failed), its result says why.
        let _ = self.end.send(finished);
        match self.done.recv_timeout(timeout) {
            Ok(Ok(backlog)) => DeliveryOutcome::Delivered { backlog },
            Ok(Err(error)) => DeliveryOutcome::Failed(error),
            Err(RecvTimeoutError::Timeout) => DeliveryOutcome::TimedOut { after: timeout },
            Err(RecvTimeoutError::Disconnected) => DeliveryOutcome::Failed(StoreError::Corrupt(
                "the delivery thread stopped unexpectedly".into(),
            )),
        }
    }
}

/// The courier's work: start, backlog, end; the number of older records
/// delivered. Returns early (record kept) when the run ends without
/// handing over its end.
fn work(
    location: &StoreLocation,
    spool: &Spool,
    begun: &SpoolRecord,
    ends: &Receiver<SpoolRecord>,
) -> Result<usize, StoreError> {
    let mut store = Store::open_location(location)?;
    store.begin_run_at(&begun.start, begun.started_at)?;
    let id = &begun.start.id;
    // Older records are best effort: whatever fails stays for later.
    let backlog = push(&mut store, spool, BACKLOG_PER_RUN, Some(id), |_| {})
        .map_or(0, |summary| summary.finished + summary.incomplete);
    let Ok(finished) = ends.recv() else {
        return Ok(backlog);
    };
    if let Some(end) = &finished.end {
        store.finish_run_at(&end.finish, end.finished_at)?;
        // Delivered: a record left behind by a failed removal is delivered
        // again later, which stores nothing twice.
        let _ = spool.remove(id);
    }
    Ok(backlog)
}
