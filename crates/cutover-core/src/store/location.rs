//! [`StoreLocation`]: where the migration's evidence lives, from one setting.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where the state store is, as `--state` / `CUTOVER_STATE` names it: a
/// path (the SQLite file), a `postgres://` URL, or the `http(s)://` URL of
/// a `cutover serve` server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file (the default, `.cutover/state.db` beside the spec).
    File(PathBuf),
    /// A PostgreSQL database, by connection URL.
    Postgres(String),
    /// A `cutover serve` server, by base URL.
    Server(String),
}

impl StoreLocation {
    /// Reads a `--state` setting; relative paths are taken from `base_dir`.
    pub fn parse(setting: &str, base_dir: &Path) -> StoreLocation {
        let lower = setting.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            StoreLocation::Postgres(setting.to_owned())
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            StoreLocation::Server(setting.trim_end_matches('/').to_owned())
        } else {
            StoreLocation::File(base_dir.join(setting))
        }
    }

    /// The SQLite file, when the store is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            StoreLocation::File(path) => Some(path),
            StoreLocation::Postgres(_) | StoreLocation::Server(_) => None,
        }
    }
}

/// Shown to people: a URL without its password.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) | StoreLocation::Server(url) => {
                f.write_str(&without_password(url))
            }
        }
    }
}

/// `scheme://user:secret@host/…?password=secret` →
/// `scheme://user:***@host/…?password=***`.
fn without_password(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = without_userinfo_password(base);
    match query {
        None => base,
        Some(query) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", masked.join("&"))
        }
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`.
fn without_userinfo_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_names_its_backend() {
        let base = Path::new("/repo");
        assert_eq!(
            StoreLocation::parse(".cutover/state.db", base),
            StoreLocation::File(PathBuf::from("/repo/.cutover/state.db"))
        );
        assert_eq!(
            StoreLocation::parse("/abs/state.db", base),
            StoreLocation::File(PathBuf::from("/abs/state.db"))
        );
        assert!(matches!(
            StoreLocation::parse("postgres://u@h/db", base),
            StoreLocation::Postgres(_)
        ));
        assert_eq!(
            StoreLocation::parse("https://cutover.example/", base),
            StoreLocation::Server("https://cutover.example".to_owned())
        );
    }

    #[test]
    fn passwords_never_reach_the_display() {
        let location = StoreLocation::parse("postgres://ci:s3cret@db:5432/cutover", Path::new("/"));
        assert_eq!(location.to_string(), "postgres://ci:***@db:5432/cutover");
        let in_query = StoreLocation::parse(
            "postgres://ci@db/cutover?sslmode=disable&password=s3cret",
            Path::new("/"),
        );
        assert_eq!(
            in_query.to_string(),
            "postgres://ci@db/cutover?sslmode=disable&password=***"
        );
    }
}
