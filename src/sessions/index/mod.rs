//! The transcript index: every session Claude Code wrote under `<claude-home>/.claude/projects`
//! (Flotilla's own and those run in a terminal), with what each cost. Core code: no Leptos, no
//! database, plain threads; the sessions service runs it off the async threads.
//!
//! A scan reads each file from where the last one stopped (files only grow, one line at a time).
//! A file that shrank or whose first bytes changed was rewritten: then the whole index is rebuilt,
//! which is the only way to keep "counted once" true (its messages may be counted from it).
//!
//! Counted once: several lines repeat one API message (same `message.id` and `requestId`), within
//! a file and across files (a fork's file starts with its parent's lines). Each message counts in
//! the first file that holds it, files taken in the order their sessions began, so a fork's copied
//! history stays with the session it came from.

pub mod file_scan;
pub mod line;
pub mod pricing;
pub mod skim;
#[cfg(test)]
mod tests;

use file_scan::{head_of, scan_file, FileScan};
pub use line::Tokens;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::SystemTime;

/// One session as the index knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionSummary {
    pub id: String,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    /// The first prompt's first line.
    pub title: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub prompts: u64,
    /// The prompts' text, lower-cased, one a line, up to
    /// [`SESSION_SEARCH_BYTES`](file_scan::SESSION_SEARCH_BYTES): what a search looks in.
    pub prompt_text: String,
    /// API messages, each counted once.
    pub api_messages: u64,
    pub tokens: Tokens,
    /// Models used, with their tokens.
    pub models: BTreeMap<String, Tokens>,
    /// From each line's own cost or the price table.
    pub computed_cost_usd: f64,
    /// Messages of a model the price table does not know (their cost is missing above).
    pub unpriced_messages: u64,
    /// The CLI's own total (summed over its processes), when its transcript carries one.
    pub cli_cost_usd: Option<f64>,
    /// The session's own file (`<session id>.jsonl`), once seen.
    pub file: Option<PathBuf>,
    /// The session whose API messages this one's transcript repeats (the owner of the last one
    /// it repeats): what it was forked or continued from, even when that was done with the CLI
    /// (`--resume ID --fork-session`) rather than here.
    pub continued_from: Option<String>,
}

/// Usage of one session in one hour (UTC) with one model: the unit analytics sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HourUsage {
    pub tokens: Tokens,
    /// From each line's own cost or the price table (0 for a model without a price).
    pub cost_usd: f64,
    pub messages: u64,
    /// Messages of a model without a price.
    pub unpriced: u64,
}

#[derive(Debug, Clone)]
struct FileState {
    size: u64,
    modified: Option<SystemTime>,
    offset: u64,
    head: Option<u64>,
    /// The order files are merged in: when their sessions began.
    first_at: Option<String>,
}

/// What a scan did, for logs, the progress bar and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub files_seen: u64,
    pub files_read: u64,
    pub bytes_read: u64,
    pub lines: u64,
    pub malformed_lines: u64,
    /// The index was rebuilt because a file was truncated or rewritten.
    pub rebuilt: bool,
}

/// Live progress of a running scan (shared with the page that shows it).
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
}

#[derive(Default)]
pub struct SessionIndex {
    root: PathBuf,
    files: HashMap<PathBuf, FileState>,
    /// Each API message counted, with the number of the session it was counted for.
    seen_messages: HashMap<u64, u32>,
    /// Session ids by number (numbers keep `seen_messages` small).
    session_ids: Vec<String>,
    session_numbers: HashMap<String, u32>,
    seen_prompts: HashSet<u64>,
    /// Sessions titled by a prompt they repeat (a fork's copy of its parent's first prompt).
    borrowed_titles: HashSet<String>,
    sessions: HashMap<String, SessionSummary>,
    /// The processes' costs per session (`startTime` -> total), summed into `cli_cost_usd`.
    cli_costs: HashMap<String, HashMap<i64, f64>>,
    usage: HashMap<(String, u32, String), HourUsage>,
    malformed_lines: u64,
}

impl SessionIndex {
    /// An empty index of the transcripts under `root` (`<claude-home>/.claude/projects`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            ..Default::default()
        }
    }

    pub fn sessions(&self) -> impl Iterator<Item = &SessionSummary> {
        self.sessions.values()
    }

    pub fn session(&self, id: &str) -> Option<&SessionSummary> {
        self.sessions.get(id)
    }

    /// (session id, hour since the epoch (UTC), model) -> usage.
    pub fn usage(&self) -> impl Iterator<Item = ((&str, u32, &str), &HourUsage)> {
        self.usage
            .iter()
            .map(|((s, h, m), u)| ((s.as_str(), *h, m.as_str()), u))
    }

    pub fn malformed_lines(&self) -> u64 {
        self.malformed_lines
    }

    /// Brings the index up to date with the disk, reading only what was appended since the last
    /// scan, on up to `threads` threads.
    pub fn scan(&mut self, threads: usize, progress: &Progress) -> std::io::Result<ScanReport> {
        let listed = list_transcripts(&self.root)?;
        let mut report = ScanReport {
            files_seen: listed.len() as u64,
            ..Default::default()
        };
        let mut todo: Vec<(PathBuf, u64, u64)> = Vec::new(); // (path, from offset, size)
        let mut rebuild = false;
        for l in &listed {
            match self.files.get(&l.path) {
                None => todo.push((l.path.clone(), 0, l.size)),
                Some(known) if known.size == l.size && known.modified == l.modified => {}
                Some(known) if l.size < known.offset => rebuild = true,
                Some(known) => {
                    if head_of(&l.path, known.offset)? != known.head {
                        rebuild = true;
                    } else {
                        todo.push((l.path.clone(), known.offset, l.size));
                    }
                }
            }
        }
        let by_path: HashMap<&Path, &Listed> =
            listed.iter().map(|l| (l.path.as_path(), l)).collect();
        let gone = self
            .files
            .keys()
            .any(|p| !by_path.contains_key(p.as_path()));
        if rebuild || gone {
            *self = Self::new(std::mem::take(&mut self.root));
            report.rebuilt = true;
            todo = listed.iter().map(|l| (l.path.clone(), 0, l.size)).collect();
        }
        progress
            .files_total
            .store(todo.len() as u64, Ordering::Relaxed);
        progress.bytes_total.store(
            todo.iter().map(|(_, o, s)| s.saturating_sub(*o)).sum(),
            Ordering::Relaxed,
        );
        progress.files_done.store(0, Ordering::Relaxed);
        progress.bytes_done.store(0, Ordering::Relaxed);
        let scans = read_all(&todo, threads, progress);
        // A file gone between listing and reading, or unreadable, is tried again next time.
        let mut scans: Vec<(PathBuf, FileScan)> = todo
            .into_iter()
            .zip(scans)
            .filter_map(|((path, _, _), scan)| scan.ok().map(|s| (path, s)))
            .collect();
        // Older sessions first: each repeated message stays with the first session that had it.
        // A fork's file begins with its parent's lines, times and all: of two files that begin
        // at the same moment, the one made first is the parent.
        let order_of = |path: &PathBuf, scan: &FileScan| {
            let known = self.files.get(path).and_then(|f| f.first_at.clone());
            let created = by_path.get(path.as_path()).and_then(|l| l.created);
            (known.or_else(|| scan.first_at()), created, path.clone())
        };
        scans.sort_by_cached_key(|(path, scan)| order_of(path, scan));
        for (path, scan) in scans {
            report.files_read += 1;
            report.bytes_read += scan.bytes;
            report.lines += scan.lines;
            report.malformed_lines += scan.malformed;
            let listing = by_path.get(path.as_path());
            // A file keeps the place in the order its first read gave it.
            let first_at = match self.files.get(&path) {
                Some(known) => known.first_at.clone(),
                None => scan.first_at(),
            };
            let state = FileState {
                size: listing.map_or(scan.offset, |l| l.size),
                modified: listing.and_then(|l| l.modified),
                offset: scan.offset,
                head: scan.head,
                first_at,
            };
            self.merge(&path, scan);
            self.files.insert(path, state);
        }
        Ok(report)
    }

    fn number_of(&mut self, id: &str) -> u32 {
        if let Some(n) = self.session_numbers.get(id) {
            return *n;
        }
        let n = self.session_ids.len() as u32;
        self.session_ids.push(id.to_string());
        self.session_numbers.insert(id.to_string(), n);
        n
    }

    fn merge(&mut self, path: &Path, scan: FileScan) {
        self.malformed_lines += scan.malformed;
        for facts in &scan.sessions {
            let s = self
                .sessions
                .entry(facts.id.clone())
                .or_insert_with(|| SessionSummary {
                    id: facts.id.clone(),
                    ..Default::default()
                });
            if s.cwd.is_none() {
                s.cwd = facts.cwd.clone();
            }
            if path
                .file_stem()
                .is_some_and(|stem| stem == facts.id.as_str())
            {
                s.file = Some(path.to_path_buf());
            }
            let later = facts.last_at > s.ended_at;
            if facts.git_branch.is_some() && (later || s.git_branch.is_none()) {
                s.git_branch = facts.git_branch.clone();
            }
            let earlier = facts.first_at.is_some()
                && (s.started_at.is_none() || facts.first_at < s.started_at);
            if earlier {
                s.started_at = facts.first_at.clone();
            }
            if later {
                s.ended_at = facts.last_at.clone();
            }
            // Its title is its first own prompt: a fork's file begins with its parent's, which
            // is the title only while the fork has none of its own yet.
            let mut own_title = None;
            for p in &facts.prompts {
                if self.seen_prompts.insert(p.key) {
                    own_title.get_or_insert_with(|| file_scan::title_of(&p.start));
                    s.prompts += 1;
                    let room = file_scan::SESSION_SEARCH_BYTES.saturating_sub(s.prompt_text.len());
                    if p.start.len() < room {
                        let lower = p.start.to_lowercase();
                        if lower.len() < room {
                            s.prompt_text.push_str(&lower);
                            s.prompt_text.push('\n');
                        }
                    }
                }
            }
            let borrowed = self.borrowed_titles.contains(&facts.id);
            match own_title {
                Some(t) if s.title.is_none() || borrowed || earlier => {
                    s.title = Some(t);
                    self.borrowed_titles.remove(&facts.id);
                }
                None if s.title.is_none() && facts.title.is_some() => {
                    s.title = facts.title.clone();
                    self.borrowed_titles.insert(facts.id.clone());
                }
                _ => {}
            }
            if !facts.cli_cost.is_empty() {
                let costs = self.cli_costs.entry(facts.id.clone()).or_default();
                costs.extend(facts.cli_cost.iter().map(|(k, v)| (*k, *v)));
                s.cli_cost_usd = Some(costs.values().sum());
            }
        }
        let numbers: Vec<u32> = scan
            .sessions
            .iter()
            .map(|f| self.number_of(&f.id))
            .collect();
        for e in scan.entries {
            let number = numbers[e.session as usize];
            let session = &scan.sessions[e.session as usize].id;
            if let Some(key) = e.key {
                match self.seen_messages.entry(key) {
                    Entry::Occupied(owner) => {
                        let owner = *owner.get();
                        if owner != number {
                            if let Some(s) = self.sessions.get_mut(session) {
                                s.continued_from = Some(self.session_ids[owner as usize].clone());
                            }
                        }
                        continue;
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(number);
                    }
                }
            }
            let model = &scan.models[e.model as usize];
            let Some(s) = self.sessions.get_mut(session) else {
                continue;
            };
            s.api_messages += 1;
            s.tokens.add(&e.tokens);
            s.models.entry(model.clone()).or_default().add(&e.tokens);
            match e.cost_usd {
                Some(c) => s.computed_cost_usd += c,
                None => s.unpriced_messages += 1,
            }
            let hour = self
                .usage
                .entry((session.clone(), e.hour, model.clone()))
                .or_default();
            hour.tokens.add(&e.tokens);
            hour.cost_usd += e.cost_usd.unwrap_or(0.0);
            hour.messages += 1;
            hour.unpriced += u64::from(e.cost_usd.is_none());
        }
    }
}

/// A transcript file as listed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub created: Option<SystemTime>,
}

/// Every `*.jsonl` under `root` (the per-folder directories and their sub-agent folders), with
/// its size and times. A missing root is an empty history.
pub fn list_transcripts(root: &Path) -> std::io::Result<Vec<Listed>> {
    let mut out = Vec::new();
    let mut dirs = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            // An unreadable sub-folder is skipped; an unreadable root is an error to report.
            Err(_) if depth > 0 => continue,
            Err(e) => return Err(e),
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() && depth < 3 {
                dirs.push((path, depth + 1));
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "jsonl") {
                if let Ok(meta) = entry.metadata() {
                    out.push(Listed {
                        path,
                        size: meta.len(),
                        modified: meta.modified().ok(),
                        created: meta.created().ok(),
                    });
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads each (path, offset) on up to `threads` threads, biggest files first.
fn read_all(
    todo: &[(PathBuf, u64, u64)],
    threads: usize,
    progress: &Progress,
) -> Vec<std::io::Result<FileScan>> {
    let mut order: Vec<usize> = (0..todo.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(todo[i].2.saturating_sub(todo[i].1)));
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<std::io::Result<FileScan>>> =
        (0..todo.len()).map(|_| None).collect();
    let threads = threads.clamp(1, 8).min(todo.len().max(1));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(n) else { break };
                        let (path, offset, _) = &todo[i];
                        let scan = scan_file(path, *offset);
                        if let Ok(s) = &scan {
                            progress.bytes_done.fetch_add(s.bytes, Ordering::Relaxed);
                        }
                        progress.files_done.fetch_add(1, Ordering::Relaxed);
                        mine.push((i, scan));
                    }
                    mine
                })
            })
            .collect();
        for w in workers {
            if let Ok(mine) = w.join() {
                for (i, scan) in mine {
                    results[i] = Some(scan);
                }
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("the reader thread failed"))))
        .collect()
}
