//! The conversation as the chat page shows it, built from event frames.
//!
//! A pure reducer (no Leptos, no browser): [`ChatModel::apply`] takes frames in `seq` order,
//! whether replayed or live, and keeps a list of [`ChatItem`]s. Each item has a stable `key` and
//! a `version` bumped when it changes, so the view re-renders only what changed.

use crate::instances::codec::{self, Decoded, Delta, StreamEvent};
use crate::instances::types::{FlotillaEvent, Instance};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ChatItem {
    pub key: u64,
    pub version: u32,
    /// The Task tool call this belongs to (a sub-agent's message), if any.
    pub parent: Option<String>,
    pub body: ItemBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    /// A prompt the user sent.
    User {
        text: String,
    },
    /// Assistant text (Markdown); `streaming` while deltas still arrive.
    Text {
        text: String,
        streaming: bool,
    },
    Thinking {
        text: String,
        streaming: bool,
    },
    Tool {
        id: String,
        name: String,
        input: Value,
        result: Option<ToolOutcome>,
        /// How the user answered the permission question for this call, once answered.
        permission: Option<PermissionState>,
    },
    /// A permission question. Once answered, its outcome moves into the card of the tool call it
    /// was about (`merged`) and this item shows nothing: one card per call.
    Permission {
        request_id: String,
        tool_use_id: Option<String>,
        tool_name: String,
        input: Value,
        reason: Option<String>,
        state: PermissionState,
        merged: bool,
    },
    /// The end of a turn.
    TurnEnd {
        cost_usd: f64,
        duration_ms: u64,
        input_tokens: u64,
        output_tokens: u64,
        is_error: bool,
        terminal_reason: Option<String>,
        message: Option<String>,
    },
    Notice {
        level: Level,
        text: String,
    },
    Stderr {
        text: String,
    },
    /// A line Flotilla does not know how to show: its JSON (or text, if malformed).
    Raw {
        kind: String,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    pub text: String,
    pub is_error: bool,
    /// The CLI's `tool_use_result` (e.g. Bash stdout/stderr).
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PermissionState {
    Pending,
    Allowed,
    Denied(String),
    TimedOut,
    /// The turn ended before it was answered.
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Default)]
pub struct ChatModel {
    pub items: Vec<ChatItem>,
    /// The instance as of the newest `flotilla` instance event.
    pub instance: Option<Instance>,
    pub last_seq: u64,
    next_key: u64,
    by_tool: HashMap<String, usize>,
    by_permission: HashMap<String, usize>,
    /// (API message id, content block index) -> item, for blocks still streaming.
    streaming: HashMap<(String, usize), usize>,
    /// The API message being streamed, per sub-agent context.
    current_message: HashMap<Option<String>, String>,
    /// `total_cost_usd` at the previous result of this process (results report a running total).
    process_cost: f64,
    /// The MCP servers of the newest `system/init` line, with their status and tools.
    pub mcp: Vec<McpStatus>,
}

/// An MCP server as the CLI reported it at the start of a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct McpStatus {
    pub name: String,
    /// `connected`, `failed`, `pending`, ...
    pub status: String,
    /// Its tools, without the `mcp__<server>__` prefix.
    pub tools: Vec<String>,
}

impl ChatModel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one frame. Frames at or below `last_seq` are ignored (a reconnect may resend).
    pub fn apply(&mut self, seq: u64, kind: &str, data: &str) {
        if seq <= self.last_seq {
            return;
        }
        self.last_seq = seq;
        match kind {
            "stdin" => self.on_stdin(data),
            "stderr" => {
                let text =
                    serde_json::from_str::<String>(data).unwrap_or_else(|_| data.to_string());
                self.push(None, ItemBody::Stderr { text });
            }
            "malformed" => {
                let text =
                    serde_json::from_str::<String>(data).unwrap_or_else(|_| data.to_string());
                self.push(
                    None,
                    ItemBody::Raw {
                        kind: "malformed".into(),
                        text,
                    },
                );
            }
            "flotilla" => match serde_json::from_str::<FlotillaEvent>(data) {
                Ok(event) => self.on_flotilla(event),
                Err(_) => {
                    self.push(
                        None,
                        ItemBody::Raw {
                            kind: kind.into(),
                            text: data.into(),
                        },
                    );
                }
            },
            _ => match codec::decode(data) {
                Decoded::Message(message) => self.on_cli(message, data),
                Decoded::Malformed { .. } => {
                    self.push(
                        None,
                        ItemBody::Raw {
                            kind: kind.into(),
                            text: data.into(),
                        },
                    );
                }
            },
        }
    }

    /// Items shown at the top level, in order (sub-agent items show inside their Task card).
    pub fn top_level(&self) -> impl Iterator<Item = &ChatItem> {
        self.items.iter().filter(|i| {
            i.parent
                .as_ref()
                .is_none_or(|p| !self.by_tool.contains_key(p))
        })
    }

    /// The items of the sub-agent run by tool call `tool_id`.
    pub fn children<'a>(&'a self, tool_id: &'a str) -> impl Iterator<Item = &'a ChatItem> + 'a {
        self.items
            .iter()
            .filter(move |i| i.parent.as_deref() == Some(tool_id))
    }

    pub fn item(&self, key: u64) -> Option<&ChatItem> {
        // Keys are assigned in order, so a binary search finds them.
        self.items
            .binary_search_by_key(&key, |i| i.key)
            .ok()
            .map(|i| &self.items[i])
    }

    /// Whether text is arriving right now.
    pub fn is_streaming(&self) -> bool {
        !self.streaming.is_empty()
    }

    fn push(&mut self, parent: Option<String>, body: ItemBody) -> usize {
        self.next_key += 1;
        self.items.push(ChatItem {
            key: self.next_key,
            version: 0,
            parent: parent.clone(),
            body,
        });
        if let Some(p) = parent {
            self.touch_tool(&p);
        }
        self.items.len() - 1
    }

    /// Marks an item changed, and the Task cards it is nested in.
    fn touch(&mut self, index: usize) {
        let mut next = Some(index);
        let mut depth = 0;
        while let Some(i) = next {
            self.items[i].version += 1;
            next = self.items[i]
                .parent
                .as_ref()
                .and_then(|p| self.by_tool.get(p).copied());
            depth += 1;
            if depth > 32 {
                break;
            }
        }
    }

    fn touch_tool(&mut self, tool_id: &str) {
        if let Some(&i) = self.by_tool.get(tool_id) {
            self.touch(i);
        }
    }

    fn on_stream(&mut self, parent: Option<String>, event: StreamEvent) {
        match event {
            StreamEvent::MessageStart { message } => {
                if let Some(id) = message["id"].as_str() {
                    self.current_message.insert(parent, id.to_string());
                }
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                let Some(message) = self.current_message.get(&parent).cloned() else {
                    return;
                };
                let body = match content_block["type"].as_str() {
                    Some("text") => ItemBody::Text {
                        text: String::new(),
                        streaming: true,
                    },
                    Some("thinking") => ItemBody::Thinking {
                        text: String::new(),
                        streaming: true,
                    },
                    _ => return,
                };
                let item = self.push(parent, body);
                self.streaming.insert((message, index), item);
            }
            StreamEvent::ContentBlockDelta { index, delta } => {
                let Some(message) = self.current_message.get(&parent) else {
                    return;
                };
                let Some(&i) = self.streaming.get(&(message.clone(), index)) else {
                    return;
                };
                match (&mut self.items[i].body, delta) {
                    (ItemBody::Text { text, .. }, Delta::TextDelta { text: more })
                    | (ItemBody::Thinking { text, .. }, Delta::ThinkingDelta { thinking: more }) => {
                        text.push_str(&more);
                    }
                    _ => return,
                }
                self.touch(i);
            }
            _ => {}
        }
    }

    /// The whole text of a block arrived: it replaces the streamed one (or is new).
    fn finish_block(&mut self, message_id: &str, parent: Option<String>, body: ItemBody) {
        let streamed = self
            .streaming
            .iter()
            .filter(|((m, _), &i)| {
                m == message_id
                    && std::mem::discriminant(&self.items[i].body) == std::mem::discriminant(&body)
            })
            .min_by_key(|((_, block), _)| *block)
            .map(|(k, &i)| (k.clone(), i));
        match streamed {
            Some((key, i)) => {
                self.streaming.remove(&key);
                self.items[i].body = body;
                self.touch(i);
            }
            None => {
                self.push(parent, body);
            }
        }
    }

    /// Records the answer to a pending permission question (a later answer to a settled one is
    /// ignored) and shows it in the card of the tool call it was about, when there is one.
    fn settle_permission(&mut self, i: usize, new_state: PermissionState) {
        let ItemBody::Permission {
            state,
            tool_use_id,
            merged,
            ..
        } = &mut self.items[i].body
        else {
            return;
        };
        if *state != PermissionState::Pending {
            return;
        }
        *state = new_state.clone();
        let tool = tool_use_id
            .as_ref()
            .and_then(|id| self.by_tool.get(id))
            .copied();
        if let Some(t) = tool {
            *merged = true;
            if let ItemBody::Tool { permission, .. } = &mut self.items[t].body {
                *permission = Some(new_state);
            }
            self.touch(t);
        }
        self.touch(i);
    }

    fn end_streaming(&mut self) {
        for (_, i) in std::mem::take(&mut self.streaming) {
            if let ItemBody::Text { streaming, .. } | ItemBody::Thinking { streaming, .. } =
                &mut self.items[i].body
            {
                *streaming = false;
            }
            self.touch(i);
        }
    }

    fn on_stdin(&mut self, data: &str) {
        let Ok(value) = serde_json::from_str::<Value>(data) else {
            return;
        };
        match value["type"].as_str() {
            Some("user") => {
                let text = content_text(&value["message"]["content"]);
                self.push(None, ItemBody::User { text });
            }
            Some("control_response") => {
                let response = &value["response"];
                let Some(&i) = response["request_id"]
                    .as_str()
                    .and_then(|id| self.by_permission.get(id))
                else {
                    return;
                };
                let answer = &response["response"];
                let new_state = match answer["behavior"].as_str() {
                    Some("allow") => PermissionState::Allowed,
                    _ => PermissionState::Denied(
                        answer["message"].as_str().unwrap_or("").to_string(),
                    ),
                };
                // A timeout is recorded as a deny too; keep saying it was a timeout.
                self.settle_permission(i, new_state);
            }
            Some("control_request") => {
                let request = &value["request"];
                let text = match request["subtype"].as_str() {
                    Some("interrupt") => "Interrupt requested.".to_string(),
                    Some("set_model") => format!(
                        "Switching the model to {}.",
                        request["model"].as_str().unwrap_or("?")
                    ),
                    Some("set_permission_mode") => {
                        format!(
                            "Switching the permission mode to {}.",
                            request["mode"].as_str().unwrap_or("?")
                        )
                    }
                    _ => return,
                };
                self.push(
                    None,
                    ItemBody::Notice {
                        level: Level::Info,
                        text,
                    },
                );
            }
            _ => {}
        }
    }

    fn on_flotilla(&mut self, event: FlotillaEvent) {
        match event {
            FlotillaEvent::Instance { instance } => self.instance = Some(*instance),
            FlotillaEvent::Spawned { pid, resumed } => {
                self.process_cost = 0.0;
                let text = if resumed {
                    format!("Claude Code resumed the conversation (pid {pid}).")
                } else {
                    format!("Claude Code started (pid {pid}).")
                };
                self.push(
                    None,
                    ItemBody::Notice {
                        level: Level::Info,
                        text,
                    },
                );
            }
            FlotillaEvent::Exited {
                code,
                signal,
                expected,
            } => {
                self.end_streaming();
                let how = match (code, signal) {
                    (_, Some(s)) => format!("signal {s}"),
                    (Some(c), _) => format!("exit code {c}"),
                    _ => "unknown status".into(),
                };
                let (level, text) = if expected {
                    (Level::Info, "Claude Code stopped.".to_string())
                } else {
                    (
                        Level::Error,
                        format!("Claude Code exited unexpectedly ({how})."),
                    )
                };
                self.push(None, ItemBody::Notice { level, text });
            }
            FlotillaEvent::PermissionTimeout { request_id } => {
                if let Some(&i) = self.by_permission.get(&request_id) {
                    self.settle_permission(i, PermissionState::TimedOut);
                }
            }
            FlotillaEvent::Notice { level, message } => {
                let level = match level.as_str() {
                    "error" => Level::Error,
                    "warning" => Level::Warning,
                    _ => Level::Info,
                };
                self.push(
                    None,
                    ItemBody::Notice {
                        level,
                        text: message,
                    },
                );
            }
        }
    }
}

/// Shared with the server's transcript export.
pub use crate::instances::codec::content_text;

mod cli_lines;
#[cfg(test)]
mod tests;
pub mod wording;
