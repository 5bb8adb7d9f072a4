//! Writing transcripts: the copy a fork starts from, and checking and placing an imported file.
//! A transcript written here is Claude Code's own format, so `claude --resume <id>` continues it.
//!
//! A new file is written beside the others under a temporary name and then linked into place:
//! nothing half-written is ever seen under a session's name, and an existing session is never
//! overwritten.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// Imports larger than this are refused.
pub const MAX_IMPORT_BYTES: usize = 64 << 20;

/// Line types a copy leaves out: running totals of the parent's processes (kept, they would
/// count the parent's cost again) and the parent's "last prompt" marker.
const NOT_COPIED: &[&str] = &["cost-state", "last-prompt"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RewriteError {
    #[error("{0}")]
    Invalid(String),
    #[error("no message {0} in this session")]
    NoMessage(String),
    #[error("a session {0} already exists here")]
    Exists(String),
    #[error("cannot write the transcript: {0}")]
    Io(String),
}

impl From<std::io::Error> for RewriteError {
    fn from(e: std::io::Error) -> Self {
        RewriteError::Io(e.to_string())
    }
}

/// The lines of a fork of `source` at message `at` (the newest message of the main conversation
/// when `None`): the messages on the path to it, with the lines between them that are not
/// messages, all under the new session id. Nothing after `at` is copied.
pub fn fork_lines(source: &[u8], at: Option<&str>, new_id: &str) -> Result<Vec<u8>, RewriteError> {
    let lines: Vec<Value> = source
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .filter(Value::is_object)
        .collect();
    let uuid_of = |v: &Value| v["uuid"].as_str().map(str::to_string);
    let target = match at {
        Some(at) => lines
            .iter()
            .position(|v| v["uuid"] == at)
            .ok_or_else(|| RewriteError::NoMessage(at.to_string()))?,
        None => lines
            .iter()
            .rposition(|v| v.get("uuid").is_some() && v["isSidechain"] != true)
            .ok_or_else(|| RewriteError::Invalid("the session has no messages".into()))?,
    };
    let parents: HashMap<String, Option<String>> = lines
        .iter()
        .filter_map(|v| Some((uuid_of(v)?, v["parentUuid"].as_str().map(str::to_string))))
        .collect();
    let mut keep: HashSet<String> = HashSet::new();
    let mut next = uuid_of(&lines[target]);
    while let Some(u) = next {
        if !keep.insert(u.clone()) {
            break; // a cycle in a damaged file
        }
        next = parents.get(&u).cloned().flatten();
    }
    let mut out = Vec::new();
    for mut v in lines.into_iter().take(target + 1) {
        let copied = match uuid_of(&v) {
            Some(u) => keep.contains(&u),
            None => !NOT_COPIED.contains(&v["type"].as_str().unwrap_or("")),
        };
        if !copied {
            continue;
        }
        if let Some(id) = v.get_mut("sessionId") {
            *id = Value::String(new_id.to_string());
        }
        out.extend_from_slice(v.to_string().as_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

/// What a checked import holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub session_id: String,
    /// The working directory its lines name, if any.
    pub cwd: Option<String>,
    pub messages: usize,
}

/// Checks that `bytes` is one Claude Code session: every line a JSON object, one session id (a
/// UUID), at least one user or assistant message, message ids unique, each `parentUuid` naming
/// a message before it. The first problem is reported with its line number.
pub fn check_import(bytes: &[u8]) -> Result<ImportPlan, RewriteError> {
    let bad = |m: String| Err(RewriteError::Invalid(m));
    if bytes.len() > MAX_IMPORT_BYTES {
        return bad(format!(
            "the file is {} MB; at most {} MB can be imported",
            bytes.len() >> 20,
            MAX_IMPORT_BYTES >> 20
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RewriteError::Invalid("the file is not UTF-8 text".into()))?;
    let mut session: Option<String> = None;
    let mut cwd = None;
    let mut seen: HashSet<String> = HashSet::new();
    let mut messages = 0;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v = match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => v,
            _ => return bad(format!("line {n} is not a JSON object")),
        };
        if let Some(id) = v.get("sessionId") {
            let Some(id) = id.as_str().filter(|id| is_uuid(id)) else {
                return bad(format!("line {n}: sessionId is not a UUID"));
            };
            match &session {
                None => session = Some(id.to_string()),
                Some(s) if s != id => {
                    return bad(format!(
                        "line {n} belongs to session {id}, the file starts with {s}: one session per file"
                    ))
                }
                Some(_) => {}
            }
        }
        if cwd.is_none() {
            cwd = v["cwd"].as_str().map(str::to_string);
        }
        if let Some(uuid) = v.get("uuid") {
            let Some(uuid) = uuid.as_str() else {
                return bad(format!("line {n}: uuid is not a string"));
            };
            if let Some(parent) = v["parentUuid"].as_str() {
                if !seen.contains(parent) {
                    return bad(format!(
                        "line {n}: its parentUuid {parent} is not a message before it"
                    ));
                }
            }
            if !seen.insert(uuid.to_string()) {
                return bad(format!("line {n}: message {uuid} appears twice"));
            }
            if matches!(v["type"].as_str(), Some("user" | "assistant")) {
                messages += 1;
            }
        }
    }
    let Some(session_id) = session else {
        return bad(
            "no line names a session (sessionId): this is not a Claude Code transcript".into(),
        );
    };
    if messages == 0 {
        return bad("the file has no user or assistant message".into());
    }
    Ok(ImportPlan {
        session_id,
        cwd,
        messages,
    })
}

/// The lines of a checked import with their working directory set to `cwd`, where the session
/// now lives (the CLI finds a session by the folder it is resumed in).
pub fn relocate(bytes: &[u8], cwd: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for line in bytes.split(|b| *b == b'\n') {
        let Ok(mut v) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if let Some(c) = v.get_mut("cwd") {
            *c = Value::String(cwd.to_string());
        }
        out.extend_from_slice(v.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Writes `bytes` as a new file at `path` (mode 0600, as Claude Code's own): refused when the
/// file exists; never seen half-written.
pub fn write_new(path: &Path, bytes: &[u8], session_id: &str) -> Result<(), RewriteError> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .ok_or_else(|| RewriteError::Io("the transcript has no folder".into()))?;
    std::fs::create_dir_all(dir)?;
    if path.exists() {
        return Err(RewriteError::Exists(session_id.to_string()));
    }
    let temp = dir.join(format!(".{session_id}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    // A hard link fails if the name is taken: an existing session is never replaced.
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(RewriteError::Exists(session_id.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// A UUID as Claude Code writes them (also what makes a safe file name).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}
