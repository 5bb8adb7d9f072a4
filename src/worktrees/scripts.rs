//! Setup and run scripts: `sh -c <script>` in a checkout, with the project's environment; all
//! output kept in `script_runs` (written as it comes, twice a second) and streamed live to
//! whoever watches the run.

use super::store::{self, RunRecord};
use super::types::{RunStatus, ScriptRun};
use crate::base::clock::{format_ts, now_ms};
use crate::base::db::Db;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::broadcast;

/// Output kept per run; beyond it, the oldest part is dropped.
const MAX_OUTPUT: usize = 1 << 20;
/// A script running longer than this is stopped.
const TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A live run's output, line by line; the last message is `None` when it ends.
pub type RunFeed = broadcast::Receiver<Option<String>>;

#[derive(Clone)]
pub struct Scripts {
    db: Db,
    live: Arc<Mutex<HashMap<String, broadcast::Sender<Option<String>>>>>,
}

pub fn to_api(r: RunRecord) -> ScriptRun {
    ScriptRun {
        id: r.id,
        kind: r.kind,
        command: r.command,
        status: match r.status.as_str() {
            "running" => RunStatus::Running,
            "succeeded" => RunStatus::Succeeded,
            _ => RunStatus::Failed,
        },
        exit_code: r.exit_code,
        output: r.output,
        started_at: format_ts(r.started_at),
        finished_at: r.finished_at.map(format_ts),
    }
}

impl Scripts {
    pub fn new(db: Db) -> Self {
        Scripts {
            db,
            live: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Starts `command` in `cwd`; returns at once with the run (status `running`).
    pub async fn start(
        &self,
        project_id: &str,
        worktree_id: Option<&str>,
        kind: &str,
        command: &str,
        cwd: PathBuf,
        env: BTreeMap<String, String>,
    ) -> Result<ScriptRun, sqlx::Error> {
        let record = RunRecord {
            id: uuid::Uuid::new_v4().to_string(),
            project_id: project_id.into(),
            worktree_id: worktree_id.map(str::to_string),
            kind: kind.into(),
            command: command.into(),
            status: "running".into(),
            exit_code: None,
            output: String::new(),
            started_at: now_ms(),
            finished_at: None,
        };
        store::insert_run(&self.db, &record).await?;
        let (tx, _) = broadcast::channel(1024);
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(record.id.clone(), tx.clone());
        tokio::spawn(self.clone().execute(record.clone(), cwd, env, tx));
        Ok(to_api(record))
    }

    /// The run's output so far and, while it runs, a feed of what comes next.
    pub async fn watch(
        &self,
        id: &str,
    ) -> Result<Option<(ScriptRun, Option<RunFeed>)>, sqlx::Error> {
        // Subscribe first, then read: a line is either in the read output or in the feed.
        let feed = self
            .live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .map(|tx| tx.subscribe());
        Ok(store::run(&self.db, id).await?.map(|r| (to_api(r), feed)))
    }

    async fn execute(
        self,
        mut record: RunRecord,
        cwd: PathBuf,
        env: BTreeMap<String, String>,
        tx: broadcast::Sender<Option<String>>,
    ) {
        let push = |record: &mut RunRecord, line: &str| {
            record.output.push_str(line);
            record.output.push('\n');
            if record.output.len() > MAX_OUTPUT {
                let cut = record.output.len() - MAX_OUTPUT;
                let cut = (cut..record.output.len())
                    .find(|i| record.output.is_char_boundary(*i))
                    .unwrap_or(0);
                record.output.drain(..cut);
            }
            let _ = tx.send(Some(line.to_string()));
        };
        let mut command = tokio::process::Command::new("sh");
        command
            .arg("-c")
            .arg(&record.command)
            .current_dir(&cwd)
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::base::process_group::own_group(&mut command);
        let child = command.spawn();
        let exit_code = match child {
            Err(e) => {
                push(&mut record, &format!("cannot start the script: {e}"));
                None
            }
            Ok(mut child) => {
                let (tx_lines, mut lines) = tokio::sync::mpsc::channel::<String>(256);
                for pipe in [
                    child
                        .stdout
                        .take()
                        .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                    child
                        .stderr
                        .take()
                        .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                ]
                .into_iter()
                .flatten()
                {
                    let tx_lines = tx_lines.clone();
                    tokio::spawn(async move {
                        let mut reader = BufReader::new(pipe).lines();
                        while let Ok(Some(line)) = reader.next_line().await {
                            if tx_lines.send(line).await.is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(tx_lines);
                let deadline = tokio::time::sleep(TIMEOUT);
                tokio::pin!(deadline);
                let mut save = tokio::time::interval(Duration::from_millis(500));
                loop {
                    tokio::select! {
                        line = lines.recv() => match line {
                            Some(line) => push(&mut record, &line),
                            None => break,
                        },
                        _ = save.tick() => {
                            let _ = store::update_run(&self.db, &record).await;
                        }
                        _ = &mut deadline => {
                            if let Some(pid) = child.id() {
                                crate::base::process_group::signal_group(pid, nix::sys::signal::Signal::SIGKILL);
                            }
                            push(&mut record, &format!("stopped: the script ran longer than {} minutes", TIMEOUT.as_secs() / 60));
                            break;
                        }
                    }
                }
                child.wait().await.ok().and_then(|s| s.code())
            }
        };
        record.exit_code = exit_code;
        record.status = if exit_code == Some(0) {
            "succeeded"
        } else {
            "failed"
        }
        .into();
        record.finished_at = Some(now_ms());
        if let Err(e) = store::update_run(&self.db, &record).await {
            tracing::error!(run = %record.id, error = %e, "cannot save a script run");
        }
        let _ = tx.send(None);
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&record.id);
    }
}
