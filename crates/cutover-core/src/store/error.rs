//! [`StoreError`]: why the store failed.

use std::path::PathBuf;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("failed to open the state store `{}`", path.display())]
    Open {
        /// Path of the database.
        path: PathBuf,
        /// Cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database was written by a newer cutover.
    #[error(
        "the state store has schema version {found}, newer than this cutover understands ({supported}); upgrade cutover"
    )]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Version this build writes.
        supported: i64,
    },
    /// A query failed.
    #[error("state store query failed")]
    Query(#[from] rusqlite::Error),
    /// The PostgreSQL store could not be reached (or refused us).
    #[error("failed to connect to the state store `{store}`")]
    Connect {
        /// The store's URL, without its password.
        store: String,
        /// Cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A PostgreSQL query failed.
    #[error("PostgreSQL state store query failed")]
    Postgres(#[from] postgres::Error),
    /// The store's location names a backend this build cannot open.
    #[error("cannot open the state store `{0}`: this kind of store is not supported yet")]
    Unsupported(String),
    /// A `cutover serve` server could not be reached, or did not answer in time.
    #[error("cannot reach the state server at `{url}`: {message}")]
    Unreachable {
        /// The URL called (never the token).
        url: String,
        /// What the HTTP client said.
        message: String,
    },
    /// `CUTOVER_CA_FILE` names no readable PEM bundle of certificates.
    #[error("cannot use the CA file `{path}` (CUTOVER_CA_FILE): {message}")]
    CaFile {
        /// The file named.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A `cutover serve` server answered with an error.
    #[error("the state server refused `{url}` ({status}): {message}")]
    Refused {
        /// The URL called (never the token).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        message: String,
    },
    /// The store was never opened (see [`super::Store::closed`]): a bug if
    /// it is ever seen, since only callers that need no store hold one.
    #[error("the state store was not opened")]
    Closed,
    /// A stored value could not be read back.
    #[error("the state store holds an unreadable value: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the store failed because another writer held it too long:
    /// the operation can simply be tried again later.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Query(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                )
        )
    }

    /// A stored value that does not parse.
    pub(super) fn corrupt(error: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(error.to_string())
    }
}
