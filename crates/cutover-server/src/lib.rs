//! `cutover serve`: the HTTP API of the shared state store, the dashboard,
//! and the modes as OpenFeature (OFREP) flags.
//!
//! Runners on many machines record runs into one store through this
//! server; operators change modes and decide through it; viewers read.
//! Started in a checkout (with the spec), it also serves the dashboard at
//! `/` (`dashboard`, `operations`, live through `notify`) and the flags
//! (`ofrep`). The face only: it authenticates ([`tokens`], `auth`), routes
//! (`routes`), and calls the same [`cutover_core::store::Store`] and
//! operations the command line uses — SQLite by default, any backend
//! `--state` names. The store protocol is [`cutover_core::store::api`].

mod app;
mod auth;
mod change;
mod dashboard;
mod error;
mod links;
mod notify;
mod ofrep;
mod operations;
mod outbox;
mod routes;
mod tls;
pub mod tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use cutover_core::spec::Migration;
use cutover_core::store::{Store, StoreError, StoreLocation};
use cutover_core::workspace::{Workspace, WorkspaceError};

pub use tls::{TlsError, TlsFiles};
pub use tokens::{Role, Tokens, TokensError};

/// How often the server checks whether SIGINT/SIGTERM asked it to stop.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened.
    #[error("failed to open the state store `{location}`")]
    Store {
        /// Where.
        location: String,
        /// Cause.
        #[source]
        source: StoreError,
    },
    /// The address could not be bound.
    #[error("failed to listen on `{address}`")]
    Bind {
        /// The address.
        address: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The checkout's mode file is invalid, or its store cannot be opened.
    #[error("failed to open the checkout `{}`", base_dir.display())]
    Checkout {
        /// The checkout (the spec's directory).
        base_dir: PathBuf,
        /// Cause.
        #[source]
        source: WorkspaceError,
    },
    /// The TLS certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The runtime or the connection loop failed.
    #[error("the server failed")]
    Io(#[from] std::io::Error),
}

/// What `cutover serve` needs.
#[derive(Debug)]
pub struct ServeSettings {
    /// The store to serve.
    pub state: StoreLocation,
    /// Where to listen (port 0: any free port).
    pub listen: String,
    /// Who may call.
    pub tokens: Tokens,
    /// Async worker threads (0: one per core).
    pub workers: usize,
    /// Serve HTTPS with this certificate and key (None: plain HTTP).
    pub tls: Option<TlsFiles>,
    /// The checkout to serve the dashboard and flags of (None: the store only).
    pub checkout: Option<Checkout>,
}

/// A checkout the server reads the spec and the committed mode file of.
#[derive(Debug)]
pub struct Checkout {
    /// The validated spec.
    pub migration: Migration,
    /// Its directory (absolute): where `migration.modes` is.
    pub base_dir: PathBuf,
}

/// Serves (over TLS when `settings.tls` names a certificate) until SIGINT or
/// SIGTERM; `on_listening` is told the bound address once the server
/// accepts connections. A bad certificate or key fails before the store opens.
pub fn serve(
    settings: ServeSettings,
    on_listening: impl FnOnce(SocketAddr, &Tokens),
) -> Result<(), ServeError> {
    let ServeSettings {
        state,
        listen,
        tokens,
        workers,
        tls,
        checkout,
    } = settings;
    let acceptor = tls.as_ref().map(tls::acceptor).transpose()?;
    let served = open(&state, checkout)?;
    let app = app::App::new(served, tokens).map_err(|source| ServeError::Store {
        location: state.to_string(),
        source,
    })?;
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if workers > 0 {
        runtime.worker_threads(workers);
    }
    let runtime = runtime.enable_io().enable_time().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|source| ServeError::Bind {
                address: listen.clone(),
                source,
            })?;
        on_listening(listener.local_addr()?, &app.tokens);
        tokio::spawn(notify::watch(app.clone(), app.subscribe()));
        let router = routes::router(app.clone());
        match acceptor {
            Some(acceptor) => {
                let listener = tls::TlsListener::new(listener, acceptor)?;
                axum::serve(listener, router)
                    .with_graceful_shutdown(stop_requested(app))
                    .await?;
            }
            None => {
                axum::serve(listener, router)
                    .with_graceful_shutdown(stop_requested(app))
                    .await?;
            }
        }
        Ok(())
    })
}

/// The checkout's workspace, or the store alone.
fn open(state: &StoreLocation, checkout: Option<Checkout>) -> Result<app::Served, ServeError> {
    let Some(Checkout {
        migration,
        base_dir,
    }) = checkout
    else {
        let store = Store::open_location(state).map_err(|source| ServeError::Store {
            location: state.to_string(),
            source,
        })?;
        return Ok(app::Served::Store(store));
    };
    match Workspace::open(migration, base_dir.clone(), state) {
        Ok(workspace) => Ok(app::Served::Checkout(Box::new(workspace))),
        Err(WorkspaceError::Store(source)) => Err(ServeError::Store {
            location: state.to_string(),
            source,
        }),
        Err(source) => Err(ServeError::Checkout { base_dir, source }),
    }
}

/// Resolves once SIGINT or SIGTERM arrived (the binary's signal thread
/// records them; see [`cutover_core::exec::cancelled`]), after telling
/// open event streams and the watcher to end.
async fn stop_requested(app: app::App) {
    while cutover_core::exec::cancelled().is_none() {
        tokio::time::sleep(STOP_POLL).await;
    }
    app.notify(change::ChangeKind::Stopping);
}
