//! [`record_test_failures`]: a `cutover test` run with failures is one
//! `tests_failed` event (its owners hear once, whatever the number of
//! failed tests).

use crate::event::{Event, FailedTest, NewEvent};
use crate::store::{Durability, StoreError};
use crate::workspace::Workspace;

/// Records the failures of a test run over `target` (`""`: every test)
/// among `total` tests; nothing when none failed.
pub fn record_test_failures(
    workspace: &mut Workspace,
    target: &str,
    failed: Vec<FailedTest>,
    total: u32,
    actor: &str,
) -> Result<Option<i64>, StoreError> {
    if failed.is_empty() {
        return Ok(None);
    }
    let component = workspace
        .migration
        .component_ref(target)
        .map(|_| target.to_owned());
    let event = Event::TestsFailed {
        target: target.to_owned(),
        failed,
        total,
    };
    let event = NewEvent::new(component, actor, None, event);
    workspace
        .store
        .append_event(&event, Durability::Relaxed)
        .map(Some)
}
