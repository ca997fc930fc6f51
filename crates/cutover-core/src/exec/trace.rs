//! W3C trace context: both sides of a run get the same `TRACEPARENT`, so the
//! Dagger CLI links its own trace to the run.

/// Random bytes as lowercase hex, from the operating system.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buffer))
        .is_ok();
    if !filled {
        // Fall back to time and pid: unique enough for ids, never for secrets.
        let seed =
            jiff::Timestamp::now().as_nanosecond() as u64 ^ u64::from(std::process::id()) << 32;
        for (i, b) in buffer.iter_mut().enumerate() {
            *b = (seed.rotate_left(i as u32 * 7) >> 3) as u8;
        }
    }
    super::digest::hex(&buffer)
}

/// A trace id and the span id of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 hex digits.
    pub trace_id: String,
    /// 16 hex digits.
    pub span_id: String,
}

impl TraceContext {
    /// A fresh, sampled trace context.
    pub fn new() -> Self {
        TraceContext {
            trace_id: random_hex(16),
            span_id: random_hex(8),
        }
    }

    /// The `traceparent` header value.
    pub fn traceparent(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.span_id)
    }
}

impl Default for TraceContext {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_has_the_w3c_shape() {
        let trace = TraceContext::new();
        let header = trace.traceparent();
        let parts: Vec<&str> = header.split('-').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(
            (parts[0], parts[1].len(), parts[2].len(), parts[3]),
            ("00", 32, 16, "01")
        );
        assert_ne!(TraceContext::new().trace_id, trace.trace_id);
    }
}
