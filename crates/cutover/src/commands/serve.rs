//! `cutover serve`: the shared state store over HTTP (see `cutover-server`).
//! Reads the tokens, opens the store `--state` names — with the checkout of
//! the spec (`--spec`, default `./migration.yaml`) when there is one, for
//! the dashboard and the flags — prints where it listens on stderr, and
//! serves until SIGINT or SIGTERM.

use std::path::{Path, PathBuf};

use cutover_server::{Checkout, ServeSettings, TlsFiles, Tokens, serve};

use crate::args::{GlobalArgs, ServeArgs};
use crate::error::{CliError, note};
use crate::exit_codes;

/// Environment variable holding token entries (lines or comma-separated).
const TOKENS_VARIABLE: &str = "CUTOVER_SERVE_TOKENS";

/// Starts the server and serves until stopped.
pub fn run(global: &GlobalArgs, args: ServeArgs) -> Result<u8, CliError> {
    let ServeArgs {
        listen,
        tokens,
        workers,
        tls_cert,
        tls_key,
    } = args;
    let tls = tls_cert
        .zip(tls_key)
        .map(|(cert, key)| TlsFiles { cert, key });
    let scheme = if tls.is_some() { "https" } else { "http" };
    let tokens = read_tokens(tokens.as_deref())?;
    let (state, checkout) = if global.spec_given || global.spec.exists() {
        let located = super::locate(global)?;
        let checkout = Checkout {
            migration: located.migration,
            base_dir: located.base_dir,
        };
        (located.state, Some(checkout))
    } else {
        let base = global
            .spec
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        let base = std::path::absolute(&base).unwrap_or(base);
        (super::state_location(global, &base), None)
    };
    let shown = state.to_string();
    let serves = match &checkout {
        Some(checkout) => format!(
            "dashboard and OFREP flags of `{}`",
            checkout.base_dir.display()
        ),
        None => format!(
            "no spec at `{}`: the store API only, give --spec PATH for the dashboard and flags",
            global.spec.display()
        ),
    };
    let settings = ServeSettings {
        state,
        listen,
        tokens,
        workers,
        tls,
        checkout,
    };
    serve(settings, |address, tokens| {
        note(&format!(
            "cutover serve: listening on {scheme}://{address} (store `{shown}`; {serves}; tokens: {})",
            tokens.summary()
        ));
    })?;
    note("cutover serve: stopped");
    Ok(exit_codes::OK)
}

/// The tokens of `--tokens FILE` and of `CUTOVER_SERVE_TOKENS`, together.
fn read_tokens(file: Option<&Path>) -> Result<Tokens, CliError> {
    let file_text = file
        .map(|path| {
            std::fs::read_to_string(path).map_err(|source| CliError::ReadTokens {
                path: path.to_owned(),
                source,
            })
        })
        .transpose()?;
    let variable = std::env::var(TOKENS_VARIABLE).ok();
    let file_name = file.map(|p| p.display().to_string()).unwrap_or_default();
    let mut texts = Vec::new();
    if let Some(text) = &file_text {
        texts.push((file_name.as_str(), text.as_str()));
    }
    if let Some(text) = &variable {
        texts.push((TOKENS_VARIABLE, text.as_str()));
    }
    Ok(Tokens::parse(&texts)?)
}
