//! [`App`]: what every handler shares — the store and the tokens.
//!
//! Store calls block (SQLite, or PostgreSQL through a blocking client), so
//! they run on tokio's blocking pool, one at a time behind a mutex: the
//! store has one connection and SQLite serializes writers anyway.
//!
//! Run records are group-committed: each request queues its write, and
//! whichever request next holds the store commits every queued write in
//! one transaction ([`Store::record_run_writes`]), so many concurrent
//! runners cost one commit, not one each. When that transaction fails, the
//! writes are retried one by one so only the faulty request sees an error.

use std::sync::{Arc, Mutex};

use cutover_core::store::{RunWrite, Store, StoreError};
use tokio::sync::oneshot;

use crate::error::ApiError;
use crate::tokens::Tokens;

/// A queued run write and where its result goes.
type Pending = (RunWrite, oneshot::Sender<Result<(), StoreError>>);

/// The server's shared state.
#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Store>>,
    pending: Arc<Mutex<Vec<Pending>>>,
    /// Who may call.
    pub tokens: Arc<Tokens>,
}

impl App {
    /// Serves `store` to the holders of `tokens`.
    pub fn new(store: Store, tokens: Tokens) -> App {
        App {
            store: Arc::new(Mutex::new(store)),
            pending: Arc::new(Mutex::new(Vec::new())),
            tokens: Arc::new(tokens),
        }
    }

    /// Runs `work` on the store, off the async workers.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves the store as the last
            // transaction left it (rolled back or committed): keep serving.
            let mut store = store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut store)
        })
        .await
        .map_err(|error| ApiError::Internal(format!("the store worker failed: {error}")))?
        .map_err(ApiError::from)
    }

    /// Records one run write, committed with whatever others are queued.
    pub async fn record_run(&self, write: RunWrite) -> Result<(), ApiError> {
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).push((write, sender));
        let store = Arc::clone(&self.store);
        let pending = Arc::clone(&self.pending);
        tokio::task::spawn_blocking(move || {
            let mut store = lock(&store);
            let batch = std::mem::take(&mut *lock(&pending));
            commit(&mut store, batch);
        })
        .await
        .map_err(|error| ApiError::Internal(format!("the store worker failed: {error}")))?;
        receiver
            .await
            .map_err(|_| ApiError::Internal("a run write was dropped".into()))?
            .map_err(ApiError::from)
    }
}

/// Commits a batch in one transaction; on failure, each write alone.
fn commit(store: &mut Store, batch: Vec<Pending>) {
    if batch.is_empty() {
        return;
    }
    let (writes, senders): (Vec<RunWrite>, Vec<_>) = batch.into_iter().unzip();
    match store.record_run_writes(&writes) {
        Ok(()) => {
            for sender in senders {
                let _ = sender.send(Ok(()));
            }
        }
        Err(error) if writes.len() == 1 => {
            if let Some(sender) = senders.into_iter().next() {
                let _ = sender.send(Err(error));
            }
        }
        Err(_) => {
            for (write, sender) in writes.iter().zip(senders) {
                let _ = sender.send(store.record_run_writes(std::slice::from_ref(write)));
            }
        }
    }
}

/// A lock that survives a panic of its last holder (the store is as the
/// last transaction left it: rolled back or committed).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
