//! Change notifications: every write through the server bumps a
//! generation ([`Change`]) that open dashboards receive as server-sent
//! events, and a watcher looks at the checkout and the store twice a
//! second for changes made around the server (a `git pull` of the mode
//! file, a command writing the store directly), reading the flags again
//! when they moved.
//!
//! Notifications coalesce: a page that is busy sees only the latest
//! generation, never a backlog. When the server stops, every stream is
//! told so and ends, so the graceful shutdown does not wait on open pages.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use cutover_core::flags::FlagTable;
use cutover_core::store::RunStatus;
use cutover_core::workspace::Workspace;
use futures_util::Stream;
use tokio::sync::watch;

use crate::app::{App, Served, log_error};
use crate::change::{Change, ChangeKind};
use crate::error::ApiError;

/// How often the watcher looks for changes made around the server.
pub const WATCH_PERIOD: Duration = Duration::from_millis(500);
/// How often an idle stream sends a comment (proxies close silent ones).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The server-sent events of one open page: the current generation
/// first, then one `change` event per (coalesced) change.
pub fn stream(app: &App) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let receiver = app.subscribe();
    let events =
        futures_util::stream::unfold((receiver, true), |(mut receiver, first)| async move {
            if !first && receiver.changed().await.is_err() {
                return None;
            }
            let change = *receiver.borrow_and_update();
            if change.kind == ChangeKind::Stopping {
                return None;
            }
            let data = serde_json::to_string(&change).unwrap_or_default();
            let event = Event::default().event("change").data(data);
            Some((Ok(event), (receiver, false)))
        });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// What the watcher compares between two looks: the newest event, and
/// each component's newest run and its status.
#[derive(Debug, PartialEq, Eq)]
struct Fingerprint {
    last_event: Option<i64>,
    latest_runs: Vec<Option<(String, RunStatus)>>,
}

fn fingerprint(workspace: &Workspace) -> Result<Fingerprint, ApiError> {
    let store = &workspace.store;
    let last_event = store.events(None, 1)?.first().map(|e| e.id);
    let mut latest_runs = Vec::with_capacity(workspace.migration.components.len());
    for component in &workspace.migration.components {
        let newest = store.recent_runs(&component.id, 1)?.into_iter().next();
        latest_runs.push(newest.map(|run| (run.id, run.status)));
    }
    Ok(Fingerprint {
        last_event,
        latest_runs,
    })
}

/// Looks at the checkout every [`WATCH_PERIOD`] until the server stops:
/// new flags are put in force, and pages are told of any change. Without a
/// checkout there is nothing to watch.
pub async fn watch(app: App, mut stop: watch::Receiver<Change>) {
    let mut last: Option<Fingerprint> = None;
    let mut last_error = String::new();
    let mut ticks = tokio::time::interval(WATCH_PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => {
                if stop.borrow_and_update().kind == ChangeKind::Stopping {
                    return;
                }
                continue;
            }
        }
        let look = app
            .look(|served| match served {
                Served::Store(_) => Ok(None),
                Served::Checkout(workspace) => {
                    workspace.reload_mode_file()?;
                    Ok(Some((FlagTable::read(workspace)?, fingerprint(workspace)?)))
                }
            })
            .await;
        match look {
            Ok(None) => return,
            Ok(Some((flags, print))) => {
                last_error.clear();
                let moved = app.set_flags(flags);
                let events = last
                    .as_ref()
                    .is_some_and(|l| l.last_event != print.last_event);
                let runs = last
                    .as_ref()
                    .is_some_and(|l| l.latest_runs != print.latest_runs);
                if moved || events {
                    app.notify(ChangeKind::State);
                } else if runs {
                    app.notify(ChangeKind::Run);
                }
                last = Some(print);
            }
            // Said once, not twice a second.
            Err(error) if error.to_string() != last_error => {
                last_error = error.to_string();
                log_error(&error);
            }
            Err(_) => {}
        }
    }
}
