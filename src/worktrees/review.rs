//! Reviewing and shipping a checkout (a worktree, or a project's main checkout): status, diffs,
//! staging, commits (with a message Claude drafts), branches, rebase/merge onto the base, push.

use super::types::{SyncOutcome, SyncStrategy};
use crate::base::claude::OneShotError;
use crate::base::error::DomainError;
use crate::git::diff::{file_diff, unified};
use crate::git::types::{
    validate_branch_name, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus,
};
use crate::git::{read, Git, GitError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Hunks per page of a large diff.
pub const HUNKS_PER_PAGE: usize = 200;
/// The most diff text sent to Claude for a commit message.
const DRAFT_DIFF_LIMIT: usize = 60_000;

/// A checkout being reviewed.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub path: PathBuf,
    /// The base branch to compare against and rebase onto (None for a main checkout with no
    /// base configured).
    pub base: Option<String>,
    /// The project's environment (for scripts and Claude).
    pub env: BTreeMap<String, String>,
}

/// Runs blocking gix reads off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, GitError> + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .map_err(DomainError::from)
}

#[derive(Clone)]
pub struct Review {
    git: Git,
    claude_bin: PathBuf,
    claude_home: PathBuf,
}

impl Review {
    pub fn new(git: Git, claude_bin: PathBuf, claude_home: PathBuf) -> Self {
        Review {
            git,
            claude_bin,
            claude_home,
        }
    }

    pub async fn status(&self, c: &Checkout) -> Result<WorkingStatus, DomainError> {
        let path = c.path.clone();
        blocking(move || read::status(&path)).await
    }

    /// Files that differ between where the branch left its base and the working tree.
    pub async fn changes_from_base(&self, c: &Checkout) -> Result<Vec<FileChange>, DomainError> {
        let base = self.merge_base(c).await?;
        let out = self
            .git
            .run(&c.path, &["diff", "--name-status", "-M", &base])
            .await?;
        let mut changes: Vec<FileChange> = out.lines().filter_map(parse_name_status).collect();
        // Untracked files are changes against the base too.
        let status = self.status(c).await?;
        changes.extend(status.untracked.into_iter().map(|path| FileChange {
            path,
            old_path: None,
            kind: crate::git::types::ChangeKind::Untracked,
        }));
        Ok(changes)
    }

    async fn merge_base(&self, c: &Checkout) -> Result<String, DomainError> {
        let Some(base) = c.base.clone() else {
            return Err(DomainError::Invalid(
                "this checkout has no base branch to compare with".into(),
            ));
        };
        let path = c.path.clone();
        blocking(move || {
            let repo = read::open(&path)?;
            let head =
                read::head_id(&repo)?.ok_or_else(|| GitError::Read("HEAD has no commit".into()))?;
            let base_id = read::resolve(&repo, &base)?;
            Ok(read::merge_base(&repo, head, base_id)?
                .unwrap_or(base_id)
                .to_string())
        })
        .await
    }

    /// One file's diff; `page` counts pages of [`HUNKS_PER_PAGE`] hunks.
    pub async fn diff(
        &self,
        c: &Checkout,
        file: &str,
        old_path: Option<&str>,
        source: DiffSource,
        page: usize,
    ) -> Result<FileDiff, DomainError> {
        let rel = confine_relative(file)?;
        let old_rel = match old_path {
            Some(p) => confine_relative(p)?,
            None => rel.clone(),
        };
        let base = match source {
            DiffSource::Base => Some(self.merge_base(c).await?),
            _ => None,
        };
        let path = c.path.clone();
        let (old_name, new_name) = (old_rel.clone(), rel.clone());
        let (old, new) = blocking(move || {
            let repo = read::open(&path)?;
            let worktree = || std::fs::read(path.join(&new_name)).unwrap_or_default();
            Ok(match source {
                DiffSource::Staged => {
                    let old = match read::head_id(&repo)? {
                        Some(head) => read::blob_at(&repo, head, &old_name)?.unwrap_or_default(),
                        None => Vec::new(),
                    };
                    (
                        old,
                        read::blob_in_index(&repo, &new_name)?.unwrap_or_default(),
                    )
                }
                DiffSource::Unstaged => {
                    // Untracked: against nothing.
                    (
                        read::blob_in_index(&repo, &old_name)?.unwrap_or_default(),
                        worktree(),
                    )
                }
                DiffSource::Base => {
                    let base = read::resolve(&repo, &base.unwrap_or_default())?;
                    (
                        read::blob_at(&repo, base, &old_name)?.unwrap_or_default(),
                        worktree(),
                    )
                }
            })
        })
        .await?;
        Ok(file_diff(
            &rel,
            (old_rel != rel).then_some(old_rel.as_str()),
            &old,
            &new,
            page * HUNKS_PER_PAGE,
            HUNKS_PER_PAGE,
        ))
    }

    pub async fn stage(&self, c: &Checkout, paths: &[String]) -> Result<(), DomainError> {
        let paths = confine_all(paths)?;
        let mut args = vec!["add", "-A", "--"];
        args.extend(paths.iter().map(String::as_str));
        self.git.run(&c.path, &args).await?;
        Ok(())
    }

    pub async fn unstage(&self, c: &Checkout, paths: &[String]) -> Result<(), DomainError> {
        let paths = confine_all(paths)?;
        let has_head = {
            let path = c.path.clone();
            blocking(move || read::open(&path).and_then(|r| read::head_id(&r)))
                .await?
                .is_some()
        };
        let mut args: Vec<&str> = if has_head {
            vec!["restore", "--staged", "--"]
        } else {
            vec!["rm", "--cached", "-r", "-q", "--"]
        };
        args.extend(paths.iter().map(String::as_str));
        self.git.run(&c.path, &args).await?;
        Ok(())
    }

    /// Commits what is staged (after staging `paths`, if given).
    pub async fn commit(
        &self,
        c: &Checkout,
        message: &str,
        paths: &[String],
    ) -> Result<CommitInfo, DomainError> {
        if message.trim().is_empty() {
            return Err(DomainError::Invalid("the commit message is empty".into()));
        }
        if !paths.is_empty() {
            self.stage(c, paths).await?;
        }
        let status = self.status(c).await?;
        if status.staged.is_empty() {
            return Err(DomainError::Conflict("nothing is staged to commit".into()));
        }
        self.git.run(&c.path, &["commit", "-q", "-m", message]).await.map_err(|e| match &e {
            GitError::Failed { stderr, .. } if stderr.contains("Please tell me who you are") => DomainError::Conflict(
                "git does not know who you are: set user.name and user.email (git config --global)".into(),
            ),
            _ => e.into(),
        })?;
        let path = c.path.clone();
        let mut log = blocking(move || read::log(&path, "HEAD", 1)).await?;
        log.pop()
            .ok_or_else(|| DomainError::Internal("the new commit cannot be read".into()))
    }

    /// Asks Claude (a one-shot `claude -p`) for a commit message for what is staged.
    pub async fn draft_message(&self, c: &Checkout) -> Result<String, DomainError> {
        let status = self.status(c).await?;
        if status.staged.is_empty() {
            return Err(DomainError::Conflict(
                "stage some changes first: the message describes what is staged".into(),
            ));
        }
        let mut diffs = Vec::new();
        for change in &status.staged {
            diffs.push(
                self.diff(
                    c,
                    &change.path,
                    change.old_path.as_deref(),
                    DiffSource::Staged,
                    0,
                )
                .await?,
            );
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
            &c.path,
            &c.env,
            &prompt,
            Duration::from_secs(180),
        )
        .await
        .map_err(|e| match e {
            OneShotError::NotFound(_) => DomainError::Invalid(e.to_string()),
            _ => DomainError::Internal(e.to_string()),
        })
    }

    pub async fn log(&self, c: &Checkout, n: usize) -> Result<Vec<CommitInfo>, DomainError> {
        let path = c.path.clone();
        blocking(move || read::log(&path, "HEAD", n)).await
    }

    /// Rebases or merges the checkout's branch onto its base. A conflict is reported with its
    /// files and undone (`--abort`): the checkout is never left half-way.
    pub async fn sync(
        &self,
        c: &Checkout,
        strategy: SyncStrategy,
    ) -> Result<SyncOutcome, DomainError> {
        let Some(base) = c.base.clone() else {
            return Err(DomainError::Invalid(
                "this checkout has no base branch".into(),
            ));
        };
        let status = self.status(c).await?;
        if !status.staged.is_empty() || !status.unstaged.is_empty() {
            return Err(DomainError::Conflict(
                "there are uncommitted changes; commit or discard them before bringing the branch up to date".into(),
            ));
        }
        let path = c.path.clone();
        let base_for_count = base.clone();
        let (_, behind) =
            blocking(move || read::ahead_behind(&path, "HEAD", &base_for_count)).await?;
        if behind == 0 {
            return Ok(SyncOutcome {
                result: "up_to_date".into(),
                head: status.head,
            });
        }
        let (run, abort, done): (Vec<&str>, Vec<&str>, &str) = match strategy {
            SyncStrategy::Rebase => (vec!["rebase", &base], vec!["rebase", "--abort"], "rebased"),
            SyncStrategy::Merge => (
                vec!["merge", "--no-edit", &base],
                vec!["merge", "--abort"],
                "merged",
            ),
        };
        if let Err(e) = self.git.run(&c.path, &run).await {
            let conflicted = self
                .git
                .run(&c.path, &["diff", "--name-only", "--diff-filter=U"])
                .await
                .unwrap_or_default();
            let files: Vec<&str> = conflicted.lines().filter(|l| !l.is_empty()).collect();
            // Put everything back as it was, whatever the failure.
            let _ = self.git.run(&c.path, &abort).await;
            return Err(if files.is_empty() {
                e.into()
            } else {
                DomainError::Conflict(format!(
                    "{} onto {base} stopped on conflicts in {}; nothing was changed (the {} was aborted)",
                    if strategy == SyncStrategy::Rebase { "rebasing" } else { "merging" },
                    files.join(", "),
                    if strategy == SyncStrategy::Rebase { "rebase" } else { "merge" },
                ))
            });
        }
        let after = self.status(c).await?;
        Ok(SyncOutcome {
            result: done.into(),
            head: after.head,
        })
    }

    /// Pushes the checked-out branch to `remote` (default `origin`), setting the upstream.
    pub async fn push(&self, c: &Checkout, remote: Option<&str>) -> Result<String, DomainError> {
        let status = self.status(c).await?;
        let Some(branch) = status.branch else {
            return Err(DomainError::Conflict(
                "HEAD is detached: there is no branch to push".into(),
            ));
        };
        let remote = remote.unwrap_or("origin");
        self.git
            .run(&c.path, &["push", "--porcelain", "-u", remote, &format!("HEAD:refs/heads/{branch}")])
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

    /// Creates a branch from `base` (default: HEAD) without switching to it.
    pub async fn create_branch(
        &self,
        c: &Checkout,
        name: &str,
        base: Option<&str>,
    ) -> Result<(), DomainError> {
        validate_branch_name(name).map_err(DomainError::Invalid)?;
        let mut args = vec!["branch", name];
        if let Some(b) = base.filter(|b| !b.is_empty()) {
            args.push(b);
        }
        self.git.run(&c.path, &args).await.map_err(|e| match &e {
            GitError::Failed { stderr, .. } if stderr.contains("already exists") => {
                DomainError::Conflict(format!("a branch named {name} exists already"))
            }
            _ => e.into(),
        })?;
        Ok(())
    }

    /// Switches the checkout to `branch`.
    pub async fn switch(&self, c: &Checkout, branch: &str) -> Result<(), DomainError> {
        validate_branch_name(branch).map_err(DomainError::Invalid)?;
        self.git
            .run(&c.path, &["switch", branch])
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
        Ok(())
    }

    /// Deletes a branch that is fully merged (`git branch -d`, which refuses otherwise).
    pub async fn delete_merged_branch(
        &self,
        c: &Checkout,
        branch: &str,
    ) -> Result<(), DomainError> {
        validate_branch_name(branch).map_err(DomainError::Invalid)?;
        self.git
            .run(&c.path, &["branch", "-d", branch])
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
}

/// `M\tpath`, `R100\told\tnew` -> a change.
fn parse_name_status(line: &str) -> Option<FileChange> {
    use crate::git::types::ChangeKind;
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

/// A path relative to a checkout, refusing anything that could leave it (absolute paths, `..`,
/// the `.git` folder).
pub fn confine_relative(path: &str) -> Result<String, DomainError> {
    use std::path::Component;
    let p = Path::new(path);
    let ok = !path.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components()
            .next()
            .is_some_and(|c| c.as_os_str() != ".git");
    if !ok {
        return Err(DomainError::Invalid(format!(
            "{path:?} is not a path inside the checkout"
        )));
    }
    Ok(path.trim_start_matches("./").to_string())
}

fn confine_all(paths: &[String]) -> Result<Vec<String>, DomainError> {
    if paths.is_empty() {
        return Err(DomainError::Invalid("no paths given".into()));
    }
    paths.iter().map(|p| confine_relative(p)).collect()
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

    #[test]
    fn relative_paths_stay_inside() {
        assert_eq!(confine_relative("src/main.rs").unwrap(), "src/main.rs");
        assert_eq!(confine_relative("./a").unwrap(), "a");
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".git/config",
            ".git",
        ] {
            assert!(confine_relative(bad).is_err(), "{bad}");
        }
    }
}
