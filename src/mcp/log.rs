//! A connection's log: the JSON-RPC messages both ways, the server's stderr, and notes (started,
//! connected, a line that is not JSON-RPC, exited), numbered so a page can ask for what is new.
//! Bounded: the oldest entries go first.

use super::types::LogEntry;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Entries kept per connection.
const KEPT: usize = 2_000;
/// The longest text an entry keeps (a huge result is cut, in the log only).
const TEXT: usize = 64 << 10;

#[derive(Debug, Default)]
pub struct Log {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    entries: VecDeque<LogEntry>,
    garbage: u64,
    first_garbage: Option<String>,
    exit: Option<String>,
    stderr: VecDeque<String>,
}

impl Log {
    fn push(&self, kind: &str, text: String) {
        let Ok(mut log) = self.inner.lock() else {
            return;
        };
        log.next += 1;
        let entry = LogEntry {
            seq: log.next,
            at: crate::base::clock::format_ts(crate::base::clock::now_ms()),
            kind: kind.to_string(),
            text: cut(text),
        };
        if log.entries.len() == KEPT {
            log.entries.pop_front();
        }
        log.entries.push_back(entry);
    }

    /// A JSON-RPC message, `sent` or `received`.
    pub fn message(&self, kind: &str, raw: &[u8]) {
        self.push(kind, String::from_utf8_lossy(raw.trim_ascii()).into_owned());
    }

    /// A line on the server's stdout that is not JSON-RPC.
    pub fn garbage(&self, raw: &[u8]) {
        let text = String::from_utf8_lossy(raw).into_owned();
        if let Ok(mut log) = self.inner.lock() {
            log.garbage += 1;
            if log.first_garbage.is_none() {
                log.first_garbage = Some(text.chars().take(200).collect());
            }
        }
        self.push("note", format!("not JSON-RPC, ignored: {text}"));
    }

    pub fn stderr(&self, line: String) {
        if let Ok(mut log) = self.inner.lock() {
            if log.stderr.len() == 50 {
                log.stderr.pop_front();
            }
            log.stderr.push_back(line.clone());
        }
        self.push("stderr", line);
    }

    pub fn note(&self, text: String) {
        self.push("note", text);
    }

    /// The server's program ended.
    pub fn exited(&self, status: String) {
        if let Ok(mut log) = self.inner.lock() {
            log.exit = Some(status.clone());
        }
        self.push("note", format!("the server exited ({status})"));
    }

    /// Entries after `since`, at most `limit`, oldest first.
    pub fn since(&self, since: u64, limit: usize) -> Vec<LogEntry> {
        let Ok(log) = self.inner.lock() else {
            return Vec::new();
        };
        log.entries
            .iter()
            .filter(|e| e.seq > since)
            .take(limit)
            .cloned()
            .collect()
    }

    /// The newest `n` entries.
    pub fn tail(&self, n: usize) -> Vec<LogEntry> {
        let Ok(log) = self.inner.lock() else {
            return Vec::new();
        };
        let skip = log.entries.len().saturating_sub(n);
        log.entries.iter().skip(skip).cloned().collect()
    }

    pub fn garbage_seen(&self) -> Option<(u64, String)> {
        let log = self.inner.lock().ok()?;
        (log.garbage > 0).then(|| (log.garbage, log.first_garbage.clone().unwrap_or_default()))
    }

    pub fn exit_status(&self) -> Option<String> {
        self.inner.lock().ok()?.exit.clone()
    }

    pub fn stderr_tail(&self, n: usize) -> Vec<String> {
        let Ok(log) = self.inner.lock() else {
            return Vec::new();
        };
        let skip = log.stderr.len().saturating_sub(n);
        log.stderr.iter().skip(skip).cloned().collect()
    }
}

fn cut(mut text: String) -> String {
    if text.len() > TEXT {
        let mut at = TEXT;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let dropped = text.len() - at;
        text.truncate(at);
        text.push_str(&format!("… [{dropped} more bytes]"));
    }
    text
}

/// An rmcp transport that logs every message it carries (for HTTP, where there are no lines to
/// read): the messages as rmcp serializes them.
pub struct Logged<T> {
    inner: T,
    log: std::sync::Arc<Log>,
}

impl<T> Logged<T> {
    pub fn new(inner: T, log: std::sync::Arc<Log>) -> Self {
        Self { inner, log }
    }
}

impl<T> rmcp::transport::Transport<rmcp::RoleClient> for Logged<T>
where
    T: rmcp::transport::Transport<rmcp::RoleClient>,
{
    type Error = T::Error;

    fn send(
        &mut self,
        item: rmcp::service::TxJsonRpcMessage<rmcp::RoleClient>,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send + 'static {
        if let Ok(text) = serde_json::to_vec(&item) {
            self.log.message("sent", &text);
        }
        self.inner.send(item)
    }

    fn receive(
        &mut self,
    ) -> impl std::future::Future<Output = Option<rmcp::service::RxJsonRpcMessage<rmcp::RoleClient>>>
           + Send {
        let log = self.log.clone();
        let next = self.inner.receive();
        async move {
            let message = next.await;
            if let Some(m) = &message {
                if let Ok(text) = serde_json::to_vec(m) {
                    log.message("received", &text);
                }
            }
            message
        }
    }

    fn close(&mut self) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_numbered_bounded_and_read_since() {
        let log = Log::default();
        for i in 0..(KEPT + 10) {
            log.note(format!("n{i}"));
        }
        let all = log.since(0, usize::MAX);
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0].seq, 11, "the oldest went first");
        assert_eq!(log.since(KEPT as u64 + 8, 10).len(), 2);
        assert_eq!(log.tail(1)[0].text, format!("n{}", KEPT + 9));
        log.garbage(b"hello there");
        log.garbage(b"again");
        assert_eq!(log.garbage_seen(), Some((2, "hello there".into())));
        log.stderr("boom".into());
        assert_eq!(log.stderr_tail(5), ["boom"]);
        let big = "x".repeat(TEXT + 10);
        log.note(big);
        assert!(log.tail(1)[0].text.ends_with("… [10 more bytes]"));
    }
}
