//! Sessions as files: export (Claude Code's own JSONL, or Markdown) and import.

use super::super::conversation::rewrite::{self, RewriteError};
use super::super::types::{ImportQuery, ImportedSession};
use super::Sessions;
use crate::base::error::DomainError;
use std::time::Duration;

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
                    super::super::conversation::markdown::export(&file, &title)
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
    /// Imports a session exported as JSONL: checks it (nothing is written when any line is
    /// wrong), sets its folder to `q.cwd` (or the one it names, which must exist here) and writes
    /// it where Claude Code looks for that folder's sessions, so `claude --resume` continues it.
    /// An id that is already a session here is refused. Answers once the index lists it.
    pub async fn import(
        &self,
        bytes: Vec<u8>,
        q: ImportQuery,
    ) -> Result<ImportedSession, DomainError> {
        let (plan, bytes) =
            tokio::task::spawn_blocking(move || (rewrite::check_import(&bytes), bytes))
                .await
                .map_err(|_| DomainError::Internal("the import check stopped".into()))?;
        let plan = plan.map_err(import_error)?;
        let cwd = match q.cwd.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => c.to_string(),
            None => plan.cwd.clone().ok_or_else(|| {
                DomainError::Invalid(
                    "the transcript names no folder: choose one to import it into".into(),
                )
            })?,
        };
        let path = std::path::Path::new(&cwd);
        if !path.is_absolute() || !path.is_dir() {
            return Err(DomainError::Invalid(format!(
                "{cwd} is not a folder on this machine: choose one to import the session into"
            )));
        }
        if self
            .snapshot()
            .sessions
            .iter()
            .any(|s| s.id == plan.session_id)
        {
            return Err(DomainError::Conflict(format!(
                "session {} is already here; it was not imported again",
                plan.session_id
            )));
        }
        let target = self
            .inner
            .dir
            .join(crate::base::claude::escape_project_dir(&cwd))
            .join(format!("{}.jsonl", plan.session_id));
        let id = plan.session_id.clone();
        let written = {
            let (cwd, target, id) = (cwd.clone(), target.clone(), id.clone());
            tokio::task::spawn_blocking(move || {
                rewrite::write_new(&target, &rewrite::relocate(&bytes, &cwd), &id)
            })
            .await
            .map_err(|_| DomainError::Internal("the import stopped".into()))?
        };
        written.map_err(import_error)?;
        tracing::info!(session = %id, cwd = %cwd, messages = plan.messages, "session imported");
        // The next scan lists it (they run every half second).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.summary(&id).is_err() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(ImportedSession {
            session_id: id,
            cwd,
            messages: plan.messages as u64,
        })
    }
}

fn import_error(e: RewriteError) -> DomainError {
    match e {
        RewriteError::Invalid(m) => DomainError::Invalid(format!("not imported: {m}")),
        RewriteError::NoMessage(m) => DomainError::Invalid(format!("not imported: no message {m}")),
        RewriteError::Exists(id) => DomainError::Conflict(format!(
            "session {id} is already here; it was not imported again"
        )),
        RewriteError::Io(m) => DomainError::Internal(m),
    }
}
