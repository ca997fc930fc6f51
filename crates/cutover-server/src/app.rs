//! [`App`]: what every handler shares — what is served (the store alone,
//! or the workspace of a checkout: spec, mode file and store), the tokens,
//! the flags as last read, and the change notifications.
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
//!
//! The flags ([`FlagTable`]) are read from the workspace after every call
//! that may change a mode and by the watcher (`watch`), never per
//! evaluation: evaluating one is a lock-free lookup and a hash.

use std::sync::{Arc, Mutex, RwLock};

use cutover_core::flags::FlagTable;
use cutover_core::store::{RunWrite, Store, StoreError};
use cutover_core::workspace::Workspace;
use tokio::sync::{oneshot, watch};

use crate::change::{Change, ChangeKind};
use crate::error::ApiError;
use crate::tokens::Tokens;

/// A queued run write and where its result goes.
type Pending = (RunWrite, oneshot::Sender<Result<(), StoreError>>);

/// What the server serves.
#[derive(Debug)]
pub enum Served {
    /// The store only (no spec): the API the `https://` store speaks.
    Store(Store),
    /// A checkout's workspace: the store, and the spec and mode file the
    /// dashboard, the operations and the flags need.
    Checkout(Box<Workspace>),
}

impl Served {
    fn store(&mut self) -> &mut Store {
        match self {
            Served::Store(store) => store,
            Served::Checkout(workspace) => &mut workspace.store,
        }
    }
}

/// The server's shared state.
#[derive(Clone)]
pub struct App {
    served: Arc<Mutex<Served>>,
    pending: Arc<Mutex<Vec<Pending>>>,
    flags: Arc<RwLock<Arc<FlagTable>>>,
    changes: Arc<watch::Sender<Change>>,
    /// Whether a checkout is served (the dashboard and flags exist).
    pub has_checkout: bool,
    /// Who may call.
    pub tokens: Arc<Tokens>,
}

impl App {
    /// Serves `served` to the holders of `tokens`; reads the flags once.
    pub fn new(served: Served, tokens: Tokens) -> Result<App, StoreError> {
        let has_checkout = matches!(served, Served::Checkout(_));
        let flags = match &served {
            Served::Checkout(workspace) => FlagTable::read(workspace)?,
            Served::Store(_) => FlagTable::default(),
        };
        let (changes, _) = watch::channel(Change::default());
        Ok(App {
            served: Arc::new(Mutex::new(served)),
            pending: Arc::new(Mutex::new(Vec::new())),
            flags: Arc::new(RwLock::new(Arc::new(flags))),
            changes: Arc::new(changes),
            has_checkout,
            tokens: Arc::new(tokens),
        })
    }

    /// Runs `work` on the store, off the async workers.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        self.with_served(move |served| work(served.store()).map_err(ApiError::from))
            .await
    }

    /// Runs `work` on the checkout's workspace, off the async workers,
    /// after reading its mode file again (the checkout may have been
    /// updated). Without a checkout: [`ApiError::NoSpec`].
    pub async fn with_workspace<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Workspace) -> Result<T, ApiError> + Send + 'static,
    {
        self.with_served(move |served| match served {
            Served::Store(_) => Err(ApiError::NoSpec),
            Served::Checkout(workspace) => {
                workspace.reload_mode_file()?;
                work(workspace)
            }
        })
        .await
    }

    async fn with_served<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Served) -> Result<T, ApiError> + Send + 'static,
    {
        let served = Arc::clone(&self.served);
        tokio::task::spawn_blocking(move || work(&mut lock(&served)))
            .await
            .map_err(|error| ApiError::Internal(format!("the store worker failed: {error}")))?
    }

    /// Records one run write, committed with whatever others are queued.
    pub async fn record_run(&self, write: RunWrite) -> Result<(), ApiError> {
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).push((write, sender));
        let served = Arc::clone(&self.served);
        let pending = Arc::clone(&self.pending);
        tokio::task::spawn_blocking(move || {
            let mut served = lock(&served);
            let batch = std::mem::take(&mut *lock(&pending));
            commit(served.store(), batch);
        })
        .await
        .map_err(|error| ApiError::Internal(format!("the store worker failed: {error}")))?;
        receiver
            .await
            .map_err(|_| ApiError::Internal("a run write was dropped".into()))?
            .map_err(ApiError::from)?;
        self.notify(ChangeKind::Run);
        Ok(())
    }

    /// The flags as last read.
    pub fn flags(&self) -> Arc<FlagTable> {
        Arc::clone(&self.flags.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// After a call that may have changed a mode, an override, a decision
    /// or the audit log: reads the flags again (so an override applies
    /// before the call is answered) and tells every open page.
    pub async fn state_changed(&self) {
        if self.has_checkout {
            match self
                .with_workspace(|workspace| Ok(FlagTable::read(workspace)?))
                .await
            {
                Ok(flags) => {
                    self.set_flags(flags);
                }
                Err(error) => log_error(&error),
            }
        }
        self.notify(ChangeKind::State);
    }

    /// Replaces the flags; whether they changed.
    pub fn set_flags(&self, flags: FlagTable) -> bool {
        let mut current = self.flags.write().unwrap_or_else(|p| p.into_inner());
        if **current == flags {
            return false;
        }
        *current = Arc::new(flags);
        true
    }

    /// Tells every open page (and the watcher's next look) that something changed.
    pub fn notify(&self, kind: ChangeKind) {
        self.changes.send_modify(|change| {
            change.generation += 1;
            change.kind = kind;
        });
    }

    /// A receiver of change notifications.
    pub fn subscribe(&self) -> watch::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Runs `work` on the served state as it is, for the watcher.
    pub async fn look<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Served) -> Result<T, ApiError> + Send + 'static,
    {
        self.with_served(work).await
    }
}

/// Logs a failure of the server's own work (no request to answer it to).
pub fn log_error(error: &ApiError) {
    #[expect(clippy::print_stderr, reason = "the server's log is its stderr")]
    {
        eprintln!("cutover serve: error: {error}");
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
