//! [`Repo`]: one repository's operations, async. Reads go through gix on the blocking pool (the
//! handle does that itself, so no caller writes a `spawn_blocking`); writes go through the git CLI
//! ([`Git::run`]). Everything outside `git/` that touches a repository does it through this.

use super::diff::file_diff;
use super::read;
use super::types::{BranchInfo, CommitInfo, FileDiff, WorkingStatus};
use super::{Git, GitError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One checkout (a main working tree or a linked worktree). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Repo {
    git: Git,
    path: Arc<Path>,
}

/// What HEAD is: the branch checked out (None when detached) and its commit (None when unborn).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub branch: Option<String>,
    pub commit: Option<String>,
}

/// Where one side of a diff is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// A commit, branch or other revision.
    Commit(String),
    /// What is staged.
    Index,
    /// The file on disk.
    WorkTree,
}

/// One side of a diff: a file at a version. A missing file reads as empty (added / deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub version: Version,
    pub path: String,
}

impl Git {
    /// The handle of the repository whose working tree is `path`.
    pub fn repo(&self, path: impl Into<PathBuf>) -> Repo {
        Repo {
            git: self.clone(),
            path: Arc::from(path.into().as_path()),
        }
    }
}

/// Runs a blocking read off the async threads.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, GitError> + Send + 'static,
) -> Result<T, GitError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| GitError::Read(format!("the read was interrupted: {e}")))?
}

impl Repo {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `git <args>` in this checkout (see [`Git::run`]).
    pub async fn run(&self, args: &[&str]) -> Result<String, GitError> {
        self.git.run(&self.path, args).await
    }

    /// Whether the path is the top of a git working tree (not a folder inside one).
    pub async fn is_work_tree(&self) -> bool {
        let path = self.path.clone();
        off_thread(move || Ok(read::is_work_tree(&path)))
            .await
            .unwrap_or(false)
    }

    pub async fn head(&self) -> Result<Head, GitError> {
        let path = self.path.clone();
        off_thread(move || {
            let (branch, commit) = read::head(&read::open(&path)?)?;
            Ok(Head { branch, commit })
        })
        .await
    }

    pub async fn status(&self) -> Result<WorkingStatus, GitError> {
        let path = self.path.clone();
        off_thread(move || read::status(&path)).await
    }

    /// Local branches, the checked-out one marked.
    pub async fn branches(&self) -> Result<Vec<BranchInfo>, GitError> {
        let path = self.path.clone();
        off_thread(move || read::branches(&path)).await
    }

    /// Whether a local branch of that name exists.
    pub async fn has_branch(&self, name: &str) -> Result<bool, GitError> {
        let (path, name) = (self.path.clone(), format!("refs/heads/{name}"));
        off_thread(move || Ok(read::open(&path)?.find_reference(name.as_str()).is_ok())).await
    }

    /// Whether `rev` names a commit here.
    pub async fn resolves(&self, rev: &str) -> Result<bool, GitError> {
        let (path, rev) = (self.path.clone(), rev.to_string());
        off_thread(move || Ok(read::resolve(&read::open(&path)?, &rev).is_ok())).await
    }

    /// The newest `n` commits reachable from `rev`.
    pub async fn log(&self, rev: &str, n: usize) -> Result<Vec<CommitInfo>, GitError> {
        let (path, rev) = (self.path.clone(), rev.to_string());
        off_thread(move || read::log(&path, &rev, n)).await
    }

    /// Commits on `rev` not on `base`, and on `base` not on `rev`.
    pub async fn ahead_behind(&self, rev: &str, base: &str) -> Result<(u32, u32), GitError> {
        let (path, rev, base) = (self.path.clone(), rev.to_string(), base.to_string());
        off_thread(move || read::ahead_behind(&path, &rev, &base)).await
    }

    /// Where HEAD left `base` (the commit a branch's changes are measured from); `base` itself
    /// when they share no history.
    pub async fn merge_base(&self, base: &str) -> Result<String, GitError> {
        let (path, base) = (self.path.clone(), base.to_string());
        off_thread(move || {
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

    /// The diff of one file between any two versions, hunks `first_hunk..first_hunk+max_hunks`.
    /// `old.path` differs from `new.path` for a rename.
    pub async fn diff(
        &self,
        old: Side,
        new: Side,
        first_hunk: usize,
        max_hunks: usize,
    ) -> Result<FileDiff, GitError> {
        let path = self.path.clone();
        off_thread(move || {
            let repo = read::open(&path)?;
            let old_bytes = content(&repo, &path, &old)?;
            let new_bytes = content(&repo, &path, &new)?;
            let renamed_from = (old.path != new.path).then_some(old.path.as_str());
            Ok(file_diff(
                &new.path,
                renamed_from,
                &old_bytes,
                &new_bytes,
                first_hunk,
                max_hunks,
            ))
        })
        .await
    }

    /// Which of `entries` (paths relative to the working tree, each with whether it is a folder)
    /// .gitignore and the repository's excludes leave out.
    pub async fn ignored(&self, entries: Vec<(PathBuf, bool)>) -> Vec<bool> {
        let path = self.path.clone();
        let count = entries.len();
        off_thread(move || {
            let borrowed: Vec<(&Path, bool)> =
                entries.iter().map(|(p, d)| (p.as_path(), *d)).collect();
            Ok(read::ignored(&path, &borrowed))
        })
        .await
        .unwrap_or_else(|_| vec![false; count])
    }

    /// The bytes of the files the index lists: the disk use of a fresh checkout, without a walk.
    pub async fn index_bytes(&self) -> Result<u64, GitError> {
        let path = self.path.clone();
        off_thread(move || read::index_bytes(&path)).await
    }
}

/// A file's bytes at a version (empty when it is not there).
fn content(repo: &gix::Repository, root: &Path, side: &Side) -> Result<Vec<u8>, GitError> {
    Ok(match &side.version {
        Version::WorkTree => std::fs::read(root.join(&side.path)).unwrap_or_default(),
        Version::Index => read::blob_in_index(repo, &side.path)?.unwrap_or_default(),
        Version::Commit(rev) => {
            let id = if rev == "HEAD" {
                match read::head_id(repo)? {
                    Some(id) => id,
                    // An unborn HEAD has no files yet.
                    None => return Ok(Vec::new()),
                }
            } else {
                read::resolve(repo, rev)?
            };
            read::blob_at(repo, id, &side.path)?.unwrap_or_default()
        }
    })
}
