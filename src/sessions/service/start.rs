//! What starts an instance on a session: resume it, fork it at a message, merge two.

use super::super::conversation::merge::{self, Source};
use super::super::conversation::rewrite::{self, RewriteError};
use super::super::conversation::Conversation;
use super::super::index::SessionSummary;
use super::super::store::{self, LinkRecord};
use super::super::types::MergeRequest;
use super::Sessions;
use crate::base::error::DomainError;
use crate::instances::types::{CreateInstance, Instance};

impl Sessions {
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
        let req = self.instance_request(&summary, None, confined).await?;
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
        let req = self.instance_request(&summary, None, confined).await?;
        let new_id = uuid::Uuid::new_v4().to_string();
        let at_uuid = at.clone();
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
        let instance = match self.inner.instances.create_for_session(req, &new_id).await {
            Ok(i) => i,
            Err(e) => {
                let _ = std::fs::remove_file(&target);
                return Err(e);
            }
        };
        self.link(&new_id, &[id], "fork", at_uuid).await;
        Ok(instance)
    }

    /// A new session whose first prompt is the brief of sessions A and B (see
    /// `conversation::merge`), continued in a new instance in A's folder or `cwd`.
    pub async fn merge(&self, req: MergeRequest, confined: bool) -> Result<Instance, DomainError> {
        let [a, b] = req.sessions.as_slice() else {
            return Err(DomainError::Invalid(format!(
                "a merge takes two sessions, not {}",
                req.sessions.len()
            )));
        };
        if a == b {
            return Err(DomainError::Invalid(
                "a session cannot be merged with itself".into(),
            ));
        }
        let (sa, fa) = self.summary(a)?;
        let (sb, fb) = self.summary(b)?;
        let read = |file: std::path::PathBuf| async move {
            tokio::task::spawn_blocking(move || Conversation::read(&file))
                .await
                .map_err(|_| DomainError::Internal("reading the transcript stopped".into()))?
                .map_err(|e| DomainError::Internal(format!("cannot read the transcript: {e}")))
        };
        let (ca, cb) = (read(fa).await?, read(fb).await?);
        let brief = merge::brief(
            &source(&sa, &ca),
            &source(&sb, &cb),
            req.instruction.as_deref(),
        );
        let mut create = self.instance_request(&sa, req.cwd, confined).await?;
        create.name = Some(merge_name(&sa, &sb));
        create.prompt = Some(brief);
        let instance = self.inner.instances.create(create).await?;
        self.link(&instance.session_id, &[a, b], "merge", None)
            .await;
        Ok(instance)
    }

    /// Records where session `id` came from. The session exists whatever happens here, so a
    /// failure is logged, not returned.
    async fn link(&self, id: &str, parents: &[&str], kind: &str, at: Option<String>) {
        let now = crate::base::clock::now_ms();
        let links: Vec<LinkRecord> = parents
            .iter()
            .zip(0..)
            .map(|(p, position)| LinkRecord {
                session_id: id.to_string(),
                parent_id: p.to_string(),
                kind: kind.to_string(),
                at_uuid: at.clone(),
                position,
                created_at: now,
            })
            .collect();
        if let Err(e) = store::insert(&self.inner.db, &links).await {
            tracing::warn!(session = id, error = %e, "cannot record where the session came from");
        }
    }

    /// An instance in the session's folder (or `cwd`), with its project's defaults, confined
    /// like any other.
    async fn instance_request(
        &self,
        s: &SessionSummary,
        cwd: Option<String>,
        confined: bool,
    ) -> Result<CreateInstance, DomainError> {
        let cwd = cwd.or_else(|| s.cwd.clone()).ok_or_else(|| {
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

fn source<'a>(s: &'a SessionSummary, c: &'a Conversation) -> Source<'a> {
    Source {
        id: &s.id,
        title: s.title.as_deref().unwrap_or("Untitled session"),
        cwd: s.cwd.as_deref(),
        branch: s.git_branch.as_deref(),
        started_at: s.started_at.as_deref(),
        conversation: c,
    }
}

/// "Merge: <A> + <B>", within an instance name's length.
fn merge_name(a: &SessionSummary, b: &SessionSummary) -> String {
    let short = |s: &SessionSummary| -> String {
        s.title
            .as_deref()
            .unwrap_or("untitled")
            .chars()
            .take(26)
            .collect()
    };
    format!("Merge: {} + {}", short(a), short(b))
}
