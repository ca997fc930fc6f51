//! The `file` channel: one Markdown file per message in an inbox directory
//! inside the project, named after the message's time, kind and idempotency
//! key — delivering it twice writes the same file again.

use std::path::{Path, PathBuf};

use super::DeliveryError;
use crate::fs::confine;
use crate::spec::FileChannel;
use crate::store::OutboxMessage;

/// An inbox directory, resolved inside the project.
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub(super) fn open(settings: &FileChannel, base_dir: &Path) -> Result<FileTransport, String> {
        let dir = confine::resolve(base_dir, &settings.dir)
            .map_err(|problem| format!("inbox `{}`: {problem}", settings.dir))?;
        Ok(FileTransport { dir })
    }

    pub(super) fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        std::fs::create_dir_all(&self.dir).map_err(|error| {
            DeliveryError::Retry(format!(
                "failed to create the inbox `{}`: {error}",
                self.dir.display()
            ))
        })?;
        let path = self.dir.join(file_name(message));
        crate::fs::write_atomically(&path, render(message).as_bytes()).map_err(|error| {
            DeliveryError::Retry(format!("failed to write `{}`: {error}", path.display()))
        })
    }
}

/// `20270104T101500Z-rollback_triggered-3f2a9c0e1d4b.md`.
pub fn file_name(message: &OutboxMessage) -> String {
    let key: String = message.message.key.chars().take(12).collect();
    format!(
        "{}-{}-{key}.md",
        message.created_at.strftime("%Y%m%dT%H%M%SZ"),
        message.message.kind
    )
}

/// The file's text: headers like a mail's, then the body.
fn render(message: &OutboxMessage) -> String {
    let m = &message.message;
    let mut text = format!(
        "Message-ID: <{}@cutover>\nDate: {}\nTo: {}\nGroup: {}\nSubject: {}\n",
        m.key,
        message.created_at,
        m.recipients.join(", "),
        m.group,
        m.subject
    );
    if m.needs_ack {
        text.push_str(&format!("Acknowledge: cutover comms ack {}\n", m.key));
    }
    text.push('\n');
    text.push_str(&m.body);
    text
}

pub(super) fn preview(settings: &FileChannel, message: &OutboxMessage) -> String {
    format!(
        "file {}/{}\n\n{}",
        settings.dir,
        file_name(message),
        render(message)
    )
}
