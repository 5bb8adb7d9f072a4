//! Worktrees on the server: one per agent, so agents never trample each other.
//!
//! Created with `git worktree add` under the project's worktree root (the main checkout is never
//! touched), set up with the project's setup script, listed with what git and the disk say about
//! them now (ahead/behind, dirty, size, drift), and removed only when nothing would be lost —
//! unless forced.

use super::scripts::{self, Scripts};
use super::store::{self, WorktreeRecord};
use super::types::{CreateWorktree, ExternalWorktree, PullRequest, Worktree};
use crate::base::clock::{format_ts, now_ms};
use crate::base::db::Db;
use crate::base::error::DomainError;
use crate::git::types::validate_branch_name;
use crate::git::{Git, GitError};
use crate::projects::service::Projects;
use crate::projects::store::ProjectRecord;
use std::path::{Path, PathBuf};

mod cleanup;
pub use cleanup::disk_usage;

#[derive(Clone)]
pub struct Worktrees {
    db: Db,
    projects: Projects,
    scripts: Scripts,
}

/// A folder Flotilla knows a checkout in: a project's main checkout or one of its worktrees.
#[derive(Debug, Clone)]
pub struct Place {
    pub path: String,
    pub project_id: String,
    pub project_name: String,
    pub worktree_id: Option<String>,
    /// A worktree's branch and pull request.
    pub branch: Option<String>,
    pub pr_url: Option<String>,
}

/// Which instances work where: (instance id, worktree id, whether it is live).
pub type InstanceUse = Vec<(String, Option<String>, bool)>;

impl Worktrees {
    /// Every checkout folder, for placing what is found by path (a session by its working
    /// directory). Reads the records only, no git.
    pub async fn places(&self) -> Result<Vec<Place>, DomainError> {
        let projects = self.projects.records().await?;
        let mut places: Vec<Place> = projects
            .iter()
            .map(|p| Place {
                path: p.path.clone(),
                project_id: p.id.clone(),
                project_name: p.name.clone(),
                worktree_id: None,
                branch: None,
                pr_url: None,
            })
            .collect();
        for w in store::list(&self.db, None).await? {
            if let Some(p) = projects.iter().find(|p| p.id == w.project_id) {
                places.push(Place {
                    path: w.path,
                    project_id: p.id.clone(),
                    project_name: p.name.clone(),
                    worktree_id: Some(w.id),
                    branch: Some(w.branch),
                    pr_url: w.pr_url,
                });
            }
        }
        Ok(places)
    }

    pub fn new(db: Db, projects: Projects, scripts: Scripts) -> Self {
        Worktrees {
            db,
            projects,
            scripts,
        }
    }

    fn git(&self) -> &Git {
        self.projects.git()
    }

    pub fn scripts(&self) -> &Scripts {
        &self.scripts
    }

    pub async fn record(&self, id: &str) -> Result<WorktreeRecord, DomainError> {
        store::get(&self.db, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no worktree {id}")))
    }

    /// Creates a worktree for a new or existing branch and starts the setup script.
    pub async fn create(&self, req: CreateWorktree) -> Result<Worktree, DomainError> {
        let project = self.projects.record(&req.project_id).await?;
        let branch = req.branch.trim().to_string();
        validate_branch_name(&branch).map_err(DomainError::Invalid)?;
        let main = PathBuf::from(&project.path);
        if req.fetch {
            self.git().run(&main, &["fetch", "--prune"]).await?;
        }
        let base = match req.base.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => b.to_string(),
            None => self.default_base(&project).await?,
        };
        let main_repo = self.git().repo(main.clone());
        let branch_exists = main_repo.has_branch(&branch).await?;
        if !main_repo.resolves(&base).await? {
            return Err(DomainError::Invalid(format!(
                "the base {base:?} is not a branch or commit of this repository"
            )));
        }
        let path = self.free_path(&project, &branch)?;
        let path_text = path.display().to_string();
        let mut args = vec!["worktree", "add"];
        if branch_exists {
            args.extend([path_text.as_str(), branch.as_str()]);
        } else {
            args.extend(["-b", branch.as_str(), path_text.as_str(), base.as_str()]);
        }
        self.git().run(&main, &args).await.map_err(|e| match &e {
            GitError::Failed { stderr, .. }
                if stderr.contains("already checked out")
                    || stderr.contains("already used by worktree") =>
            {
                DomainError::Conflict(format!(
                    "the branch {branch} is checked out elsewhere already: {}",
                    stderr.trim()
                ))
            }
            _ => e.into(),
        })?;
        let start_commit = self
            .git()
            .repo(path.clone())
            .head()
            .await
            .ok()
            .and_then(|h| h.commit);
        let record = WorktreeRecord {
            start_commit,
            id: uuid::Uuid::new_v4().to_string(),
            project_id: project.id.clone(),
            branch,
            base,
            path: std::fs::canonicalize(&path)
                .unwrap_or(path)
                .display()
                .to_string(),
            pr_url: None,
            pr_number: None,
            pr_state: None,
            created_at: now_ms(),
        };
        if let Err(e) = store::insert(&self.db, &record).await {
            // Keep disk and database in step: undo the worktree.
            let _ = self
                .git()
                .run(&main, &["worktree", "remove", "--force", &record.path])
                .await;
            return Err(e.into());
        }
        if let Some(script) = project
            .setup_script
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            let mut env = self.projects.env_plain(&project.id).await?;
            env.insert("FLOTILLA_PROJECT".into(), project.name.clone());
            env.insert("FLOTILLA_WORKTREE".into(), record.path.clone());
            env.insert("FLOTILLA_BRANCH".into(), record.branch.clone());
            self.scripts
                .start(
                    &project.id,
                    Some(&record.id),
                    "setup",
                    script,
                    PathBuf::from(&record.path),
                    env,
                )
                .await?;
        }
        self.describe_as(record, &project, &[], true).await
    }

    /// Fills a request to start an instance on a project or worktree: the directory, the
    /// project's default model and permission mode, and its environment (the request's own
    /// variables win).
    pub async fn resolve_instance(
        &self,
        req: crate::instances::types::CreateInstance,
        confined: bool,
    ) -> Result<crate::instances::types::CreateInstance, DomainError> {
        let req = self.with_project_defaults(req).await?;
        if confined {
            self.check_within_projects(&req.cwd).await?;
        }
        Ok(req)
    }

    /// With sign-in on, agents work only inside registered projects (their main checkout, their
    /// worktree folder, their worktrees) unless the owner allows free paths in Settings.
    async fn check_within_projects(&self, cwd: &str) -> Result<(), DomainError> {
        let refuse = || {
            DomainError::Forbidden(format!(
                "{cwd} is not inside a registered project. Register the project first, or allow \
                 free paths in Settings → Access"
            ))
        };
        let Ok(cwd) = std::fs::canonicalize(cwd) else {
            return Err(DomainError::Invalid(format!("{cwd} is not a directory")));
        };
        let mut roots: Vec<String> = sqlx::query_scalar(
            "SELECT path FROM projects UNION SELECT worktree_root FROM projects \
             UNION SELECT path FROM worktrees",
        )
        .fetch_all(&self.db)
        .await?;
        roots.retain(|r| !r.is_empty());
        let inside = roots
            .iter()
            .any(|root| std::fs::canonicalize(root).is_ok_and(|root| cwd.starts_with(&root)));
        if inside {
            Ok(())
        } else {
            Err(refuse())
        }
    }

    /// Fills in what the project knows: its folder, default model and mode, environment.
    async fn with_project_defaults(
        &self,
        mut req: crate::instances::types::CreateInstance,
    ) -> Result<crate::instances::types::CreateInstance, DomainError> {
        let project_id = match req.worktree_id.clone() {
            Some(id) => {
                let w = self.record(&id).await?;
                if req.project_id.as_ref().is_some_and(|p| *p != w.project_id) {
                    return Err(DomainError::Invalid(
                        "the worktree belongs to another project".into(),
                    ));
                }
                if req.cwd.is_empty() {
                    req.cwd = w.path.clone();
                }
                Some(w.project_id)
            }
            None => req.project_id.clone(),
        };
        let Some(project_id) = project_id else {
            return Ok(req);
        };
        let project = self.projects.record(&project_id).await?;
        if req.cwd.is_empty() {
            req.cwd = project.path.clone();
        }
        req.project_id = Some(project.id.clone());
        req.model = req.model.or(project.default_model);
        req.permission_mode = req.permission_mode.or(project.default_permission_mode);
        let mut env = self.projects.env_plain(&project.id).await?;
        env.extend(std::mem::take(&mut req.env));
        req.env = env;
        Ok(req)
    }

    /// The project's configured base branch, else the branch of its main checkout.
    async fn default_base(&self, project: &ProjectRecord) -> Result<String, DomainError> {
        if let Some(b) = &project.base_branch {
            return Ok(b.clone());
        }
        let head = self.git().repo(&project.path).head().await?;
        match (head.branch, head.commit) {
            (Some(branch), _) => Ok(branch),
            (None, Some(commit)) => Ok(commit),
            (None, None) => Err(DomainError::Invalid(
                "the repository has no commit to start a worktree from".into(),
            )),
        }
    }

    /// `<worktree root>/<branch>`, or with `-2`, `-3`, ... when taken.
    fn free_path(&self, project: &ProjectRecord, branch: &str) -> Result<PathBuf, DomainError> {
        let root = PathBuf::from(&project.worktree_root);
        std::fs::create_dir_all(&root).map_err(|e| {
            DomainError::Internal(format!(
                "cannot create the worktree root {}: {e}",
                root.display()
            ))
        })?;
        let base = crate::projects::types::slug(branch);
        (1..1000)
            .map(|n| {
                if n == 1 {
                    root.join(&base)
                } else {
                    root.join(format!("{base}-{n}"))
                }
            })
            .find(|p| !p.exists())
            .ok_or_else(|| DomainError::Conflict("no free folder name for the worktree".into()))
    }

    pub async fn get(&self, id: &str, instances: &InstanceUse) -> Result<Worktree, DomainError> {
        let record = self.record(id).await?;
        let project = self.projects.record(&record.project_id).await?;
        let registered = self.registered(&project).await.unwrap_or_default();
        self.describe(record, &project, &registered)
            .await
            .map(|mut w| {
                w.instances = live_in(instances, &w.id);
                w
            })
    }

    pub async fn list(
        &self,
        project_id: Option<&str>,
        instances: &InstanceUse,
    ) -> Result<Vec<Worktree>, DomainError> {
        if let Some(p) = project_id {
            self.projects.record(p).await?;
        }
        let mut out = Vec::new();
        let mut registered_by_project = std::collections::HashMap::new();
        for record in store::list(&self.db, project_id).await? {
            let project = self.projects.record(&record.project_id).await?;
            if !registered_by_project.contains_key(&project.id) {
                let registered = self.registered(&project).await.unwrap_or_default();
                registered_by_project.insert(project.id.clone(), registered);
            }
            let registered = &registered_by_project[&project.id];
            let mut w = self.describe(record, &project, registered).await?;
            w.instances = live_in(instances, &w.id);
            out.push(w);
        }
        Ok(out)
    }

    /// What git lists as the project's worktrees right now (`git worktree list --porcelain`).
    async fn registered(
        &self,
        project: &ProjectRecord,
    ) -> Result<Vec<ExternalWorktree>, DomainError> {
        let out = self
            .git()
            .run(
                Path::new(&project.path),
                &["worktree", "list", "--porcelain"],
            )
            .await?;
        let mut list = Vec::new();
        for block in out.split("\n\n").filter(|b| !b.trim().is_empty()) {
            let mut entry = ExternalWorktree {
                path: String::new(),
                branch: None,
                prunable: false,
            };
            for line in block.lines() {
                if let Some(p) = line.strip_prefix("worktree ") {
                    entry.path = p.to_string();
                } else if let Some(b) = line.strip_prefix("branch refs/heads/") {
                    entry.branch = Some(b.to_string());
                } else if line.starts_with("prunable") {
                    entry.prunable = true;
                }
            }
            list.push(entry);
        }
        Ok(list)
    }

    /// A record with what git and the disk say about it now.
    async fn describe(
        &self,
        r: WorktreeRecord,
        project: &ProjectRecord,
        registered: &[ExternalWorktree],
    ) -> Result<Worktree, DomainError> {
        self.describe_as(r, project, registered, false).await
    }

    /// `fresh`: the worktree was just checked out, so it is clean and its files are the index's:
    /// no need to read the whole tree twice (status and disk walk) to say so.
    async fn describe_as(
        &self,
        r: WorktreeRecord,
        project: &ProjectRecord,
        registered: &[ExternalWorktree],
        fresh: bool,
    ) -> Result<Worktree, DomainError> {
        let path = PathBuf::from(&r.path);
        let exists = path.is_dir();
        let in_git = registered.iter().find(|w| w.path == r.path);
        let mut drift = None;
        if !exists {
            drift = Some("the folder was deleted outside Flotilla".to_string());
        } else if !registered.is_empty() && in_git.is_none() {
            drift = Some("git no longer lists it as a worktree".to_string());
        }
        let (branch, base) = (r.branch.clone(), r.base.clone());
        let repo = self.git().repo(path.clone());
        let facts = if exists && fresh {
            // Just created: nothing is changed yet, and the index knows the size.
            let head = repo.head().await.unwrap_or_default();
            let (ahead, behind) = repo.ahead_behind("HEAD", &base).await.unwrap_or((0, 0));
            let disk = repo.index_bytes().await.unwrap_or(0);
            (head.commit, head.branch, false, ahead, behind, disk)
        } else if exists {
            // The disk walk and the status both read the whole tree: side by side, not in turn.
            let disk_path = path.clone();
            let disk = tokio::task::spawn_blocking(move || disk_usage(&disk_path));
            let (status, (ahead, behind)) = tokio::join!(repo.status(), async {
                repo.ahead_behind("HEAD", &base).await.unwrap_or((0, 0))
            });
            let status = status.ok();
            let head = status.as_ref().and_then(|s| s.head.clone());
            let current = status.as_ref().and_then(|s| s.branch.clone());
            let dirty = status.as_ref().is_some_and(|s| !s.is_clean());
            (head, current, dirty, ahead, behind, disk.await.unwrap_or(0))
        } else {
            (None, None, false, 0, 0, 0)
        };
        let (head, current, dirty, ahead, behind, disk_bytes) = facts;
        if drift.is_none() {
            match &current {
                Some(b) if *b != branch => {
                    drift = Some(format!("it is on branch {b}, not {branch}"))
                }
                None if exists && head.is_some() => {
                    drift = Some("its HEAD is detached".to_string())
                }
                _ => {}
            }
        }
        let setup = store::last_run(&self.db, &r.id, "setup")
            .await?
            .map(scripts::to_api);
        Ok(Worktree {
            pr: r.pr_url.clone().map(|url| PullRequest {
                url,
                number: r.pr_number.unwrap_or(0) as u64,
                state: r.pr_state.clone().unwrap_or_else(|| "open".into()),
            }),
            // All its work is in the base — and there was work: it moved since it was created.
            merged: exists
                && ahead == 0
                && r.start_commit
                    .as_ref()
                    .is_none_or(|start| head.as_ref() != Some(start)),
            id: r.id,
            project_id: r.project_id,
            project_name: project.name.clone(),
            branch: r.branch,
            base: r.base,
            path: r.path,
            head,
            ahead,
            behind,
            dirty,
            disk_bytes,
            instances: Vec::new(),
            drift,
            setup,
            created_at: format_ts(r.created_at),
        })
    }

    /// Removes a worktree (never the main checkout). Without `force` it refuses when that would
    /// lose work — uncommitted changes, or commits not pushed — and says what.
    pub async fn remove(
        &self,
        id: &str,
        force: bool,
        instances: &InstanceUse,
    ) -> Result<Worktree, DomainError> {
        let worktree = self.get(id, instances).await?;
        let project = self.projects.record(&worktree.project_id).await?;
        let main = PathBuf::from(&project.path);
        if same_path(&main, Path::new(&worktree.path)) {
            return Err(DomainError::Conflict(
                "that is the project's main checkout; Flotilla never removes it".into(),
            ));
        }
        if !worktree.instances.is_empty() {
            return Err(DomainError::Conflict(format!(
                "{} live instance(s) work in this worktree; stop them first",
                worktree.instances.len()
            )));
        }
        let path = PathBuf::from(&worktree.path);
        if !force && path.is_dir() {
            let lost = self.what_would_be_lost(&path, &worktree).await?;
            if !lost.is_empty() {
                return Err(DomainError::Conflict(format!(
                    "removing it would lose {}. Commit and push first, or remove it with force.",
                    lost.join(" and ")
                )));
            }
        }
        if path.is_dir() {
            let mut args = vec!["worktree", "remove"];
            if force {
                args.push("--force");
            }
            args.push(&worktree.path);
            self.git().run(&main, &args).await?;
        }
        // Metadata of worktrees whose folder is gone (this one, or others deleted by hand).
        self.git().run(&main, &["worktree", "prune"]).await?;
        store::delete(&self.db, id).await?;
        Ok(worktree)
    }

    async fn what_would_be_lost(
        &self,
        path: &Path,
        worktree: &Worktree,
    ) -> Result<Vec<String>, DomainError> {
        let mut lost = Vec::new();
        let status = self.git().repo(path).status().await?;
        let changed = status.changed_paths();
        if !changed.is_empty() {
            let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
            let more = changed.len().saturating_sub(shown.len());
            lost.push(format!(
                "uncommitted changes in {} file(s) ({}{})",
                changed.len(),
                shown.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        // Commits on no remote-tracking branch; with no remote, commits not in the base.
        let remotes = self.git().run(path, &["remote"]).await.unwrap_or_default();
        let rev_list = if remotes.trim().is_empty() {
            self.git()
                .run(
                    path,
                    &["rev-list", "--oneline", "HEAD", "--not", &worktree.base],
                )
                .await
        } else {
            self.git()
                .run(
                    path,
                    &["rev-list", "--oneline", "HEAD", "--not", "--remotes"],
                )
                .await
        };
        let commits: Vec<String> = rev_list
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if !commits.is_empty() {
            lost.push(format!(
                "{} commit(s) not pushed ({}) — the branch {} keeps them, but nowhere else has them",
                commits.len(),
                commits.iter().take(3).cloned().collect::<Vec<_>>().join("; "),
                worktree.branch
            ));
        }
        Ok(lost)
    }
}

fn live_in(instances: &InstanceUse, worktree_id: &str) -> Vec<String> {
    instances
        .iter()
        .filter(|(_, wt, live)| *live && wt.as_deref() == Some(worktree_id))
        .map(|(id, _, _)| id.clone())
        .collect()
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
