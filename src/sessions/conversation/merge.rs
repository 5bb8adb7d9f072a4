//! Merging two sessions: the brief a new session starts from, carrying a summary of both.
//!
//! The definition (also in docs/SESSIONS.md): each source session is read along the path
//! `claude --resume` would continue (its main path; branches and sub-agents left out) and cut
//! into turns, a turn being a prompt someone typed and everything up to the next one. Its summary
//! is a header (title, session id, folder, branch, start) and, per turn, the prompt (at most
//! [`PROMPT_CHARS`] characters), the tools Claude called with their main argument (at most
//! [`TOOLS_PER_TURN`]) and the last text Claude wrote in that turn (at most [`REPLY_CHARS`]),
//! then the files it wrote or edited. A summary longer than [`SESSION_CHARS`] keeps the first turn
//! and as many of the latest as fit, and says how many in between were left out. The brief is
//! both summaries (A, then B) followed by what to do now: the user's instruction, or by default a
//! request to compare the two and propose how to combine them before changing anything. Its first
//! line, `Merge of “A” and “B”`, is what the new session is listed as.
//!
//! The brief is sent as the first prompt of a new session, so the merged session is an ordinary
//! Claude Code session (resumable, exportable) whose context carries both.

use super::Conversation;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;

pub const PROMPT_CHARS: usize = 2_000;
pub const REPLY_CHARS: usize = 4_000;
pub const TOOLS_PER_TURN: usize = 20;
pub const SESSION_CHARS: usize = 40_000;

/// What to do when the user gives no instruction.
pub const DEFAULT_INSTRUCTION: &str = "Compare the two approaches above and propose how to \
combine them into one. Do not change any files until I say which way to go.";

/// One source session of a merge.
pub struct Source<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub cwd: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub started_at: Option<&'a str>,
    pub conversation: &'a Conversation,
}

/// A prompt and what followed it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Turn {
    pub prompt: String,
    /// `Bash: cargo test`, `Edit: src/lib.rs`, ...
    pub tools: Vec<String>,
    /// The last text Claude wrote in the turn.
    pub reply: String,
}

/// The turns along the conversation's main path, and the files written or edited on it.
pub fn turns(c: &Conversation) -> (Vec<Turn>, BTreeSet<String>) {
    let mut turns: Vec<Turn> = Vec::new();
    let mut files = BTreeSet::new();
    for i in c.main_path() {
        let m = &c.messages[i];
        let Some((_, data)) = &m.frame else {
            continue;
        };
        let Ok(line) = serde_json::from_str::<Value>(data) else {
            continue;
        };
        let content = &line["message"]["content"];
        if m.prompt {
            turns.push(Turn {
                prompt: text_of(content),
                ..Default::default()
            });
            continue;
        }
        if m.kind != "assistant" {
            continue;
        }
        if turns.is_empty() {
            turns.push(Turn::default());
        }
        let Some(turn) = turns.last_mut() else {
            continue;
        };
        for block in content.as_array().into_iter().flatten() {
            match block["type"].as_str() {
                Some("text") => {
                    let text = block["text"].as_str().unwrap_or("").trim();
                    if !text.is_empty() {
                        turn.reply = text.to_string();
                    }
                }
                Some("tool_use") => {
                    let name = block["name"].as_str().unwrap_or("tool");
                    let input = &block["input"];
                    if let Some(path) = ["file_path", "notebook_path"]
                        .iter()
                        .find_map(|k| input[*k].as_str())
                        .filter(|_| matches!(name, "Write" | "Edit" | "MultiEdit" | "NotebookEdit"))
                    {
                        files.insert(path.to_string());
                    }
                    turn.tools.push(tool_line(name, input));
                }
                _ => {}
            }
        }
    }
    (turns, files)
}

/// The brief that starts a merged session.
pub fn brief(a: &Source, b: &Source, instruction: Option<&str>) -> String {
    // The first line is what the session is listed as.
    let mut out = format!(
        "Merge of “{}” and “{}”\n\nThis session merges two earlier Claude Code sessions. Their \
         summaries follow; treat them as context you already have.\n",
        cut(&one_line(a.title), 50),
        cut(&one_line(b.title), 50)
    );
    for (label, s) in [("A", a), ("B", b)] {
        out.push('\n');
        out.push_str(&summary(label, s));
    }
    let instruction = instruction
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .unwrap_or(DEFAULT_INSTRUCTION);
    let _ = write!(out, "\n## What to do now\n\n{instruction}\n");
    out
}

/// One session's part of the brief.
pub fn summary(label: &str, s: &Source) -> String {
    let (turns, files) = turns(s.conversation);
    let mut head = format!("## Session {label}: {}\n\n", one_line(s.title));
    let _ = writeln!(head, "- Session id: {}", s.id);
    for (name, value) in [
        ("Folder", s.cwd),
        ("Branch", s.branch),
        ("Started", s.started_at),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(head, "- {name}: {v}");
        }
    }
    let _ = writeln!(head, "- Turns: {}", turns.len());
    let mut tail = String::new();
    if !files.is_empty() {
        let _ = writeln!(tail, "\nFiles written or edited:");
        for f in &files {
            let _ = writeln!(tail, "- {f}");
        }
    }
    let rendered: Vec<String> = turns
        .iter()
        .enumerate()
        .map(|(n, t)| turn_text(n + 1, t))
        .collect();
    // The first turn, then the latest that fit.
    let budget = SESSION_CHARS.saturating_sub(head.len() + tail.len());
    let mut kept_tail: Vec<&String> = Vec::new();
    let mut used = rendered.first().map_or(0, String::len);
    for t in rendered.iter().skip(1).rev() {
        if used + t.len() > budget {
            break;
        }
        used += t.len();
        kept_tail.push(t);
    }
    kept_tail.reverse();
    let mut body = String::new();
    if let Some(first) = rendered.first() {
        body.push_str(first);
    }
    let left_out = rendered.len().saturating_sub(1 + kept_tail.len());
    if left_out > 0 {
        let _ = writeln!(body, "\n({left_out} turn(s) in between left out.)");
    }
    for t in kept_tail {
        body.push_str(t);
    }
    format!("{head}{body}{tail}")
}

fn turn_text(n: usize, t: &Turn) -> String {
    let mut out = format!("\n### Turn {n}\n\n");
    if !t.prompt.is_empty() {
        let _ = writeln!(out, "Prompt:\n{}\n", quoted(&cut(&t.prompt, PROMPT_CHARS)));
    }
    if !t.tools.is_empty() {
        let shown = t.tools.len().min(TOOLS_PER_TURN);
        let mut line = t.tools[..shown].join("; ");
        if t.tools.len() > shown {
            let _ = write!(line, "; and {} more", t.tools.len() - shown);
        }
        let _ = writeln!(out, "Tools used: {line}\n");
    }
    if !t.reply.is_empty() {
        let _ = writeln!(
            out,
            "Claude's last reply:\n{}",
            quoted(&cut(&t.reply, REPLY_CHARS))
        );
    }
    out
}

/// The text of a message's content (a string, or its text blocks).
fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.trim().to_string(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string(),
        _ => String::new(),
    }
}

fn tool_line(name: &str, input: &Value) -> String {
    let arg = [
        "command",
        "file_path",
        "notebook_path",
        "path",
        "pattern",
        "url",
        "description",
    ]
    .iter()
    .find_map(|k| input[*k].as_str());
    match arg {
        Some(a) => format!("{name}: {}", cut(&one_line(a), 120)),
        None => name.to_string(),
    }
}

fn one_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}… [cut]", &s[..at]),
        None => s.to_string(),
    }
}

/// Text as a Markdown quote, so a summary's own headings cannot pass for the brief's.
fn quoted(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
