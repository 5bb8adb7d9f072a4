//! The instance engine: supervises `claude` processes and records everything they say.
//!
//! Plain Rust (tokio, sqlx), no Leptos or axum types; the HTTP layer and the pages call it.
//! The path of one line: the process's stdout -> [`actor`] (decode with the codec, update the
//! instance, assign `seq`) -> [`events::EventStore`] (batched into SQLite) -> [`bus::EventBus`]
//! (broadcast to viewers once stored) -> WebSocket.

mod actor;
pub mod bus;
pub mod events;
pub mod follow;
pub mod frame;
pub mod process;
pub mod records;

use crate::base::clock::now_ms;
use crate::base::db::Db;
use crate::base::error::DomainError;
use crate::instances::codec::PermissionDecision;
use crate::instances::types::{validate_create, CreateInstance, Instance, InstanceStatus};
use actor::{Actor, Command, Reply};
use bus::EventBus;
use events::EventStore;
use records::InstanceRecord;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// How the engine runs processes.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub claude_bin: PathBuf,
    pub claude_home: PathBuf,
    /// Most live instances at once.
    pub max_live: usize,
    /// Memory cap per instance's process group (0 = none), enforced by the /proc sampler.
    pub memory_cap_bytes: u64,
    pub permission_timeout: Duration,
    pub stop_grace: Duration,
    pub restart: RestartPolicy,
    /// Environment every process gets on top of the server's (before its own variables).
    pub base_env: Vec<(String, String)>,
    /// Encrypts each instance's own environment (which may hold a project's secrets) in the
    /// database; without it, the environment is stored as plain JSON.
    pub secrets: Option<crate::base::secrets::SecretBox>,
    pub sample_every: Duration,
}

/// Automatic restart after a crash: back-off doubling from `backoff_base` up to `backoff_max`;
/// `max_crashes` within `window` marks the instance failed.
#[derive(Debug, Clone)]
pub struct RestartPolicy {
    pub max_crashes: u32,
    pub window: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            max_crashes: 5,
            window: Duration::from_secs(120),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

impl From<events::StoreError> for DomainError {
    fn from(e: events::StoreError) -> Self {
        DomainError::Internal(e.to_string())
    }
}

/// What every actor shares.
pub(crate) struct EngineContext {
    pub config: EngineConfig,
    pub db: Db,
    pub store: EventStore,
    pub bus: EventBus,
}

struct Handle {
    commands: mpsc::Sender<Command>,
    snapshot: Arc<Mutex<Instance>>,
}

/// The engine's handle; cheap to clone.
#[derive(Clone)]
pub struct Supervisor {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Arc<EngineContext>,
    handles: RwLock<HashMap<String, Handle>>,
    /// Serialises the quota check with the start it admits.
    admission: tokio::sync::Mutex<()>,
}

impl Supervisor {
    /// Loads the known instances. Ones that were live when the server last stopped are shown as
    /// stopped (resumable); process groups an unclean stop left behind are killed first.
    pub async fn start(db: Db, config: EngineConfig) -> Result<Self, DomainError> {
        let bus = EventBus::new();
        let store = EventStore::start(db.clone(), bus.clone());
        let ctx = Arc::new(EngineContext {
            config,
            db,
            store,
            bus,
        });
        let supervisor = Supervisor {
            inner: Arc::new(Inner {
                ctx: ctx.clone(),
                handles: RwLock::new(HashMap::new()),
                admission: tokio::sync::Mutex::new(()),
            }),
        };
        for mut record in records::all(&ctx.db).await? {
            let was_live = InstanceStatus::parse(&record.status).is_none_or(|s| s.is_live());
            if let (Some(pid), Some(ticks)) = (record.pid, record.pid_start_ticks) {
                if process::reap_stale_group(pid as u32, ticks as u64) {
                    tracing::warn!(instance = %record.id, pid, "killed a process group left by an unclean stop");
                }
            }
            if was_live {
                record.status = InstanceStatus::Stopped.as_str().into();
                record.status_reason =
                    Some("Flotilla restarted while this instance ran; resume to continue".into());
            }
            record.pid = None;
            record.pid_start_ticks = None;
            records::update(&ctx.db, &record).await?;
            let last_seq = ctx.store.last_seq(&record.id).await?;
            supervisor.spawn_actor(record, last_seq, Vec::new(), false);
        }
        tokio::spawn(sample_usage(Arc::downgrade(&supervisor.inner)));
        Ok(supervisor)
    }

    fn spawn_actor(
        &self,
        record: InstanceRecord,
        last_seq: u64,
        queue: Vec<String>,
        start: bool,
    ) -> Instance {
        let id = record.id.clone();
        let (actor, snapshot) = Actor::new(self.inner.ctx.clone(), record, last_seq, queue, start);
        let (commands, rx) = mpsc::channel(64);
        tokio::spawn(actor.run(rx));
        let instance = lock(&snapshot).clone();
        self.write_handles()
            .insert(id, Handle { commands, snapshot });
        instance
    }

    /// Starts a new instance.
    pub async fn create(&self, req: CreateInstance) -> Result<Instance, DomainError> {
        self.create_with(req, uuid::Uuid::new_v4().to_string())
            .await
    }

    /// Starts a new instance on an existing Claude Code session (one run in a terminal, a fork,
    /// an import): it resumes it, since the transcript exists. One instance per session.
    pub async fn create_for_session(
        &self,
        req: CreateInstance,
        session_id: &str,
    ) -> Result<Instance, DomainError> {
        if let Some(i) = self.list().into_iter().find(|i| i.session_id == session_id) {
            return Err(DomainError::Conflict(format!(
                "instance {} ({}) already works on this session",
                i.name, i.id
            )));
        }
        self.create_with(req, session_id.to_string()).await
    }

    async fn create_with(
        &self,
        req: CreateInstance,
        session_id: String,
    ) -> Result<Instance, DomainError> {
        validate_create(&req).map_err(DomainError::Invalid)?;
        let cwd = std::fs::canonicalize(&req.cwd)
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| {
                DomainError::Invalid(format!(
                    "cwd {} does not exist or is not a directory",
                    req.cwd
                ))
            })?;
        if let Some(prompt) = &req.prompt {
            crate::instances::types::validate_prompt(prompt).map_err(DomainError::Invalid)?;
        }
        self.check_claude()?;
        let _admitted = self.inner.admission.lock().await;
        self.check_quota()?;
        let now = now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let cwd_text = cwd.display().to_string();
        let name = req
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| default_name(&cwd_text, &id));
        let record = InstanceRecord {
            id: id.clone(),
            name: name.trim().to_string(),
            cwd: cwd_text,
            session_id,
            model: req.model,
            permission_mode: req.permission_mode.unwrap_or_else(|| "default".into()),
            env_json: records::seal_env(&req.env, self.inner.ctx.config.secrets.as_ref()),
            mcp_config: req.mcp_config,
            append_system_prompt: req.append_system_prompt,
            status: InstanceStatus::Starting.as_str().into(),
            status_reason: None,
            pid: None,
            pid_start_ticks: None,
            cost_usd: 0.0,
            restarts: 0,
            created_at: now,
            last_active_at: now,
            project_id: req.project_id,
            worktree_id: req.worktree_id,
        };
        records::insert(&self.inner.ctx.db, &record).await?;
        let queue = req.prompt.into_iter().collect();
        Ok(self.spawn_actor(record, 0, queue, true))
    }

    pub fn list(&self) -> Vec<Instance> {
        let mut list: Vec<Instance> = self
            .read_handles()
            .values()
            .map(|h| lock(&h.snapshot).clone())
            .collect();
        list.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        list
    }

    pub fn get(&self, id: &str) -> Result<Instance, DomainError> {
        Ok(lock(&self.handle(id)?.snapshot).clone())
    }

    /// Sends a prompt: now if the instance is idle, else queued behind the running turn.
    pub async fn query(&self, id: &str, prompt: String) -> Result<(), DomainError> {
        crate::instances::types::validate_prompt(&prompt).map_err(DomainError::Invalid)?;
        self.ask(id, |reply| Command::Query { prompt, reply }).await
    }

    /// Aborts the running turn; the process stays alive.
    pub async fn interrupt(&self, id: &str) -> Result<(), DomainError> {
        self.ask(id, |reply| Command::Interrupt { reply }).await
    }

    pub async fn answer_permission(
        &self,
        id: &str,
        request_id: String,
        decision: PermissionDecision,
    ) -> Result<(), DomainError> {
        self.ask(id, |reply| Command::Permission {
            request_id,
            decision,
            reply,
        })
        .await
    }

    pub async fn set_model(&self, id: &str, model: String) -> Result<(), DomainError> {
        crate::instances::types::validate_model(&model).map_err(DomainError::Invalid)?;
        self.ask(id, |reply| Command::SetModel { model, reply })
            .await
    }

    pub async fn set_permission_mode(&self, id: &str, mode: String) -> Result<(), DomainError> {
        crate::instances::types::validate_permission_mode(&mode).map_err(DomainError::Invalid)?;
        self.ask(id, |reply| Command::SetPermissionMode { mode, reply })
            .await
    }

    /// Stops the process; the instance stays, resumable.
    pub async fn stop(&self, id: &str) -> Result<Instance, DomainError> {
        let reason = Some("stopped by the user".to_string());
        self.ask(id, |reply| Command::Stop { reason, reply })
            .await?;
        self.get(id)
    }

    /// Starts a stopped or failed instance again, continuing its conversation.
    pub async fn resume(&self, id: &str) -> Result<Instance, DomainError> {
        self.check_claude()?;
        let _admitted = self.inner.admission.lock().await;
        if !self.get(id)?.status.is_live() {
            self.check_quota()?;
        }
        self.ask(id, |reply| Command::Resume { reply }).await?;
        self.get(id)
    }

    /// Stops the process and forgets the instance and its events. Claude Code's own transcript
    /// of the session stays where Claude Code keeps it.
    pub async fn delete(&self, id: &str) -> Result<Instance, DomainError> {
        self.ask(id, |reply| Command::Delete { reply }).await?;
        let instance = self.get(id)?;
        // The actor has ended; dropping the handle frees what is left of it.
        self.write_handles().remove(id);
        records::delete(&self.inner.ctx.db, id).await?;
        self.inner.ctx.bus.close(id);
        self.inner.ctx.bus.publish_removed(id);
        Ok(instance)
    }

    /// What each session Flotilla ran cost, as the CLI reported it: live instances' and those of
    /// deleted ones (session id -> dollars).
    pub async fn session_costs(&self) -> Result<HashMap<String, f64>, DomainError> {
        let mut costs: HashMap<String, f64> = records::kept_session_costs(&self.inner.ctx.db)
            .await?
            .into_iter()
            .collect();
        for i in self.list() {
            costs.insert(i.session_id, i.cost_usd);
        }
        Ok(costs)
    }

    /// The event store, for replay.
    pub fn events(&self) -> &EventStore {
        &self.inner.ctx.store
    }

    pub fn bus(&self) -> &EventBus {
        &self.inner.ctx.bus
    }

    /// Instance `id`'s frames after `since`, then live ones: no gap, no duplicate (see
    /// [`follow`](follow::follow)).
    pub fn follow(
        &self,
        id: &str,
        since: u64,
    ) -> impl futures::Stream<Item = follow::Followed> + Send + 'static {
        follow::follow(self.inner.ctx.store.clone(), &self.inner.ctx.bus, id, since)
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.ctx.config
    }

    /// Stops every process (they show as stopped, resumable) and flushes the event store.
    pub async fn shutdown(&self) {
        let ids: Vec<String> = self.read_handles().keys().cloned().collect();
        let stops = ids.iter().map(|id| {
            let reason = Some("Flotilla was stopped; resume to continue".to_string());
            self.ask(id, |reply| Command::Stop { reason, reply })
        });
        for result in futures::future::join_all(stops).await {
            if let Err(e) = result {
                tracing::warn!(error = %e, "stopping an instance at shutdown");
            }
        }
        let _ = self.inner.ctx.store.flush().await;
    }

    fn check_claude(&self) -> Result<(), DomainError> {
        let bin = &self.inner.ctx.config.claude_bin;
        crate::base::claude::resolve_executable(bin)
            .map(|_| ())
            .ok_or_else(|| {
                DomainError::Unavailable(format!(
                    "the Claude Code executable `{}` was not found. {}",
                    bin.display(),
                    crate::base::INSTALL_HINT
                ))
            })
    }

    fn check_quota(&self) -> Result<(), DomainError> {
        let max = self.inner.ctx.config.max_live;
        let live = self
            .read_handles()
            .values()
            .filter(|h| lock(&h.snapshot).status.is_live())
            .count();
        if live >= max {
            return Err(DomainError::Quota { max });
        }
        Ok(())
    }

    fn handle(&self, id: &str) -> Result<HandleRef, DomainError> {
        self.read_handles()
            .get(id)
            .map(|h| HandleRef {
                commands: h.commands.clone(),
                snapshot: h.snapshot.clone(),
            })
            .ok_or_else(|| DomainError::NotFound(format!("no instance {id}")))
    }

    async fn ask<T>(
        &self,
        id: &str,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, DomainError> {
        let handle = self.handle(id)?;
        let (reply, answer) = oneshot::channel();
        let gone = || DomainError::NotFound(format!("instance {id} has ended"));
        handle
            .commands
            .send(make(reply))
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    fn read_handles(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Handle>> {
        self.inner.handles.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_handles(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Handle>> {
        self.inner
            .handles
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }
}

struct HandleRef {
    commands: mpsc::Sender<Command>,
    snapshot: Arc<Mutex<Instance>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn default_name(cwd: &str, id: &str) -> String {
    let base = cwd
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("instance");
    format!("{base}-{}", &id[..6.min(id.len())])
}

/// Samples RSS and CPU of every live process group from /proc, feeds the actors (which enforce
/// the memory cap) and ends when the supervisor is gone.
async fn sample_usage(inner: std::sync::Weak<Inner>) {
    let ticks_per_second = process::clock_ticks_per_second() as f64;
    let mut previous: HashMap<u32, (u64, Instant)> = HashMap::new();
    loop {
        let Some(every) = inner.upgrade().map(|i| i.ctx.config.sample_every) else {
            return;
        };
        tokio::time::sleep(every).await;
        let Some(inner) = inner.upgrade() else { return };
        let targets: Vec<(u32, mpsc::Sender<Command>)> = inner
            .handles
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter_map(|h| lock(&h.snapshot).pid.map(|pid| (pid, h.commands.clone())))
            .collect();
        drop(inner);
        let pgids: Vec<u32> = targets.iter().map(|(pid, _)| *pid).collect();
        let Ok(usage) = tokio::task::spawn_blocking(move || process::sample_groups(&pgids)).await
        else {
            continue;
        };
        let now = Instant::now();
        previous.retain(|pid, _| usage.contains_key(pid));
        for (pid, commands) in targets {
            let Some(u) = usage.get(&pid) else { continue };
            let cpu_percent = match previous.insert(pid, (u.cpu_ticks, now)) {
                Some((ticks, at)) if now > at => {
                    let used = u.cpu_ticks.saturating_sub(ticks) as f64 / ticks_per_second;
                    (used / now.duration_since(at).as_secs_f64() * 100.0 * 10.0).round() / 10.0
                }
                _ => 0.0,
            };
            let _ = commands.try_send(Command::Usage {
                rss_bytes: u.rss_bytes,
                cpu_percent,
            });
        }
    }
}
