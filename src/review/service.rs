//! The review service: status, diffs, staging, commits (with a message Claude drafts), branches,
//! rebase/merge onto the base, push, and the run script of a checkout. Every operation takes what
//! the request names (`kind`, `id`) and finds the checkout itself (`checkout.rs`), so the REST
//! route and the server function that expose it are one line each. Pull requests are in `pr.rs`,
//! the explorer's reads and writes in `explorer.rs`.

use super::checkout::{confine_all, confine_relative, Checkout};
use super::types::{CheckoutKind, SyncOutcome, SyncStrategy};
use crate::base::claude::OneShotError;
use crate::base::db::Db;
use crate::base::error::DomainError;
use crate::git::diff::unified;
use crate::git::types::{
    validate_branch_name, BranchInfo, ChangeKind, CommitInfo, DiffSource, FileChange, FileDiff,
    WorkingStatus,
};
use crate::git::{Git, GitError, Side, Version};
use crate::projects::service::Projects;
use crate::worktrees::service::Worktrees;
use crate::worktrees::types::ScriptRun;
use std::path::PathBuf;
use std::time::Duration;

/// Hunks per page of a large diff.
pub const HUNKS_PER_PAGE: usize = 200;
/// The most diff text sent to Claude for a commit message.
const DRAFT_DIFF_LIMIT: usize = 60_000;
/// How long Claude may take to draft a commit message.
const DRAFT_TIMEOUT: Duration = Duration::from_secs(180);

/// Cheap to clone.
#[derive(Clone)]
pub struct Review {
    pub(super) db: Db,
    pub(super) git: Git,
    pub(super) projects: Projects,
    pub(super) worktrees: Worktrees,
    /// For the GitHub API.
    pub(super) http: reqwest::Client,
    claude_bin: PathBuf,
    claude_home: PathBuf,
}

impl Review {
    pub fn new(
        db: Db,
        projects: Projects,
        worktrees: Worktrees,
        http: reqwest::Client,
        claude_bin: PathBuf,
        claude_home: PathBuf,
    ) -> Self {
        Review {
            db,
            git: projects.git().clone(),
            projects,
            worktrees,
            http,
            claude_bin,
            claude_home,
        }
    }

    pub async fn status(&self, kind: CheckoutKind, id: &str) -> Result<WorkingStatus, DomainError> {
        Ok(self.checkout(kind, id).await?.repo.status().await?)
    }

    /// Files that differ between where the branch left its base and the working tree
    /// (untracked files included: they are changes against the base too).
    pub async fn changes(
        &self,
        kind: CheckoutKind,
        id: &str,
    ) -> Result<Vec<FileChange>, DomainError> {
        let c = self.checkout(kind, id).await?;
        let base = c.repo.merge_base(c.require_base()?).await?;
        let out = c.repo.run(&["diff", "--name-status", "-M", &base]).await?;
        let mut changes: Vec<FileChange> = out.lines().filter_map(parse_name_status).collect();
        let status = c.repo.status().await?;
        changes.extend(status.untracked.into_iter().map(|path| FileChange {
            path,
            old_path: None,
            kind: ChangeKind::Untracked,
        }));
        Ok(changes)
    }

    /// One file's diff; `page` counts pages of [`HUNKS_PER_PAGE`] hunks.
    pub async fn diff(
        &self,
        kind: CheckoutKind,
        id: &str,
        file: &str,
        old_path: Option<&str>,
        source: DiffSource,
        page: usize,
    ) -> Result<FileDiff, DomainError> {
        let c = self.checkout(kind, id).await?;
        file_diff(&c, file, old_path, source, page).await
    }

    /// Stages `paths` and answers the status after.
    pub async fn stage(
        &self,
        kind: CheckoutKind,
        id: &str,
        paths: &[String],
    ) -> Result<WorkingStatus, DomainError> {
        let c = self.checkout(kind, id).await?;
        stage(&c, paths).await?;
        Ok(c.repo.status().await?)
    }

    /// Unstages `paths` and answers the status after.
    pub async fn unstage(
        &self,
        kind: CheckoutKind,
        id: &str,
        paths: &[String],
    ) -> Result<WorkingStatus, DomainError> {
        let c = self.checkout(kind, id).await?;
        let paths = confine_all(paths)?;
        // Before the first commit there is no HEAD to restore from.
        let mut args: Vec<&str> = if c.repo.head().await?.commit.is_some() {
            vec!["restore", "--staged", "--"]
        } else {
            vec!["rm", "--cached", "-r", "-q", "--"]
        };
        args.extend(paths.iter().map(String::as_str));
        c.repo.run(&args).await?;
        Ok(c.repo.status().await?)
    }

    /// Commits what is staged (after staging `paths`, if given).
    pub async fn commit(
        &self,
        kind: CheckoutKind,
        id: &str,
        message: &str,
        paths: &[String],
    ) -> Result<CommitInfo, DomainError> {
        if message.trim().is_empty() {
            return Err(DomainError::Invalid("the commit message is empty".into()));
        }
        let c = self.checkout(kind, id).await?;
        if !paths.is_empty() {
            stage(&c, paths).await?;
        }
        if c.repo.status().await?.staged.is_empty() {
            return Err(DomainError::Conflict("nothing is staged to commit".into()));
        }
        c.repo.run(&["commit", "-q", "-m", message]).await.map_err(|e| match &e {
            GitError::Failed { stderr, .. } if stderr.contains("Please tell me who you are") => DomainError::Conflict(
                "git does not know who you are: set user.name and user.email (git config --global)".into(),
            ),
            _ => e.into(),
        })?;
        c.repo
            .log("HEAD", 1)
            .await?
            .pop()
            .ok_or_else(|| DomainError::Internal("the new commit cannot be read".into()))
    }

    /// Asks Claude (a one-shot `claude -p`) for a commit message for what is staged.
    pub async fn draft_message(&self, kind: CheckoutKind, id: &str) -> Result<String, DomainError> {
        let c = self.checkout_with_env(kind, id).await?;
        let status = c.repo.status().await?;
        if status.staged.is_empty() {
            return Err(DomainError::Conflict(
                "stage some changes first: the message describes what is staged".into(),
            ));
        }
        let mut diffs = Vec::new();
        for change in &status.staged {
            let old = change.old_path.as_deref();
            diffs.push(file_diff(&c, &change.path, old, DiffSource::Staged, 0).await?);
        }
        let mut text = unified(&diffs);
        if text.len() > DRAFT_DIFF_LIMIT {
            let cut = (0..=DRAFT_DIFF_LIMIT)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push_str("\n[diff cut here]\n");
        }
        let prompt = format!(
            "Write a git commit message for the staged changes below: a summary line of at most 72 \
             characters, then (if useful) a blank line and a short body. Reply with the message only, \
             no quotes or code fences.\n\n{text}"
        );
        crate::base::claude::one_shot(
            &self.claude_bin,
            &self.claude_home,
            c.path(),
            &c.env,
            &prompt,
            DRAFT_TIMEOUT,
        )
        .await
        .map_err(|e| match e {
            OneShotError::NotFound(_) => DomainError::Invalid(e.to_string()),
            _ => DomainError::Internal(e.to_string()),
        })
    }

    /// The newest 50 commits of the checkout's HEAD.
    pub async fn log(&self, kind: CheckoutKind, id: &str) -> Result<Vec<CommitInfo>, DomainError> {
        Ok(self.checkout(kind, id).await?.repo.log("HEAD", 50).await?)
    }

    /// Rebases or merges the checkout's branch onto its base. A conflict is reported with its
    /// files and undone (`--abort`): the checkout is never left half-way.
    pub async fn sync(
        &self,
        kind: CheckoutKind,
        id: &str,
        strategy: SyncStrategy,
    ) -> Result<SyncOutcome, DomainError> {
        let c = self.checkout(kind, id).await?;
        let base = c.require_base()?;
        let status = c.repo.status().await?;
        if !status.staged.is_empty() || !status.unstaged.is_empty() {
            return Err(DomainError::Conflict(
                "there are uncommitted changes; commit or discard them before bringing the branch up to date".into(),
            ));
        }
        let (_, behind) = c.repo.ahead_behind("HEAD", base).await?;
        if behind == 0 {
            return Ok(SyncOutcome {
                result: "up_to_date".into(),
                head: status.head,
            });
        }
        let rebase = strategy == SyncStrategy::Rebase;
        let (run, abort, done): (Vec<&str>, Vec<&str>, &str) = if rebase {
            (vec!["rebase", base], vec!["rebase", "--abort"], "rebased")
        } else {
            let run = vec!["merge", "--no-edit", base];
            (run, vec!["merge", "--abort"], "merged")
        };
        if let Err(e) = c.repo.run(&run).await {
            let conflicted = c
                .repo
                .run(&["diff", "--name-only", "--diff-filter=U"])
                .await
                .unwrap_or_default();
            let files: Vec<&str> = conflicted.lines().filter(|l| !l.is_empty()).collect();
            // Put everything back as it was, whatever the failure.
            let _ = c.repo.run(&abort).await;
            return Err(if files.is_empty() {
                e.into()
            } else {
                DomainError::Conflict(format!(
                    "{} onto {base} stopped on conflicts in {}; nothing was changed (the {} was aborted)",
                    if rebase { "rebasing" } else { "merging" },
                    files.join(", "),
                    if rebase { "rebase" } else { "merge" },
                ))
            });
        }
        Ok(SyncOutcome {
            result: done.into(),
            head: c.repo.status().await?.head,
        })
    }

    /// Pushes the checked-out branch to `origin`, setting the upstream; answers the branch.
    pub async fn push(&self, kind: CheckoutKind, id: &str) -> Result<String, DomainError> {
        push(&self.checkout(kind, id).await?, "origin").await
    }

    pub async fn branches(
        &self,
        kind: CheckoutKind,
        id: &str,
    ) -> Result<Vec<BranchInfo>, DomainError> {
        Ok(self.checkout(kind, id).await?.repo.branches().await?)
    }

    /// Creates a branch from `base` (default: HEAD) without switching to it.
    pub async fn create_branch(
        &self,
        kind: CheckoutKind,
        id: &str,
        name: &str,
        base: Option<&str>,
    ) -> Result<(), DomainError> {
        validate_branch_name(name).map_err(DomainError::Invalid)?;
        let c = self.checkout(kind, id).await?;
        let mut args = vec!["branch", name];
        if let Some(b) = base.filter(|b| !b.is_empty()) {
            args.push(b);
        }
        c.repo.run(&args).await.map_err(|e| match &e {
            GitError::Failed { stderr, .. } if stderr.contains("already exists") => {
                DomainError::Conflict(format!("a branch named {name} exists already"))
            }
            _ => e.into(),
        })?;
        Ok(())
    }

    /// Deletes a branch that is fully merged (`git branch -d`, which refuses otherwise).
    pub async fn delete_branch(
        &self,
        kind: CheckoutKind,
        id: &str,
        branch: &str,
    ) -> Result<(), DomainError> {
        validate_branch_name(branch).map_err(DomainError::Invalid)?;
        let c = self.checkout(kind, id).await?;
        c.repo
            .run(&["branch", "-d", branch])
            .await
            .map_err(|e| match &e {
                GitError::Failed { stderr, .. } if stderr.contains("not fully merged") => {
                    DomainError::Conflict(format!(
                        "{branch} is not fully merged; Flotilla only deletes merged branches"
                    ))
                }
                GitError::Failed { stderr, .. }
                    if stderr.contains("checked out") || stderr.contains("used by worktree") =>
                {
                    DomainError::Conflict(format!(
                        "{branch} is checked out; switch away from it first"
                    ))
                }
                GitError::Failed { stderr, .. } if stderr.contains("not found") => {
                    DomainError::NotFound(format!("there is no branch {branch}"))
                }
                _ => e.into(),
            })?;
        Ok(())
    }

    /// Switches the checkout to `branch` (a worktree keeps following its new branch).
    pub async fn switch(
        &self,
        kind: CheckoutKind,
        id: &str,
        branch: &str,
    ) -> Result<WorkingStatus, DomainError> {
        validate_branch_name(branch).map_err(DomainError::Invalid)?;
        let c = self.checkout(kind, id).await?;
        c.repo
            .run(&["switch", branch])
            .await
            .map_err(|e| match &e {
                GitError::Failed { stderr, .. }
                    if stderr.contains("already checked out")
                        || stderr.contains("is already used by worktree") =>
                {
                    DomainError::Conflict(format!("{branch} is checked out in another worktree"))
                }
                GitError::Failed { stderr, .. } if stderr.contains("would be overwritten") => {
                    DomainError::Conflict(
                        "switching would overwrite uncommitted changes; commit them first".into(),
                    )
                }
                _ => e.into(),
            })?;
        if let Some(w) = &c.worktree {
            crate::worktrees::store::set_branch(&self.db, &w.id, branch).await?;
        }
        Ok(c.repo.status().await?)
    }

    /// Starts the project's run script in this checkout; its output is kept (see the run).
    pub async fn run_script(&self, kind: CheckoutKind, id: &str) -> Result<ScriptRun, DomainError> {
        let c = self.checkout_with_env(kind, id).await?;
        let Some(script) = c
            .project
            .run_script
            .clone()
            .filter(|s| !s.trim().is_empty())
        else {
            return Err(DomainError::Invalid(
                "the project has no run script; set one in its settings".into(),
            ));
        };
        let mut env = c.env.clone();
        env.insert("FLOTILLA_PROJECT".into(), c.project.name.clone());
        let worktree_id = c.worktree.as_ref().map(|w| w.id.as_str());
        let cwd = c.path().to_path_buf();
        Ok(self
            .worktrees
            .scripts()
            .start(&c.project.id, worktree_id, "run", &script, cwd, env)
            .await?)
    }
}

/// One file's diff in a checkout, `source` saying which two versions.
async fn file_diff(
    c: &Checkout,
    file: &str,
    old_path: Option<&str>,
    source: DiffSource,
    page: usize,
) -> Result<FileDiff, DomainError> {
    let path = confine_relative(file)?;
    let old_path = match old_path {
        Some(p) => confine_relative(p)?,
        None => path.clone(),
    };
    let (old, new) = match source {
        DiffSource::Staged => (Version::Commit("HEAD".into()), Version::Index),
        DiffSource::Unstaged => (Version::Index, Version::WorkTree),
        DiffSource::Base => {
            let base = c.repo.merge_base(c.require_base()?).await?;
            (Version::Commit(base), Version::WorkTree)
        }
    };
    let old = Side {
        version: old,
        path: old_path,
    };
    let new = Side { version: new, path };
    Ok(c.repo
        .diff(old, new, page * HUNKS_PER_PAGE, HUNKS_PER_PAGE)
        .await?)
}

async fn stage(c: &Checkout, paths: &[String]) -> Result<(), DomainError> {
    let paths = confine_all(paths)?;
    let mut args = vec!["add", "-A", "--"];
    args.extend(paths.iter().map(String::as_str));
    c.repo.run(&args).await?;
    Ok(())
}

/// Pushes the checked-out branch to `remote`, setting the upstream; answers the branch.
pub(super) async fn push(c: &Checkout, remote: &str) -> Result<String, DomainError> {
    let Some(branch) = c.repo.head().await?.branch else {
        return Err(DomainError::Conflict(
            "HEAD is detached: there is no branch to push".into(),
        ));
    };
    c.repo
        .run(&["push", "--porcelain", "-u", remote, &format!("HEAD:refs/heads/{branch}")])
        .await
        .map_err(|e| match &e {
            GitError::Failed { stderr, .. } if stderr.contains("does not appear to be a git repository") || stderr.contains("No such remote") => {
                DomainError::Conflict(format!("there is no remote {remote:?} to push to"))
            }
            GitError::Failed { stderr, .. } if stderr.contains("rejected") => DomainError::Conflict(format!(
                "the remote refused the push (it has commits this branch lacks; bring the branch up to date first): {}",
                stderr.trim()
            )),
            _ => e.into(),
        })?;
    Ok(branch)
}

/// `M\tpath`, `R100\told\tnew` -> a change.
fn parse_name_status(line: &str) -> Option<FileChange> {
    let mut parts = line.split('\t');
    let code = parts.next()?;
    let kind = match code.chars().next()? {
        'A' => ChangeKind::Added,
        'M' => ChangeKind::Modified,
        'D' => ChangeKind::Deleted,
        'R' => ChangeKind::Renamed,
        'C' => ChangeKind::Copied,
        'T' => ChangeKind::TypeChange,
        'U' => ChangeKind::Conflicted,
        _ => return None,
    };
    let first = parts.next()?.to_string();
    Some(match parts.next() {
        Some(second) => FileChange {
            path: second.to_string(),
            old_path: Some(first),
            kind,
        },
        None => FileChange {
            path: first,
            old_path: None,
            kind,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_lines() {
        let r = parse_name_status("R087\told.txt\tnew.txt").unwrap();
        assert_eq!(
            (r.path.as_str(), r.old_path.as_deref()),
            ("new.txt", Some("old.txt"))
        );
        assert_eq!(parse_name_status("M\ta.rs").unwrap().path, "a.rs");
        assert!(parse_name_status("").is_none());
    }
}
