//! [`Frame`]: one event of one instance, as the event store keeps it and the bus carries it.

use crate::base::clock::format_ts;
use crate::instances::types::EventFrame;
use bytes::Bytes;
use std::sync::Arc;

/// One event, as stored and as sent to viewers.
#[derive(Debug, Clone)]
pub struct Frame {
    pub instance_id: Arc<str>,
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: i64,
    pub kind: Arc<str>,
    /// The frame as the WebSocket sends it: an [`EventFrame`]'s JSON text.
    pub json: Bytes,
}

impl Frame {
    /// Builds a frame. `data` must be JSON text (the CLI's line verbatim, or a value Flotilla
    /// serialised); it is embedded as it is.
    pub fn new(instance_id: Arc<str>, seq: u64, ts_ms: i64, kind: Arc<str>, data: &str) -> Self {
        let json = EventFrame::encode(seq, &format_ts(ts_ms), &kind, data);
        Frame {
            instance_id,
            seq,
            ts_ms,
            kind,
            json: Bytes::from(json),
        }
    }

    /// The JSON `data` field, cut back out of the frame text.
    pub fn data(&self) -> &str {
        let text = std::str::from_utf8(&self.json).unwrap_or("{}");
        text.find(r#","data":"#)
            .map(|i| &text[i + 8..text.len() - 1])
            .unwrap_or("null")
    }
}
