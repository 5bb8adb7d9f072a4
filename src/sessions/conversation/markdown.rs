//! A session as readable Markdown: each prompt, each reply's text, each tool call with its input
//! and its result, in the order they happened (sub-agents' lines are left out; their work shows
//! as the Task tool's result). Tool input and output go in code fences longer than any run of
//! backticks inside them, so nothing in them turns into Markdown.

use serde_json::Value;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::Path;

/// Tool results longer than this (in characters) are cut in the Markdown.
const MAX_RESULT: usize = 4_000;

pub fn export(main: &Path, title: &str) -> std::io::Result<String> {
    let file = std::fs::File::open(main)?;
    let reader = std::io::BufReader::new(file);
    let mut out = format!("# {}\n\n", one_line(title));
    let mut header_done = false;
    for line in reader.split(b'\n') {
        let line = line?;
        let Ok(v) = serde_json::from_slice::<Value>(&line) else {
            continue;
        };
        if v["isSidechain"] == true || v["isMeta"] == true {
            continue;
        }
        if !header_done {
            if let Some(id) = v["sessionId"].as_str() {
                let _ = writeln!(out, "- Session: `{id}`");
                if let Some(cwd) = v["cwd"].as_str() {
                    let _ = writeln!(out, "- Folder: `{}`", one_line(cwd));
                }
                if let Some(b) = v["gitBranch"].as_str() {
                    let _ = writeln!(out, "- Branch: `{}`", one_line(b));
                }
                out.push('\n');
                header_done = true;
            }
        }
        let when = v["timestamp"].as_str().unwrap_or("");
        let content = &v["message"]["content"];
        match v["type"].as_str() {
            Some("user") => match content {
                Value::String(s) => {
                    let _ = write!(out, "## User · {when}\n\n{s}\n\n");
                }
                Value::Array(blocks) => {
                    for b in blocks {
                        match b["type"].as_str() {
                            Some("text") => {
                                let _ = write!(
                                    out,
                                    "## User · {when}\n\n{}\n\n",
                                    b["text"].as_str().unwrap_or("")
                                );
                            }
                            Some("tool_result") => {
                                let text = crate::instances::codec::content_text(&b["content"]);
                                let label = if b["is_error"] == true {
                                    "Tool error"
                                } else {
                                    "Tool result"
                                };
                                let _ = write!(out, "**{label}**\n\n{}\n", fenced(&cut(&text), ""));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            },
            Some("assistant") => {
                for b in content.as_array().into_iter().flatten() {
                    match b["type"].as_str() {
                        Some("text") => {
                            let _ = write!(
                                out,
                                "## Claude · {when}\n\n{}\n\n",
                                b["text"].as_str().unwrap_or("")
                            );
                        }
                        Some("tool_use") => {
                            let input =
                                serde_json::to_string_pretty(&b["input"]).unwrap_or_default();
                            let _ = write!(
                                out,
                                "**Tool: {}**\n\n{}\n",
                                one_line(b["name"].as_str().unwrap_or("?")),
                                fenced(&input, "json")
                            );
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `text` in a code fence no line of it can close.
pub fn fenced(text: &str, lang: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{text}\n{fence}\n")
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_RESULT) {
        Some((at, _)) => format!("{}\n… ({} more bytes)", &text[..at], text.len() - at),
        None => text.to_string(),
    }
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").replace('`', "'")
}
