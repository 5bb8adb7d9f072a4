//! One instance's task. It owns the instance's process, its state and its `seq` counter, so
//! nothing about an instance is shared mutably: the API talks to it through [`Command`]s and
//! reads a snapshot it keeps up to date.

use super::EngineContext;
use crate::base::clock::now_ms;
use crate::base::error::DomainError;
use crate::instances::codec::PermissionDecision;
use crate::instances::engine::records::{self, InstanceRecord};
use crate::instances::types::{FlotillaEvent, Instance, InstanceStatus};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

mod commands;
mod lifecycle;
mod output;

pub(super) type Reply<T = ()> = oneshot::Sender<Result<T, DomainError>>;

/// What the rest of the server can ask of an instance.
pub(super) enum Command {
    Query {
        prompt: String,
        reply: Reply,
    },
    Interrupt {
        reply: Reply,
    },
    Permission {
        request_id: String,
        decision: PermissionDecision,
        reply: Reply,
    },
    SetModel {
        model: String,
        reply: Reply,
    },
    SetPermissionMode {
        mode: String,
        reply: Reply,
    },
    /// Stop the process and end: the instance is being deleted, nothing more is published.
    Delete {
        reply: Reply,
    },
    /// Start a process for a stopped or failed instance.
    Resume {
        reply: Reply,
    },
    /// Stop the process; `reason` is shown as the status reason.
    Stop {
        reason: Option<String>,
        reply: Reply,
    },
    /// A /proc sample of the process group.
    Usage {
        rss_bytes: u64,
        cpu_percent: f64,
    },
}

/// What the process's pipes and its waiter report. `generation` tells apart the processes one
/// instance runs over its life, so a late line of a dead process is not taken for a new one's.
pub(super) enum ProcEvent {
    Stdout {
        generation: u64,
        line: String,
    },
    Stderr {
        generation: u64,
        line: String,
    },
    Exited {
        generation: u64,
        code: Option<i32>,
        signal: Option<i32>,
    },
}

struct LiveProcess {
    pid: u32,
    stdin: mpsc::UnboundedSender<String>,
    /// Flotilla asked it to end: its exit is not a crash.
    expected_exit: bool,
    started_at: i64,
}

impl Drop for LiveProcess {
    /// Whatever ends the handle (an exit handled, or the actor itself going away, even by a
    /// panic), the process group goes with it.
    fn drop(&mut self) {
        crate::base::process_group::signal_group(self.pid, nix::sys::signal::Signal::SIGKILL);
    }
}

struct PendingPermission {
    deadline: Instant,
    input: Value,
}

enum PendingControl {
    Initialize,
    Interrupt,
    SetModel(String, Reply),
    SetPermissionMode(String, Reply),
}

pub(super) struct Actor {
    id: Arc<str>,
    ctx: Arc<EngineContext>,
    shared: Arc<Mutex<Instance>>,
    record: InstanceRecord,
    seq: u64,
    generation: u64,
    proc: Option<LiveProcess>,
    proc_tx: mpsc::Sender<ProcEvent>,
    proc_rx: mpsc::Receiver<ProcEvent>,
    /// The CLI has answered (initialize, or any line): it reads its input.
    ready: bool,
    /// A first start was asked for and has not happened yet.
    launching: bool,
    turn_running: bool,
    queue: VecDeque<String>,
    permissions: HashMap<String, PendingPermission>,
    controls: HashMap<String, PendingControl>,
    next_request: u64,
    crashes: VecDeque<Instant>,
    restart_at: Option<Instant>,
    /// Why it gave up; set means status `failed`.
    failed: Option<String>,
    stop_reason: Option<String>,
    /// The model the CLI reported it runs (the request may be an alias).
    effective_model: Option<String>,
    /// Cost of the processes that ended; the running one's is added on top.
    cost_before: f64,
    cost_process: f64,
    stderr_tail: VecDeque<String>,
    last_output_at: Option<i64>,
    rss_bytes: u64,
    cpu_percent: f64,
    /// What was last announced, to announce only changes.
    announced: Option<Instance>,
    /// Something that shows in the snapshot may have changed since the last one.
    dirty: bool,
    /// Answers held until the snapshot that shows their effect is published, so whoever asked
    /// sees the change as soon as they have the answer.
    replies: Vec<(Reply, Result<(), DomainError>)>,
    /// Being deleted: publish nothing more.
    deleted: bool,
}

impl Actor {
    pub(super) fn new(
        ctx: Arc<EngineContext>,
        record: InstanceRecord,
        last_seq: u64,
        queue: Vec<String>,
        launching: bool,
    ) -> (Self, Arc<Mutex<Instance>>) {
        let (proc_tx, proc_rx) = mpsc::channel(1024);
        let mut actor = Actor {
            id: Arc::from(record.id.as_str()),
            ctx,
            shared: Arc::new(Mutex::new(placeholder())),
            cost_before: record.cost_usd,
            record,
            seq: last_seq,
            generation: 0,
            proc: None,
            proc_tx,
            proc_rx,
            ready: false,
            launching,
            turn_running: false,
            queue: queue.into(),
            permissions: HashMap::new(),
            controls: HashMap::new(),
            next_request: 0,
            crashes: VecDeque::new(),
            restart_at: None,
            failed: None,
            stop_reason: None,
            effective_model: None,
            cost_process: 0.0,
            stderr_tail: VecDeque::new(),
            last_output_at: None,
            rss_bytes: 0,
            cpu_percent: 0.0,
            announced: None,
            dirty: true,
            replies: Vec::new(),
            deleted: false,
        };
        match InstanceStatus::parse(&actor.record.status) {
            Some(InstanceStatus::Failed) => actor.failed = actor.record.status_reason.clone(),
            _ => actor.stop_reason = actor.record.status_reason.clone(),
        }
        let snapshot = actor.snapshot();
        *actor.shared.lock().unwrap_or_else(|e| e.into_inner()) = snapshot;
        let shared = actor.shared.clone();
        (actor, shared)
    }

    /// Runs until the command channel closes (the instance was deleted or the server stops).
    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        if self.launching {
            if let Err(e) = self.start_process().await {
                self.fail(e.to_string()).await;
            }
            self.launching = false;
            self.changed().await;
        }
        loop {
            let permission_deadline = self.permissions.values().map(|p| p.deadline).min();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => {
                        self.dirty = true;
                        self.on_command(command).await;
                    }
                    None => break,
                },
                Some(event) = self.proc_rx.recv() => self.on_proc_event(event).await,
                _ = sleep_until(permission_deadline), if permission_deadline.is_some() => {
                    self.dirty = true;
                    self.expire_permissions().await;
                }
                _ = sleep_until(self.restart_at), if self.restart_at.is_some() => {
                    self.dirty = true;
                    self.restart_at = None;
                    self.record.restarts += 1;
                    if let Err(e) = self.start_process().await {
                        self.fail(e.to_string()).await;
                    }
                }
            }
            if self.deleted {
                // The final state answers the DELETE; nothing is published or saved any more.
                let last = self.snapshot();
                *self.shared.lock().unwrap_or_else(|e| e.into_inner()) = last;
                break;
            }
            if self.dirty {
                self.changed().await;
            } else {
                // Most lines (stream events) change nothing but these two; keep that cheap.
                let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
                shared.last_seq = self.seq;
                shared.last_output_at = self.last_output_at.map(crate::base::clock::format_ts);
            }
            for (reply, result) in self.replies.drain(..) {
                let _ = reply.send(result);
            }
        }
        for (reply, result) in self.replies.drain(..) {
            let _ = reply.send(result);
        }
        // Deleted or shutting down: never leave the process behind.
        self.stop_process(None).await;
    }

    async fn on_proc_event(&mut self, event: ProcEvent) {
        match event {
            ProcEvent::Stdout { generation, line } if generation == self.generation => {
                self.on_stdout(line).await;
            }
            ProcEvent::Stderr { generation, line } if generation == self.generation => {
                self.last_output_at = Some(now_ms());
                if self.stderr_tail.len() == 20 {
                    self.stderr_tail.pop_front();
                }
                self.stderr_tail.push_back(line.clone());
                let data = serde_json::to_string(&line).unwrap_or_else(|_| "\"\"".into());
                self.emit("stderr", data).await;
            }
            ProcEvent::Exited {
                generation,
                code,
                signal,
            } if generation == self.generation => {
                self.dirty = true;
                self.on_exit(code, signal).await;
            }
            _ => {} // From an earlier process of this instance.
        }
    }

    /// Writes one JSON line to the process and records it as a `stdin` event.
    async fn write(&mut self, message: Value) {
        let line = message.to_string();
        if let Some(proc) = &self.proc {
            // If the process is gone the line is lost with it; its exit is handled elsewhere.
            let _ = proc.stdin.send(line.clone());
        }
        self.emit("stdin", line).await;
    }

    fn request_id(&mut self, what: &str) -> String {
        self.next_request += 1;
        format!("flotilla-{what}-{}", self.next_request)
    }

    /// Appends an event to the store (which broadcasts it once stored).
    async fn emit(&mut self, kind: &str, data: String) {
        self.seq += 1;
        if let Err(e) = self.ctx.store.append(&self.id, self.seq, kind, data).await {
            tracing::error!(instance = %self.id, error = %e, "cannot record event");
        }
    }

    async fn emit_flotilla(&mut self, event: &FlotillaEvent) {
        let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
        self.emit("flotilla", data).await;
    }

    fn status(&self) -> InstanceStatus {
        if self.failed.is_some() && self.proc.is_none() {
            InstanceStatus::Failed
        } else if self.proc.is_none() {
            if self.launching {
                InstanceStatus::Starting
            } else if self.restart_at.is_some() {
                InstanceStatus::Restarting
            } else {
                InstanceStatus::Stopped
            }
        } else if !self.permissions.is_empty() {
            InstanceStatus::WaitingPermission
        } else if self.turn_running {
            InstanceStatus::Running
        } else if !self.ready {
            InstanceStatus::Starting
        } else {
            InstanceStatus::Idle
        }
    }

    fn snapshot(&self) -> Instance {
        let status = self.status();
        let status_reason = match status {
            InstanceStatus::Failed => self.failed.clone(),
            InstanceStatus::Stopped => self.stop_reason.clone(),
            InstanceStatus::Restarting => Some(format!(
                "exited unexpectedly ({} crash(es) recently); restarting",
                self.crashes.len()
            )),
            _ => None,
        };
        let fmt = crate::base::clock::format_ts;
        Instance {
            id: self.record.id.clone(),
            name: self.record.name.clone(),
            status,
            status_reason,
            pid: self.proc.as_ref().map(|p| p.pid),
            session_id: self.record.session_id.clone(),
            cwd: self.record.cwd.clone(),
            model: self
                .effective_model
                .clone()
                .or_else(|| self.record.model.clone()),
            permission_mode: self.record.permission_mode.clone(),
            cost_usd: self.cost_before + self.cost_process,
            rss_bytes: if self.proc.is_some() {
                self.rss_bytes
            } else {
                0
            },
            cpu_percent: if self.proc.is_some() {
                self.cpu_percent
            } else {
                0.0
            },
            restarts: self.record.restarts.max(0) as u32,
            created_at: fmt(self.record.created_at),
            last_active_at: fmt(self.record.last_active_at),
            started_at: self.proc.as_ref().map(|p| fmt(p.started_at)),
            last_output_at: self.last_output_at.map(fmt),
            queued_prompts: self.queue.iter().cloned().collect(),
            pending_permissions: self.permissions.len() as u32,
            last_seq: self.seq,
            project_id: self.record.project_id.clone(),
            worktree_id: self.record.worktree_id.clone(),
        }
    }

    /// Publishes the new snapshot; announces and saves it when something that matters changed.
    async fn changed(&mut self) {
        self.dirty = false;
        if self.deleted {
            return;
        }
        let snapshot = self.snapshot();
        *self.shared.lock().unwrap_or_else(|e| e.into_inner()) = snapshot.clone();
        let same = |a: &Instance| {
            let mut a = a.clone();
            // Samples and counters move all the time; they are not worth an event.
            a.rss_bytes = snapshot.rss_bytes;
            a.cpu_percent = snapshot.cpu_percent;
            a.last_output_at = snapshot.last_output_at.clone();
            a.last_seq = snapshot.last_seq;
            a == snapshot
        };
        if self.announced.as_ref().is_some_and(same) {
            self.ctx.bus.publish_instance(snapshot);
            return;
        }
        self.record.status = snapshot.status.as_str().to_string();
        self.record.status_reason = snapshot.status_reason.clone();
        self.record.cost_usd = snapshot.cost_usd;
        if let Err(e) = records::update(&self.ctx.db, &self.record).await {
            tracing::error!(instance = %self.id, error = %e, "cannot save instance");
        }
        self.emit_flotilla(&FlotillaEvent::Instance {
            instance: Box::new(snapshot.clone()),
        })
        .await;
        self.ctx.bus.publish_instance(snapshot.clone());
        self.announced = Some(snapshot);
    }

    async fn fail(&mut self, reason: String) {
        tracing::warn!(instance = %self.id, %reason, "instance failed");
        self.failed = Some(reason);
        self.restart_at = None;
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// A snapshot for the instant between construction and the first real one.
fn placeholder() -> Instance {
    Instance {
        id: String::new(),
        name: String::new(),
        status: InstanceStatus::Stopped,
        status_reason: None,
        pid: None,
        session_id: String::new(),
        cwd: String::new(),
        model: None,
        permission_mode: String::new(),
        cost_usd: 0.0,
        rss_bytes: 0,
        cpu_percent: 0.0,
        restarts: 0,
        created_at: String::new(),
        last_active_at: String::new(),
        started_at: None,
        last_output_at: None,
        queued_prompts: Vec::new(),
        pending_permissions: 0,
        last_seq: 0,
        project_id: None,
        worktree_id: None,
    }
}
