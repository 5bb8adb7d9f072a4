//! The sessions service: keeps the transcript index current (a scan every
//! [`SCAN_INTERVAL_MS`](super::SCAN_INTERVAL_MS), reading only what was appended) and answers
//! from the last finished scan, so a request never waits for one.

use super::conversation::rewrite::{self, RewriteError};
use super::conversation::Conversation;
use super::index::{Progress, SessionIndex, SessionSummary};
use super::types::{
    IndexStatus, SessionDetail, SessionItem, SessionMessage, SessionPage, SessionQuery,
};
use crate::base::error::DomainError;
use crate::instances::engine::Supervisor;
use crate::instances::types::{CreateInstance, Instance};
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
    progress: Progress,
    /// The sessions of the last finished scan, newest activity first.
    snapshot: RwLock<Arc<Vec<SessionSummary>>>,
    status: RwLock<ScanState>,
    worktrees: Worktrees,
    instances: Supervisor,
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
        worktrees: Worktrees,
        instances: Supervisor,
        shutdown: CancellationToken,
    ) -> Self {
        let dir = crate::base::claude::ClaudeHome(claude_home).projects_dir();
        let sessions = Self {
            inner: Arc::new(Inner {
                dir: dir.clone(),
                progress: Progress::default(),
                snapshot: RwLock::new(Arc::new(Vec::new())),
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
            let joined = tokio::task::spawn_blocking(move || {
                let report = current.scan(threads, &me.inner.progress);
                (current, report)
            })
            .await;
            let Ok((current, report)) = joined else {
                tracing::error!("the transcript index stopped: its scan panicked");
                return;
            };
            let elapsed = started.elapsed();
            let first = !self.status().ready;
            match report {
                Ok(report) => {
                    if report.files_read > 0 || first {
                        let mut list: Vec<SessionSummary> = current.sessions().cloned().collect();
                        list.sort_by(|a, b| b.ended_at.cmp(&a.ended_at).then(a.id.cmp(&b.id)));
                        let count = list.len();
                        if let Ok(mut snap) = self.inner.snapshot.write() {
                            *snap = Arc::new(list);
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

    /// Where the index is: for the progress bar while the first scan runs.
    pub fn index_status(&self) -> IndexStatus {
        let s = self.status();
        let p = &self.inner.progress;
        let sessions = self.inner.snapshot.read().map_or(0, |l| l.len() as u64);
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
        let snapshot = self
            .inner
            .snapshot
            .read()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default();
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
        for s in snapshot.iter() {
            let place = s.cwd.as_deref().and_then(|cwd| place_of(&places, cwd));
            if q.project.is_some() && place.map(|p| &p.project_id) != q.project.as_ref() {
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
                    "{} {} {} {}",
                    s.title.as_deref().unwrap_or(""),
                    s.cwd.as_deref().unwrap_or(""),
                    s.git_branch.as_deref().unwrap_or(""),
                    s.id
                )
                .to_lowercase();
                if !words.iter().all(|w| hay.contains(w.as_str())) {
                    continue;
                }
            }
            let item = item_of(s, place, &ran);
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

/// How a session is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Claude Code's own transcript, as it is on disk: `claude --resume` continues it.
    Jsonl,
    /// Readable Markdown.
    Markdown,
}

impl Sessions {
    /// Session `id` exported: (file name, content type, bytes).
    pub async fn export(
        &self,
        id: &str,
        format: ExportFormat,
    ) -> Result<(String, &'static str, Vec<u8>), DomainError> {
        let (summary, file) = self.summary(id)?;
        let title = summary.title.clone().unwrap_or_else(|| id.to_string());
        let id = id.to_string();
        tokio::task::spawn_blocking(move || {
            let cannot = |e: std::io::Error| {
                DomainError::Internal(format!("cannot read {}: {e}", file.display()))
            };
            Ok(match format {
                ExportFormat::Jsonl => (
                    format!("{id}.jsonl"),
                    "application/x-ndjson",
                    std::fs::read(&file).map_err(cannot)?,
                ),
                ExportFormat::Markdown => (
                    format!("{id}.md"),
                    "text/markdown; charset=utf-8",
                    super::conversation::markdown::export(&file, &title)
                        .map_err(cannot)?
                        .into_bytes(),
                ),
            })
        })
        .await
        .map_err(|_| DomainError::Internal("the export stopped".into()))?
    }
}

impl Sessions {
    /// Session `id` as the last scan saw it, with its own transcript file.
    fn summary(&self, id: &str) -> Result<(SessionSummary, PathBuf), DomainError> {
        let summary = self
            .inner
            .snapshot
            .read()
            .ok()
            .and_then(|list| list.iter().find(|s| s.id == id).cloned())
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
        })
    }

    /// Continues session `id` in an instance, in the session's folder: the instance already
    /// working on it, resumed if it was stopped, or a new one started with `--resume`.
    pub async fn resume(&self, id: &str, confined: bool) -> Result<Instance, DomainError> {
        let (summary, _) = self.summary(id)?;
        let instances = &self.inner.instances;
        if let Some(i) = instances.list().into_iter().find(|i| i.session_id == id) {
            return if i.status.is_live() {
                Ok(i)
            } else {
                instances.resume(&i.id).await
            };
        }
        let req = self.instance_request(&summary, confined).await?;
        instances.create_for_session(req, id).await
    }

    /// A new session with session `id`'s conversation up to message `at` (the newest when
    /// `None`), continued in a new instance. The copy is written as Claude Code's own transcript
    /// beside its parent's; it is removed again when the instance cannot start.
    pub async fn fork(
        &self,
        id: &str,
        at: Option<String>,
        confined: bool,
    ) -> Result<Instance, DomainError> {
        let (summary, file) = self.summary(id)?;
        let req = self.instance_request(&summary, confined).await?;
        let new_id = uuid::Uuid::new_v4().to_string();
        let target = file.with_file_name(format!("{new_id}.jsonl"));
        let written = {
            let (target, new_id) = (target.clone(), new_id.clone());
            tokio::task::spawn_blocking(move || {
                let source = std::fs::read(&file).map_err(RewriteError::from)?;
                let lines = rewrite::fork_lines(&source, at.as_deref(), &new_id)?;
                rewrite::write_new(&target, &lines, &new_id)
            })
            .await
            .map_err(|_| DomainError::Internal("the fork stopped".into()))?
        };
        written.map_err(|e| match e {
            RewriteError::NoMessage(_) => DomainError::NotFound(e.to_string()),
            RewriteError::Invalid(_) => DomainError::Invalid(e.to_string()),
            RewriteError::Exists(_) => DomainError::Conflict(e.to_string()),
            RewriteError::Io(_) => DomainError::Internal(e.to_string()),
        })?;
        match self.inner.instances.create_for_session(req, &new_id).await {
            Ok(i) => Ok(i),
            Err(e) => {
                let _ = std::fs::remove_file(&target);
                Err(e)
            }
        }
    }

    /// An instance in the session's folder, with its project's defaults, confined like any other.
    async fn instance_request(
        &self,
        s: &SessionSummary,
        confined: bool,
    ) -> Result<CreateInstance, DomainError> {
        let cwd = s.cwd.clone().ok_or_else(|| {
            DomainError::Invalid(format!(
                "session {} does not say which folder it ran in",
                s.id
            ))
        })?;
        let name: String = s
            .title
            .as_deref()
            .unwrap_or("Resumed session")
            .chars()
            .take(60)
            .collect();
        let req = CreateInstance {
            cwd,
            name: Some(name),
            ..Default::default()
        };
        self.inner.worktrees.resolve_instance(req, confined).await
    }
}

fn is_day(s: &str) -> bool {
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
/// total, else the price table's.
fn item_of(s: &SessionSummary, place: Option<&Place>, ran: &HashMap<String, f64>) -> SessionItem {
    let reported = ran.get(&s.id).copied().or(s.cli_cost_usd);
    SessionItem {
        id: s.id.clone(),
        title: s.title.clone(),
        cwd: s.cwd.clone(),
        git_branch: s.git_branch.clone(),
        project_id: place.map(|p| p.project_id.clone()),
        project_name: place.map(|p| p.project_name.clone()),
        worktree_id: place.and_then(|p| p.worktree_id.clone()),
        started_at: s.started_at.clone(),
        ended_at: s.ended_at.clone(),
        prompts: s.prompts,
        api_messages: s.api_messages,
        models: s.models.keys().cloned().collect(),
        input_tokens: s.tokens.input,
        output_tokens: s.tokens.output,
        cache_creation_tokens: s.tokens.cache_creation,
        cache_read_tokens: s.tokens.cache_read,
        cost_usd: reported.unwrap_or(s.computed_cost_usd),
        cost_from_cli: reported.is_some(),
        unpriced_messages: s.unpriced_messages,
    }
}
