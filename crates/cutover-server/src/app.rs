//! [`App`]: what every handler shares — the store and the tokens.
//!
//! Store calls block (SQLite, or PostgreSQL through a blocking client), so
//! they run on tokio's blocking pool, one at a time behind a mutex: the
//! store has one connection and SQLite serializes writers anyway.

use std::sync::{Arc, Mutex};

use cutover_core::store::{Store, StoreError};

use crate::error::ApiError;
use crate::tokens::Tokens;

/// The server's shared state.
#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Store>>,
    /// Who may call.
    pub tokens: Arc<Tokens>,
}

impl App {
    /// Serves `store` to the holders of `tokens`.
    pub fn new(store: Store, tokens: Tokens) -> App {
        App {
            store: Arc::new(Mutex::new(store)),
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
}
