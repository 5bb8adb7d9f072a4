//! One session's conversation, read from its transcript: the message tree (`parentUuid` links,
//! sub-agents' sidechains), the frames the chat components replay, Markdown for export, and the
//! copies that fork and import write. Core code: no Leptos, no database.
//!
//! Reading is line by line with a bounded buffer; every string longer than
//! [`MAX_STRING`] is cut, so a session with huge tool outputs stays small in memory and on the wire.

pub mod markdown;
pub mod merge;
pub mod rewrite;
#[cfg(test)]
mod tests;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// Strings longer than this (in characters) are cut when read for display.
pub const MAX_STRING: usize = 20_000;
/// At most this many messages are read (the rest is reported as cut).
pub const MAX_MESSAGES: usize = 20_000;

/// One line of the transcript that is a node of the tree (it has a `uuid`).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub uuid: String,
    pub parent_uuid: Option<String>,
    /// The line's `type`: `user`, `assistant`, `system`, `attachment`, ...
    pub kind: String,
    /// A sub-agent's line.
    pub sidechain: bool,
    pub timestamp: Option<String>,
    /// A prompt someone typed (not a tool result, not a meta line).
    pub prompt: bool,
    /// One line to show in the outline.
    pub summary: String,
    /// What the chat components replay for this message: (frame kind, frame data).
    pub frame: Option<(String, String)>,
}

/// A session's messages in the order they were written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    pub messages: Vec<Message>,
    /// More than [`MAX_MESSAGES`]: the rest was not read.
    pub cut: bool,
    pub malformed_lines: u64,
}

impl Conversation {
    /// Reads the session's main file and, when there are any, its sub-agents' files
    /// (`<session>/subagents/*.jsonl` beside it).
    pub fn read(main: &Path) -> std::io::Result<Self> {
        let mut c = Conversation::default();
        c.read_file(main, false)?;
        if let (Some(dir), Some(stem)) = (main.parent(), main.file_stem()) {
            let subagents = dir.join(stem).join("subagents");
            if let Ok(entries) = std::fs::read_dir(&subagents) {
                let mut files: Vec<_> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                    .collect();
                files.sort();
                for f in files {
                    c.read_file(&f, true)?;
                }
            }
        }
        Ok(c)
    }

    fn read_file(&mut self, path: &Path, sidechain_file: bool) -> std::io::Result<()> {
        let file = std::fs::File::open(path)?;
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut value = match serde_json::from_slice::<Value>(&line) {
                Ok(v @ Value::Object(_)) => v,
                _ => {
                    self.malformed_lines += 1;
                    continue;
                }
            };
            cut_strings(&mut value);
            if let Some(m) = message_of(&value, sidechain_file) {
                if self.messages.len() >= MAX_MESSAGES {
                    self.cut = true;
                    return Ok(());
                }
                self.messages.push(m);
            }
        }
    }

    /// The path from the first message to the newest leaf of the main conversation (not the
    /// sub-agents'): what `claude --resume` continues from.
    pub fn main_path(&self) -> Vec<usize> {
        let Some(last) = self.messages.iter().rposition(|m| !m.sidechain) else {
            return Vec::new();
        };
        self.path_to(last)
    }

    /// The indexes of the messages from the root to message `i`, in order.
    pub fn path_to(&self, i: usize) -> Vec<usize> {
        let by_uuid = self.by_uuid();
        let mut path = vec![i];
        let mut at = i;
        while let Some(parent) = self.messages[at]
            .parent_uuid
            .as_deref()
            .and_then(|p| by_uuid.get(p))
        {
            // A cycle (a damaged file) ends the walk.
            if path.len() > self.messages.len() {
                break;
            }
            path.push(*parent);
            at = *parent;
        }
        path.reverse();
        path
    }

    fn by_uuid(&self) -> HashMap<&str, usize> {
        self.messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.uuid.as_str(), i))
            .collect()
    }

    pub fn index_of(&self, uuid: &str) -> Option<usize> {
        self.messages.iter().position(|m| m.uuid == uuid)
    }

    /// How far each message is from the first line of its tree: 0 on the first child chain, one
    /// more at each branch taken that is not the first child (for an outline that indents only
    /// where the conversation forked).
    pub fn branch_levels(&self) -> Vec<u32> {
        let mut first_child: HashMap<&str, &str> = HashMap::new();
        let by_uuid = self.by_uuid();
        let mut levels = vec![0u32; self.messages.len()];
        for (i, m) in self.messages.iter().enumerate() {
            let parent = m.parent_uuid.as_deref().and_then(|p| by_uuid.get(p));
            levels[i] = match parent {
                Some(&p) => {
                    let first = first_child
                        .entry(self.messages[p].uuid.as_str())
                        .or_insert(m.uuid.as_str());
                    levels[p] + u32::from(*first != m.uuid.as_str())
                }
                None => u32::from(m.sidechain),
            };
        }
        levels
    }
}

/// The node a line is, if it has a uuid.
fn message_of(v: &Value, sidechain_file: bool) -> Option<Message> {
    let uuid = v["uuid"].as_str()?.to_string();
    let kind = v["type"].as_str().unwrap_or("?").to_string();
    let sidechain = sidechain_file || v["isSidechain"].as_bool() == Some(true);
    let content = &v["message"]["content"];
    let tool_result = v.get("toolUseResult").is_some() || has_block(content, "tool_result");
    let meta = v["isMeta"].as_bool() == Some(true);
    let prompt = kind == "user" && !tool_result && !meta && !sidechain;
    let frame = match kind.as_str() {
        _ if sidechain => None,
        "user" if prompt => Some((
            "stdin".to_string(),
            json!({"type": "user", "message": {"role": "user", "content": content}}).to_string(),
        )),
        "user" if tool_result => Some(("user".to_string(), v.to_string())),
        "assistant" => Some(("assistant".to_string(), v.to_string())),
        _ => None,
    };
    Some(Message {
        uuid,
        parent_uuid: v["parentUuid"].as_str().map(str::to_string),
        summary: summary_of(&kind, v),
        kind,
        sidechain,
        timestamp: v["timestamp"].as_str().map(str::to_string),
        prompt,
        frame,
    })
}

fn has_block(content: &Value, kind: &str) -> bool {
    content
        .as_array()
        .is_some_and(|blocks| blocks.iter().any(|b| b["type"] == kind))
}

/// A line of text for the outline: the prompt, the reply's text, the tool called, ...
fn summary_of(kind: &str, v: &Value) -> String {
    let content = &v["message"]["content"];
    let text = match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .find_map(|b| match b["type"].as_str() {
                Some("text") => b["text"].as_str().map(str::to_string),
                Some("thinking") => Some("(thinking)".to_string()),
                Some("tool_use") => Some(format!("{} tool", b["name"].as_str().unwrap_or("a"))),
                Some("tool_result") => Some("tool result".to_string()),
                _ => None,
            })
            .unwrap_or_default(),
        _ => match kind {
            "attachment" => format!(
                "attachment: {}",
                v["attachment"]["type"].as_str().unwrap_or("?")
            ),
            "system" => v["content"].as_str().unwrap_or("system").to_string(),
            _ => String::new(),
        },
    };
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = line.trim().chars().take(160).collect();
    if line.trim().chars().count() > 160 {
        out.push('…');
    }
    out
}

/// Cuts every string longer than [`MAX_STRING`] characters, saying so.
fn cut_strings(v: &mut Value) {
    match v {
        Value::String(s) if s.len() > MAX_STRING => {
            if let Some((at, _)) = s.char_indices().nth(MAX_STRING) {
                let dropped = s.len() - at;
                s.truncate(at);
                s.push_str(&format!("… [{dropped} more bytes not shown]"));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(cut_strings),
        Value::Object(map) => map.values_mut().for_each(cut_strings),
        _ => {}
    }
}
