//! The sessions service: keeps the transcript index current (a scan every
//! [`SCAN_INTERVAL_MS`](super::SCAN_INTERVAL_MS), reading only what was appended) and answers
//! from the last finished scan, so a request never waits for one.
//!
//! `start.rs` holds what starts an instance on a session (resume, fork, merge), `transfer.rs`
//! export and import.

mod start;
mod transfer;

pub use transfer::ExportFormat;

use super::conversation::Conversation;
use super::index::{HourUsage, Progress, SessionIndex, SessionSummary};
use super::store;
use super::types::{
    FamilyLink, FamilyMember, IndexStatus, SessionDetail, SessionItem, SessionMessage, SessionPage,
    SessionQuery,
};
use crate::base::db::Db;
use crate::base::error::DomainError;
use crate::instances::engine::Supervisor;
use crate::worktrees::service::{Place, Worktrees};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const MAX_PAGE: u64 = 200;
const DEFAULT_PAGE: u64 = 50;

#[derive(Clone)]
pub struct Sessions {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    db: Db,
    progress: Progress,
    snapshot: RwLock<Arc<Snapshot>>,
    status: RwLock<ScanState>,
    worktrees: Worktrees,
    instances: Supervisor,
}

/// What the last finished scan found.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Newest activity first.
    pub sessions: Vec<SessionSummary>,
    /// Each session's usage per hour and model: what analytics sums.
    pub usage: Vec<UsageRecord>,
}

#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub session: String,
    /// Hours since the epoch, UTC.
    pub hour: u32,
    pub model: String,
    pub usage: HourUsage,
}

#[derive(Default, Clone)]
struct ScanState {
    ready: bool,
    scanning_since: Option<Instant>,
    last_elapsed: Duration,
    files: u64,
    malformed_lines: u64,
    error: Option<String>,
}

impl Sessions {
    /// Starts indexing `<claude_home>/.claude/projects` in the background until `shutdown`.
    pub fn start(
        claude_home: PathBuf,
        db: Db,
        worktrees: Worktrees,
        instances: Supervisor,
        shutdown: CancellationToken,
    ) -> Self {
        let dir = crate::base::claude::ClaudeHome(claude_home).projects_dir();
        let sessions = Self {
            inner: Arc::new(Inner {
                dir: dir.clone(),
                db,
                progress: Progress::default(),
                snapshot: RwLock::new(Arc::new(Snapshot::default())),
                status: RwLock::new(ScanState::default()),
                worktrees,
                instances,
            }),
        };
        let me = sessions.clone();
        tokio::spawn(async move { me.run(dir, shutdown).await });
        sessions
    }

    async fn run(self, dir: PathBuf, shutdown: CancellationToken) {
        let mut index = Some(SessionIndex::new(dir));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        loop {
            let Some(mut current) = index.take() else {
                return;
            };
            self.set_status(|s| s.scanning_since = Some(Instant::now()));
            let me = self.clone();
            let started = Instant::now();
            let mut scan = tokio::task::spawn_blocking(move || {
                let report = current.scan(threads, &me.inner.progress);
                (current, report)
            });
            // A first index of a large history says how far it is, every few seconds.
            let mut ticks = tokio::time::interval(Duration::from_secs(3));
            ticks.tick().await;
            let joined = loop {
                tokio::select! {
                    joined = &mut scan => break joined,
                    _ = ticks.tick() => self.log_progress(),
                }
            };
            let Ok((current, report)) = joined else {
                tracing::error!("the transcript index stopped: its scan panicked");
                return;
            };
            let elapsed = started.elapsed();
            let first = !self.status().ready;
            match report {
                Ok(report) => {
                    if report.files_read > 0 || first {
                        let snapshot = snapshot_of(&current);
                        let count = snapshot.sessions.len();
                        if let Ok(mut snap) = self.inner.snapshot.write() {
                            *snap = Arc::new(snapshot);
                        }
                        if first || report.rebuilt {
                            tracing::info!(
                                sessions = count,
                                files = report.files_seen,
                                megabytes = report.bytes_read / 1_000_000,
                                seconds = elapsed.as_secs_f64(),
                                malformed_lines = report.malformed_lines,
                                "transcripts indexed"
                            );
                        }
                    }
                    self.set_status(|s| {
                        s.ready = true;
                        s.files = report.files_seen;
                        s.malformed_lines = current.malformed_lines();
                        s.error = None;
                    });
                }
                Err(e) => {
                    tracing::warn!(dir = %self.inner.dir.display(), error = %e, "cannot read the transcripts");
                    self.set_status(|s| {
                        s.ready = true;
                        s.error = Some(format!("cannot read {}: {e}", self.inner.dir.display()));
                    });
                }
            }
            self.set_status(|s| {
                s.scanning_since = None;
                s.last_elapsed = elapsed;
            });
            index = Some(current);
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(super::SCAN_INTERVAL_MS)) => {}
            }
        }
    }

    fn log_progress(&self) {
        let s = self.index_status();
        if s.bytes_total > 0 {
            tracing::info!(
                files = format!("{} of {}", s.files_done, s.files_total),
                megabytes = format!(
                    "{} of {}",
                    s.bytes_done / 1_000_000,
                    s.bytes_total / 1_000_000
                ),
                "indexing the transcripts"
            );
        }
    }

    fn set_status(&self, f: impl FnOnce(&mut ScanState)) {
        if let Ok(mut s) = self.inner.status.write() {
            f(&mut s);
        }
    }

    fn status(&self) -> ScanState {
        self.inner
            .status
            .read()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The last finished scan.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .snapshot
            .read()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default()
    }

    /// The last scan, and each of its sessions placed in its project / worktree with its cost
    /// (in the snapshot's order): what analytics reports on.
    pub async fn placed(&self) -> Result<(Arc<Snapshot>, Vec<SessionItem>), DomainError> {
        let places = self.inner.worktrees.places().await?;
        let ran = self.inner.instances.session_costs().await?;
        let snapshot = self.snapshot();
        let items = snapshot
            .sessions
            .iter()
            .map(|s| {
                let place = s.cwd.as_deref().and_then(|cwd| place_of(&places, cwd));
                item_of(s, place, &ran)
            })
            .collect();
        Ok((snapshot, items))
    }

    /// Whether `id` is a registered project.
    pub async fn project_known(&self, id: &str) -> Result<bool, DomainError> {
        let places = self.inner.worktrees.places().await?;
        Ok(places.iter().any(|p| p.project_id == id))
    }

    /// The first scan has finished.
    pub fn ready(&self) -> bool {
        self.status().ready
    }

    /// The family of session `id`: every session linked to it by forks and merges.
    async fn family(
        &self,
        id: &str,
        ran: &HashMap<String, f64>,
    ) -> Result<Vec<FamilyMember>, DomainError> {
        let snapshot = self.snapshot();
        // Forks the index found in the transcripts (made with the CLI), unless Flotilla recorded
        // where that session came from itself.
        let recorded = store::children(&self.inner.db).await?;
        let inferred: Vec<store::LinkRecord> = snapshot
            .sessions
            .iter()
            .filter(|s| !recorded.contains(&s.id))
            .filter_map(|s| {
                Some(store::LinkRecord {
                    session_id: s.id.clone(),
                    parent_id: s.continued_from.clone()?,
                    kind: "fork".into(),
                    at_uuid: None,
                    position: 0,
                    created_at: s
                        .started_at
                        .as_deref()
                        .and_then(crate::base::format::parse_rfc3339_ms)
                        .unwrap_or(0),
                })
            })
            .collect();
        let links = store::family(&self.inner.db, id, &inferred).await?;
        if links.is_empty() {
            return Ok(Vec::new());
        }
        let mut order: Vec<&str> = Vec::new();
        for l in &links {
            for s in [l.parent_id.as_str(), l.session_id.as_str()] {
                if !order.contains(&s) {
                    order.push(s);
                }
            }
        }
        Ok(order
            .into_iter()
            .map(|member| {
                let known = snapshot.sessions.iter().find(|s| s.id == member);
                FamilyMember {
                    id: member.to_string(),
                    title: known
                        .map(|s| s.title.clone().unwrap_or_else(|| "Untitled session".into())),
                    started_at: known.and_then(|s| s.started_at.clone()),
                    cost_usd: known.map(|s| cost_of(s, ran).0),
                    parents: links
                        .iter()
                        .filter(|l| l.session_id == member)
                        .map(|l| FamilyLink {
                            parent_id: l.parent_id.clone(),
                            kind: l.kind.clone(),
                            at_uuid: l.at_uuid.clone(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// Where the index is: for the progress bar while the first scan runs.
    pub fn index_status(&self) -> IndexStatus {
        let s = self.status();
        let p = &self.inner.progress;
        let sessions = self.snapshot().sessions.len() as u64;
        IndexStatus {
            ready: s.ready,
            scanning: s.scanning_since.is_some(),
            files_done: p.files_done.load(Ordering::Relaxed),
            files_total: p.files_total.load(Ordering::Relaxed),
            bytes_done: p.bytes_done.load(Ordering::Relaxed),
            bytes_total: p.bytes_total.load(Ordering::Relaxed),
            elapsed_ms: s
                .scanning_since
                .map_or(s.last_elapsed, |t| t.elapsed())
                .as_millis() as u64,
            sessions,
            files: s.files,
            malformed_lines: s.malformed_lines,
            transcripts_dir: self.inner.dir.display().to_string(),
            error: s.error,
        }
    }

    /// A page of sessions matching `q`, newest activity first.
    pub async fn list(&self, q: &SessionQuery) -> Result<SessionPage, DomainError> {
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(DomainError::Invalid(format!(
                "limit must be between 1 and {MAX_PAGE}"
            )));
        }
        for (name, cost) in [("min_cost", q.min_cost), ("max_cost", q.max_cost)] {
            if cost.is_some_and(|c| !c.is_finite() || c < 0.0) {
                return Err(DomainError::Invalid(format!(
                    "{name} must be a number of dollars, 0 or more"
                )));
            }
        }
        for (name, day) in [("from", &q.from), ("to", &q.to)] {
            if let Some(day) = day {
                if !is_day(day) {
                    return Err(DomainError::Invalid(format!(
                        "{name} must be a day written YYYY-MM-DD, not {day:?}"
                    )));
                }
            }
        }
        let places = self.inner.worktrees.places().await?;
        // For the sessions Flotilla ran, the cost its instance reported (also after deletion).
        let ran = self.inner.instances.session_costs().await?;
        if let Some(p) = &q.project {
            if !places.iter().any(|place| &place.project_id == p) {
                return Err(DomainError::NotFound(format!("no project {p}")));
            }
        }
        if let Some(w) = &q.worktree {
            if !places
                .iter()
                .any(|place| place.worktree_id.as_ref() == Some(w))
            {
                return Err(DomainError::NotFound(format!("no worktree {w}")));
            }
        }
        let snapshot = self.snapshot();
        let words: Vec<String> =
            q.q.as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
        let model = q.model.as_deref().map(str::to_lowercase);
        let mut total = 0u64;
        let mut total_cost = 0.0;
        let offset = q.offset.unwrap_or(0);
        let mut items = Vec::new();
        for s in snapshot.sessions.iter() {
            let place = s.cwd.as_deref().and_then(|cwd| place_of(&places, cwd));
            if q.project.is_some() && place.map(|p| &p.project_id) != q.project.as_ref() {
                continue;
            }
            if q.worktree.is_some()
                && place.and_then(|p| p.worktree_id.as_ref()) != q.worktree.as_ref()
            {
                continue;
            }
            if let Some(m) = &model {
                if !s.models.keys().any(|name| name.to_lowercase().contains(m)) {
                    continue;
                }
            }
            if let Some(from) = &q.from {
                if s.ended_at
                    .as_deref()
                    .is_none_or(|e| &e[..e.len().min(10)] < from.as_str())
                {
                    continue;
                }
            }
            if let Some(to) = &q.to {
                if s.started_at
                    .as_deref()
                    .is_none_or(|b| &b[..b.len().min(10)] > to.as_str())
                {
                    continue;
                }
            }
            if !words.is_empty() {
                let hay = format!(
                    "{}\n{}\n{}\n{}",
                    s.cwd.as_deref().unwrap_or(""),
                    s.git_branch.as_deref().unwrap_or(""),
                    s.id,
                    s.title.as_deref().unwrap_or("")
                )
                .to_lowercase();
                let found =
                    |w: &String| hay.contains(w.as_str()) || s.prompt_text.contains(w.as_str());
                if !words.iter().all(found) {
                    continue;
                }
            }
            let item = item_of(s, place, &ran);
            if q.min_cost.is_some_and(|m| item.cost_usd < m)
                || q.max_cost.is_some_and(|m| item.cost_usd > m)
            {
                continue;
            }
            total += 1;
            total_cost += item.cost_usd;
            if total > offset && (items.len() as u64) < limit {
                items.push(item);
            }
        }
        Ok(SessionPage {
            items,
            total,
            offset,
            limit,
            total_cost_usd: total_cost,
            index: self.index_status(),
        })
    }
}

impl Sessions {
    /// Session `id` as the last scan saw it, with its own transcript file.
    fn summary(&self, id: &str) -> Result<(SessionSummary, PathBuf), DomainError> {
        let summary = self
            .snapshot()
            .sessions
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(|| DomainError::NotFound(format!("no session {id}")))?;
        let file = summary
            .file
            .clone()
            .ok_or_else(|| DomainError::NotFound(format!("session {id} has no transcript file")))?;
        Ok((summary, file))
    }

    /// The session and its conversation: the message tree, each message's frame for replay.
    pub async fn detail(&self, id: &str) -> Result<SessionDetail, DomainError> {
        let (summary, file) = self.summary(id)?;
        let places = self.inner.worktrees.places().await?;
        let ran = self.inner.instances.session_costs().await?;
        let place = summary
            .cwd
            .as_deref()
            .and_then(|cwd| place_of(&places, cwd));
        let session = item_of(&summary, place, &ran);
        let c = tokio::task::spawn_blocking(move || Conversation::read(&file))
            .await
            .map_err(|_| DomainError::Internal("reading the transcript stopped".into()))?
            .map_err(|e| DomainError::Internal(format!("cannot read the transcript: {e}")))?;
        let levels = c.branch_levels();
        let on_path: std::collections::HashSet<usize> = c.main_path().into_iter().collect();
        let messages = c
            .messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let (frame_kind, frame_data) = m.frame.unzip();
                SessionMessage {
                    uuid: m.uuid,
                    parent_uuid: m.parent_uuid,
                    kind: m.kind,
                    sidechain: m.sidechain,
                    timestamp: m.timestamp,
                    prompt: m.prompt,
                    summary: m.summary,
                    level: levels[i],
                    on_path: on_path.contains(&i),
                    frame_kind,
                    frame_data,
                }
            })
            .collect();
        Ok(SessionDetail {
            session,
            messages,
            cut: c.cut,
            malformed_lines: c.malformed_lines,
            family: self.family(id, &ran).await?,
        })
    }
}

/// The index's sessions (newest activity first) and usage rows, as one consistent snapshot.
fn snapshot_of(index: &SessionIndex) -> Snapshot {
    let mut sessions: Vec<SessionSummary> = index.sessions().cloned().collect();
    sessions.sort_by(|a, b| b.ended_at.cmp(&a.ended_at).then(a.id.cmp(&b.id)));
    let usage = index
        .usage()
        .map(|((session, hour, model), usage)| UsageRecord {
            session: session.to_string(),
            hour,
            model: model.to_string(),
            usage: *usage,
        })
        .collect();
    Snapshot { sessions, usage }
}

pub(crate) fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The project (and worktree) folder holding `cwd`: the deepest one.
fn place_of<'a>(places: &'a [Place], cwd: &str) -> Option<&'a Place> {
    places
        .iter()
        .filter(|p| crate::projects::types::folder_holds(&p.path, cwd))
        .max_by_key(|p| p.path.len())
}

/// The cost shown: what Flotilla's instance reported, else the transcript's own `cost-state`
/// total, else the price table's; and whether it is the CLI's own figure.
fn cost_of(s: &SessionSummary, ran: &HashMap<String, f64>) -> (f64, bool) {
    match ran.get(&s.id).copied().or(s.cli_cost_usd) {
        Some(reported) => (reported, true),
        None => (s.computed_cost_usd, false),
    }
}

fn item_of(s: &SessionSummary, place: Option<&Place>, ran: &HashMap<String, f64>) -> SessionItem {
    let (cost_usd, cost_from_cli) = cost_of(s, ran);
    SessionItem {
        id: s.id.clone(),
        title: s.title.clone(),
        cwd: s.cwd.clone(),
        git_branch: s.git_branch.clone(),
        project_id: place.map(|p| p.project_id.clone()),
        project_name: place.map(|p| p.project_name.clone()),
        worktree_id: place.and_then(|p| p.worktree_id.clone()),
        worktree_branch: place.and_then(|p| p.branch.clone()),
        pull_request_url: place.and_then(|p| p.pr_url.clone()),
        started_at: s.started_at.clone(),
        ended_at: s.ended_at.clone(),
        prompts: s.prompts,
        api_messages: s.api_messages,
        models: s.models.keys().cloned().collect(),
        input_tokens: s.tokens.input,
        output_tokens: s.tokens.output,
        cache_creation_tokens: s.tokens.cache_creation,
        cache_read_tokens: s.tokens.cache_read,
        cost_usd,
        cost_from_cli,
        unpriced_messages: s.unpriced_messages,
    }
}
