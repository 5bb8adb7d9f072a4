//! One transcript file read from an offset to its last complete line, in fixed-size chunks (a
//! 1 GB file is never held whole), into what the index merges: the usage of each API message
//! and the facts of each session that wrote to the file.

use super::line::{decoded, facts, prompt_text, Tokens};
use super::pricing::cost_of;
use super::skim;
use memchr::memchr;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read at a time. A longer line grows the buffer to fit it, then it shrinks back.
const CHUNK: usize = 1 << 20;
/// How much of each prompt is kept for search.
pub const PROMPT_SEARCH_CHARS: usize = 500;
/// How much prompt text a session keeps for search in all.
pub const SESSION_SEARCH_BYTES: usize = 16 << 10;
/// How many leading bytes identify a file's content (a rewritten file starts differently).
pub const HEAD_BYTES: usize = 1024;

/// One API message's usage, as found in one line.
#[derive(Debug, Clone)]
pub struct UsageEntry {
    /// `message.id` + `requestId` hashed: lines repeating one message share it. None when the line
    /// lacks either id (then it cannot be matched and is counted as it is).
    pub key: Option<u64>,
    /// Index into [`FileScan::sessions`].
    pub session: u32,
    /// The hour of its timestamp, counted from the Unix epoch (UTC); 0 when the line has none.
    pub hour: u32,
    pub model: u32,
    pub tokens: Tokens,
    /// The line's own cost, else the price table's; None for a model without a price.
    pub cost_usd: Option<f64>,
}

/// What one file says about one session.
#[derive(Debug, Clone, Default)]
pub struct SessionFacts {
    pub id: String,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    pub title: Option<String>,
    pub first_at: Option<String>,
    pub last_at: Option<String>,
    /// The prompts typed, in order.
    pub prompts: Vec<Prompt>,
    /// The CLI's cost per process (`cost-state`: `startTime` -> the last `totalCostUSD`).
    pub cli_cost: HashMap<i64, f64>,
}

#[derive(Debug, Clone)]
pub struct Prompt {
    /// The hash of its `uuid`: a fork's file repeats its parent's lines, uuids and all.
    pub key: u64,
    /// Its first [`PROMPT_SEARCH_CHARS`] characters: for search (lower-cased by the index, only
    /// for the prompts it keeps) and the title ([`title_of`] reads no further).
    pub start: String,
}

#[derive(Debug, Default)]
pub struct FileScan {
    pub sessions: Vec<SessionFacts>,
    pub models: Vec<String>,
    pub entries: Vec<UsageEntry>,
    /// Where the next read starts: just past the last complete line.
    pub offset: u64,
    pub malformed: u64,
    pub lines: u64,
    pub bytes: u64,
    pub head: Option<u64>,
}

impl FileScan {
    /// When the earliest session in this read began.
    pub fn first_at(&self) -> Option<String> {
        self.sessions
            .iter()
            .filter_map(|f| f.first_at.clone())
            .min()
    }

    fn session(&mut self, id: &str) -> u32 {
        match self.sessions.iter().position(|s| s.id == id) {
            Some(i) => i as u32,
            None => {
                self.sessions.push(SessionFacts {
                    id: id.to_string(),
                    ..Default::default()
                });
                (self.sessions.len() - 1) as u32
            }
        }
    }

    fn model(&mut self, name: &str) -> u32 {
        match self.models.iter().position(|m| m == name) {
            Some(i) => i as u32,
            None => {
                self.models.push(name.to_string());
                (self.models.len() - 1) as u32
            }
        }
    }

    fn line(&mut self, line: &[u8], fallback_session: &str) {
        self.lines += 1;
        let Ok(f) = facts(line) else {
            self.malformed += 1;
            return;
        };
        let sid = f.session_id.unwrap_or(fallback_session);
        let s = self.session(sid);
        let facts_of = &mut self.sessions[s as usize];
        // Nearly every line carries these: kept in place, allocated only when they change.
        if let Some(ts) = f.timestamp {
            if facts_of.first_at.as_deref().is_none_or(|first| ts < first) {
                set(&mut facts_of.first_at, ts);
            }
            if facts_of.last_at.as_deref().is_none_or(|last| ts > last) {
                set(&mut facts_of.last_at, ts);
            }
        }
        if facts_of.cwd.is_none() {
            facts_of.cwd = decoded(f.cwd);
        }
        if let Some(raw) = f.git_branch {
            match skim::plain_str(raw) {
                Some(branch) if facts_of.git_branch.as_deref() == Some(branch) => {}
                Some(branch) => set(&mut facts_of.git_branch, branch),
                None => facts_of.git_branch = decoded(Some(raw)),
            }
        }
        match f.kind {
            Some("user") if !f.meta && !f.tool_result && !f.sidechain => {
                let Some(text) = f.content.and_then(prompt_text) else {
                    return;
                };
                if facts_of.title.is_none() {
                    facts_of.title = Some(title_of(&text));
                }
                let key = match f.uuid {
                    Some(uuid) => hash_of(uuid),
                    None => hash_of(&(f.timestamp, &text)),
                };
                let searchable: String = text.chars().take(PROMPT_SEARCH_CHARS).collect();
                facts_of.prompts.push(Prompt {
                    key,
                    start: searchable,
                });
            }
            Some("cost-state") => {
                if let (Some(start), Some(total)) = (f.start_time, f.total_cost_usd) {
                    facts_of.cli_cost.insert(start, total);
                }
            }
            Some("assistant") => {
                let (Some(tokens), Some(model)) = (f.usage, f.model) else {
                    return;
                };
                let hour = f.timestamp.map_or(0, hour_of);
                let key = match (f.message_id, f.request_id) {
                    (Some(m), Some(r)) => Some(hash_of(&(m, r))),
                    _ => None,
                };
                let cost_usd = f.cost_usd.or_else(|| cost_of(model, &tokens));
                let model = self.model(model);
                self.entries.push(UsageEntry {
                    key,
                    session: s,
                    hour,
                    model,
                    tokens,
                    cost_usd,
                });
            }
            _ => {}
        }
    }
}

/// The hour (since the epoch, UTC) of a transcript timestamp; a time in another form counts
/// from the start of its day, and one without a date as hour 0.
fn hour_of(ts: &str) -> u32 {
    use crate::base::format::parse_rfc3339_ms;
    parse_rfc3339_ms(ts)
        .or_else(|| parse_rfc3339_ms(&format!("{}T00:00:00Z", ts.get(..10)?)))
        .map_or(0, |ms| {
            (ms / 3_600_000).clamp(0, i64::from(u32::MAX)) as u32
        })
}

/// Overwrites `slot` with `value`, reusing its allocation.
fn set(slot: &mut Option<String>, value: &str) {
    match slot {
        Some(s) => {
            s.clear();
            s.push_str(value);
        }
        None => *slot = Some(value.to_string()),
    }
}

/// The first line of a prompt, cut to a title's length.
pub fn title_of(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    match first.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &first[..cut]),
        None => first.to_string(),
    }
}

/// A 64-bit hash that is the same for the same value in every scan (`DefaultHasher::new` has
/// fixed keys): the index compares keys across scans of one process.
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The hash of a file's first `len` bytes (at most [`HEAD_BYTES`]), to notice a file rewritten
/// in place.
pub fn head_of(path: &Path, len: u64) -> std::io::Result<Option<u64>> {
    let len = (len as usize).min(HEAD_BYTES);
    let mut file = std::fs::File::open(path)?;
    let mut buf = [0u8; HEAD_BYTES];
    let mut filled = 0;
    while filled < len {
        match file.read(&mut buf[filled..len])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok((filled > 0).then(|| hash_of(&buf[..filled])))
}

/// Reads `path` from `offset` to its last complete line.
pub fn scan_file(path: &Path, offset: u64) -> std::io::Result<FileScan> {
    let fallback = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut scan = FileScan {
        offset,
        ..Default::default()
    };
    let mut buf = vec![0u8; CHUNK];
    // buf[..filled] holds bytes read but not yet consumed as lines.
    let mut filled = 0usize;
    loop {
        if filled == buf.len() {
            // One line longer than the buffer: make room for it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
        let mut start = 0usize;
        while let Some(nl) = memchr(b'\n', &buf[start..filled]) {
            let line = &buf[start..start + nl];
            if !line.iter().all(u8::is_ascii_whitespace) {
                scan.line(line, &fallback);
            }
            start += nl + 1;
        }
        scan.offset += start as u64;
        scan.bytes += start as u64;
        buf.copy_within(start..filled, 0);
        filled -= start;
        if buf.len() > CHUNK && filled < CHUNK {
            buf.truncate(CHUNK);
            buf.shrink_to(CHUNK);
        }
    }
    scan.head = head_of(path, scan.offset)?;
    Ok(scan)
}
