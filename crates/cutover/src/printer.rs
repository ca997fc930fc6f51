//! [`Printer`]: the one way commands write data to stdout. A closed pipe
//! (`cutover plan | head`) is a normal end, not an error.

use std::io::{self, Write};

/// Writes command output to stdout.
pub struct Printer {
    out: io::Stdout,
}

impl Printer {
    /// A printer on the process's stdout.
    pub fn stdout() -> Self {
        Printer { out: io::stdout() }
    }

    /// Writes `text` as is; a broken pipe is ignored.
    pub fn write(&mut self, text: &str) -> io::Result<()> {
        let mut lock = self.out.lock();
        match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, crate::error::CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| crate::error::CliError::Report(e.into()))?;
    text.push('\n');
    Ok(text)
}
