//! Starting, stopping and restarting an instance's process.

use super::{Actor, LiveProcess, PendingControl, ProcEvent};
use crate::base::clock::now_ms;
use crate::base::error::DomainError;
use crate::instances::codec;
use crate::instances::engine::process::{self, SessionArg, SpawnSpec};
use crate::instances::engine::records::InstanceRecord;
use crate::instances::engine::EngineContext;
use crate::instances::types::FlotillaEvent;
use serde_json::json;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::time::Instant;

impl Actor {
    /// Starts a `claude` process: `--resume` when the session has a transcript to continue,
    /// else `--session-id`. Queued prompts are sent at once (the CLI reads them in order).
    pub(super) async fn start_process(&mut self) -> Result<(), DomainError> {
        let spec = spawn_spec(&self.ctx, &self.record)?;
        let resumed = matches!(spec.session, SessionArg::Resume(_));
        let spawned = process::spawn(&spec)
            .map_err(|e| DomainError::Internal(format!("cannot start claude: {e}")))?;
        self.generation += 1;
        let generation = self.generation;
        let pid = spawned.pid;
        tracing::info!(instance = %self.id, pid, resumed, "claude started");

        let tx = self.proc_tx.clone();
        let stdout = tokio::spawn(read_lines(spawned.stdout, tx.clone(), move |line| {
            ProcEvent::Stdout { generation, line }
        }));
        let stderr = tokio::spawn(read_lines(spawned.stderr, tx.clone(), move |line| {
            ProcEvent::Stderr { generation, line }
        }));
        let mut child = spawned.child;
        tokio::spawn(async move {
            let status = child.wait().await;
            // Lines still in the pipes belong before the exit.
            let _ = tokio::time::timeout(Duration::from_secs(2), stdout).await;
            let _ = tokio::time::timeout(Duration::from_millis(500), stderr).await;
            let (code, signal) = match status {
                Ok(s) => (s.code(), s.signal()),
                Err(_) => (None, None),
            };
            let _ = tx
                .send(ProcEvent::Exited {
                    generation,
                    code,
                    signal,
                })
                .await;
        });
        let (stdin_tx, stdin_rx) = mpsc::unbounded_channel();
        tokio::spawn(write_lines(spawned.stdin, stdin_rx));

        self.proc = Some(LiveProcess {
            pid,
            stdin: stdin_tx,
            expected_exit: false,
            started_at: now_ms(),
        });
        self.ready = false;
        self.turn_running = false;
        self.cost_process = 0.0;
        self.record.pid = Some(pid as i64);
        self.record.pid_start_ticks = Some(spawned.start_ticks as i64);
        self.emit_flotilla(&FlotillaEvent::Spawned { pid, resumed })
            .await;
        let init = self.request_id("initialize");
        self.controls
            .insert(init.clone(), PendingControl::Initialize);
        self.write(codec::control_request(&init, "initialize", json!({})))
            .await;
        if let Some(prompt) = self.queue.pop_front() {
            self.write_prompt(prompt).await;
        }
        Ok(())
    }

    /// Ends the process (SIGTERM to its group, SIGKILL after the grace period) and waits until
    /// its last lines are recorded.
    pub(super) async fn stop_process(&mut self, reason: Option<String>) {
        self.restart_at = None;
        let Some(proc) = self.proc.as_mut() else {
            if reason.is_some() {
                self.stop_reason = reason;
            }
            return;
        };
        proc.expected_exit = true;
        let pid = proc.pid;
        let grace = self.ctx.config.stop_grace;
        let terminate = tokio::spawn(crate::base::process_group::terminate_group(pid, grace));
        while self.proc.is_some() {
            match tokio::time::timeout(grace + Duration::from_secs(5), self.proc_rx.recv()).await {
                Ok(Some(event)) => self.on_proc_event(event).await,
                Ok(None) | Err(_) => {
                    // The waiter never reported: make sure the group is gone and move on.
                    crate::base::process_group::signal_group(
                        pid,
                        nix::sys::signal::Signal::SIGKILL,
                    );
                    self.on_exit(None, None).await;
                }
            }
        }
        let _ = terminate.await;
        if reason.is_some() {
            self.stop_reason = reason;
        }
    }

    /// The process ended: an expected stop, or a crash to restart (with back-off) or give up on.
    pub(super) async fn on_exit(&mut self, code: Option<i32>, signal: Option<i32>) {
        let Some(proc) = self.proc.take() else { return };
        let expected = proc.expected_exit;
        tracing::info!(instance = %self.id, pid = proc.pid, ?code, ?signal, expected, "claude exited");
        // Whatever else is left in the group (tools it started) goes with it.
        crate::base::process_group::signal_group(proc.pid, nix::sys::signal::Signal::SIGKILL);
        self.record.pid = None;
        self.record.pid_start_ticks = None;
        self.cost_before += self.cost_process;
        self.cost_process = 0.0;
        self.turn_running = false;
        self.ready = false;
        self.permissions.clear();
        for (_, control) in self.controls.drain() {
            if let PendingControl::SetModel(_, reply)
            | PendingControl::SetPermissionMode(_, reply) = control
            {
                let result = Err(DomainError::Conflict("the process exited".into()));
                self.replies.push((reply, result));
            }
        }
        self.emit_flotilla(&FlotillaEvent::Exited {
            code,
            signal,
            expected,
        })
        .await;
        if expected {
            return;
        }
        let policy = &self.ctx.config.restart;
        let now = Instant::now();
        self.crashes.push_back(now);
        while self
            .crashes
            .front()
            .is_some_and(|t| now.duration_since(*t) > policy.window)
        {
            self.crashes.pop_front();
        }
        let how = match (code, signal) {
            (_, Some(s)) => format!("killed by signal {s}"),
            (Some(c), _) => format!("exit code {c}"),
            _ => "unknown exit".into(),
        };
        if self.crashes.len() as u32 >= policy.max_crashes {
            let stderr = self
                .stderr_tail
                .back()
                .map(|l| format!("; last stderr: {l}"))
                .unwrap_or_default();
            self.fail(format!(
                "crashed {} times within {} s (last: {how}){stderr}",
                self.crashes.len(),
                policy.window.as_secs()
            ))
            .await;
            return;
        }
        let exponent = (self.crashes.len() as u32).saturating_sub(1).min(16);
        let delay = (policy.backoff_base * 2u32.pow(exponent)).min(policy.backoff_max);
        tracing::warn!(instance = %self.id, %how, ?delay, "claude exited unexpectedly; restarting");
        self.restart_at = Some(now + delay);
    }
}

/// Reads lines from a pipe until it closes. Lines need not be UTF-8 (lossy) and may be long.
async fn read_lines(
    pipe: impl AsyncRead + Unpin,
    tx: mpsc::Sender<ProcEvent>,
    make: impl Fn(String) -> ProcEvent,
) {
    // Lines longer than the buffer still arrive whole (read_until grows `buf`); the buffer only
    // sets how much is read per system call.
    let mut reader = BufReader::with_capacity(16 * 1024, pipe);
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let line = String::from_utf8(std::mem::take(&mut buf))
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                if tx.send(make(line)).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// Writes lines to the process's stdin in order until the channel or the pipe closes.
async fn write_lines(
    mut stdin: tokio::process::ChildStdin,
    mut rx: mpsc::UnboundedReceiver<String>,
) {
    while let Some(mut line) = rx.recv().await {
        line.push('\n');
        if stdin.write_all(line.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
            break;
        }
    }
}

fn session_arg(ctx: &EngineContext, record: &InstanceRecord) -> SessionArg {
    let transcript = crate::base::claude::ClaudeHome(ctx.config.claude_home.clone())
        .transcript(std::path::Path::new(&record.cwd), &record.session_id);
    if transcript.exists() {
        SessionArg::Resume(record.session_id.clone())
    } else {
        SessionArg::New(record.session_id.clone())
    }
}

fn spawn_spec(ctx: &EngineContext, record: &InstanceRecord) -> Result<SpawnSpec, DomainError> {
    let program =
        crate::base::claude::resolve_executable(&ctx.config.claude_bin).ok_or_else(|| {
            DomainError::Unavailable(format!(
                "the Claude Code executable `{}` was not found. {}",
                ctx.config.claude_bin.display(),
                crate::base::INSTALL_HINT
            ))
        })?;
    let mut env = ctx.config.base_env.clone();
    env.extend(record.env(ctx.config.secrets.as_ref()));
    Ok(SpawnSpec {
        program,
        cwd: record.cwd.clone().into(),
        home: ctx.config.claude_home.clone(),
        env,
        session: session_arg(ctx, record),
        model: record.model.clone(),
        permission_mode: Some(record.permission_mode.clone()),
        mcp_config: record.mcp_config.clone(),
        append_system_prompt: record.append_system_prompt.clone(),
    })
}
