//! Reading repositories with gix. Every function here blocks: call it inside
//! `tokio::task::spawn_blocking`.

use super::types::{BranchInfo, ChangeKind, CommitInfo, FileChange, WorkingStatus};
use super::GitError;
use gix::bstr::{BStr, ByteSlice};
use std::path::Path;

fn read_err(e: impl std::fmt::Display) -> GitError {
    GitError::Read(format!("{e:#}"))
}

/// Opens the repository whose working tree (main or linked) is `path`.
pub fn open(path: &Path) -> Result<gix::Repository, GitError> {
    gix::open(path).map_err(|e| {
        let text = format!("{e:#}");
        if text.contains("not a git repository")
            || text.contains("Could not find a valid git repository")
        {
            GitError::NotARepository(path.display().to_string())
        } else {
            GitError::Read(text)
        }
    })
}

/// Whether `path` is the top of a git working tree (main or linked).
pub fn is_work_tree(path: &Path) -> bool {
    open(path)
        .ok()
        .and_then(|r| r.workdir().map(|w| same_dir(w, path)))
        .unwrap_or(false)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The checked-out branch (None when detached) and the commit HEAD points at (None when unborn).
pub fn head(repo: &gix::Repository) -> Result<(Option<String>, Option<String>), GitError> {
    let head = repo.head().map_err(read_err)?;
    let branch = head.referent_name().map(|n| n.shorten().to_string());
    let id = head.id().map(|id| id.detach().to_string());
    Ok((branch, id))
}

/// The bytes of the files the index lists (their sizes when last staged or checked out): the disk
/// use of a fresh checkout, known without walking it.
pub fn index_bytes(path: &Path) -> Result<u64, GitError> {
    let repo = open(path)?;
    let index = repo.index_or_empty().map_err(read_err)?;
    Ok(index.entries().iter().map(|e| u64::from(e.stat.size)).sum())
}

fn path_of(location: &BStr) -> String {
    location.to_str_lossy().into_owned()
}

/// Staged, unstaged and untracked changes of a working tree (ignored files excluded; staged
/// renames detected).
pub fn status(path: &Path) -> Result<WorkingStatus, GitError> {
    use gix::diff::index::ChangeRef;
    use gix::status::index_worktree::Item as WorktreeItem;
    use gix::status::plumbing::index_as_worktree::{Change, EntryStatus};

    let repo = open(path)?;
    let (branch, head) = head(&repo)?;
    let mut status = WorkingStatus {
        branch,
        head,
        ..Default::default()
    };
    let iter = repo
        .status(gix::progress::Discard)
        .map_err(read_err)?
        .untracked_files(gix::status::UntrackedFiles::Files)
        .index_worktree_submodules(None)
        .into_iter(None::<gix::bstr::BString>)
        .map_err(read_err)?;
    for item in iter {
        match item.map_err(read_err)? {
            gix::status::Item::TreeIndex(change) => {
                let (path, old_path, kind) = match &change {
                    ChangeRef::Addition { location, .. } => {
                        (path_of(location), None, ChangeKind::Added)
                    }
                    ChangeRef::Deletion { location, .. } => {
                        (path_of(location), None, ChangeKind::Deleted)
                    }
                    ChangeRef::Modification { location, .. } => {
                        (path_of(location), None, ChangeKind::Modified)
                    }
                    ChangeRef::Rewrite {
                        source_location,
                        location,
                        copy,
                        ..
                    } => (
                        path_of(location),
                        Some(path_of(source_location)),
                        if *copy {
                            ChangeKind::Copied
                        } else {
                            ChangeKind::Renamed
                        },
                    ),
                };
                status.staged.push(FileChange {
                    path,
                    old_path,
                    kind,
                });
            }
            gix::status::Item::IndexWorktree(WorktreeItem::Modification {
                rela_path,
                status: entry,
                ..
            }) => {
                let kind = match entry {
                    EntryStatus::Change(Change::Removed) => ChangeKind::Deleted,
                    EntryStatus::Change(Change::Type { .. }) => ChangeKind::TypeChange,
                    EntryStatus::Change(_) => ChangeKind::Modified,
                    EntryStatus::Conflict { .. } => ChangeKind::Conflicted,
                    EntryStatus::IntentToAdd => ChangeKind::Added,
                    EntryStatus::NeedsUpdate(_) => continue,
                };
                status.unstaged.push(FileChange {
                    path: path_of(rela_path.as_ref()),
                    old_path: None,
                    kind,
                });
            }
            gix::status::Item::IndexWorktree(WorktreeItem::DirectoryContents { entry, .. }) => {
                if matches!(entry.status, gix::dir::entry::Status::Untracked) {
                    status.untracked.push(path_of(entry.rela_path.as_ref()));
                }
            }
            gix::status::Item::IndexWorktree(WorktreeItem::Rewrite { dirwalk_entry, .. }) => {
                status
                    .untracked
                    .push(path_of(dirwalk_entry.rela_path.as_ref()));
            }
        }
    }
    status.staged.sort_by(|a, b| a.path.cmp(&b.path));
    status.unstaged.sort_by(|a, b| a.path.cmp(&b.path));
    status.untracked.sort();
    Ok(status)
}

/// Local branches, marking the one checked out in `path`.
pub fn branches(path: &Path) -> Result<Vec<BranchInfo>, GitError> {
    let repo = open(path)?;
    let (current, _) = head(&repo)?;
    let platform = repo.references().map_err(read_err)?;
    let mut branches = Vec::new();
    for reference in platform.local_branches().map_err(read_err)? {
        let mut reference = reference.map_err(read_err)?;
        let name = reference.name().shorten().to_string();
        let head = reference
            .peel_to_id()
            .map(|id| id.detach().to_string())
            .unwrap_or_default();
        branches.push(BranchInfo {
            current: current.as_deref() == Some(name.as_str()),
            name,
            head,
        });
    }
    branches.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(branches)
}

/// Resolves a revision (`main`, `origin/main`, a commit id) to a commit id.
pub fn resolve(repo: &gix::Repository, rev: &str) -> Result<gix::ObjectId, GitError> {
    repo.rev_parse_single(rev)
        .map_err(|e| GitError::Read(format!("cannot resolve {rev:?}: {e}")))
        .and_then(|id| {
            id.object()
                .map_err(read_err)?
                .peel_to_commit()
                .map(|c| c.id)
                .map_err(read_err)
        })
}

/// Commits on `rev` not on `base` (ahead) and on `base` not on `rev` (behind).
pub fn ahead_behind(path: &Path, rev: &str, base: &str) -> Result<(u32, u32), GitError> {
    let repo = open(path)?;
    let (tip, base) = (resolve(&repo, rev)?, resolve(&repo, base)?);
    let count = |from: gix::ObjectId, hide: gix::ObjectId| -> Result<u32, GitError> {
        let mut n = 0;
        for info in repo
            .rev_walk([from])
            .with_hidden([hide])
            .all()
            .map_err(read_err)?
        {
            info.map_err(read_err)?;
            n += 1;
        }
        Ok(n)
    };
    Ok((count(tip, base)?, count(base, tip)?))
}

/// The newest `n` commits reachable from `rev`.
pub fn log(path: &Path, rev: &str, n: usize) -> Result<Vec<CommitInfo>, GitError> {
    use gix::revision::walk::Sorting;
    use gix::traverse::commit::simple::CommitTimeOrder;
    let mut repo = open(path)?;
    repo.object_cache_size_if_unset(8 << 20);
    let tip = resolve(&repo, rev)?;
    let mut commits = Vec::new();
    let walk = repo
        .rev_walk([tip])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()
        .map_err(read_err)?;
    for info in walk.take(n) {
        let info = info.map_err(read_err)?;
        let commit = info.object().map_err(read_err)?;
        let summary = commit.message().map_err(read_err)?.summary().to_string();
        let author = commit.author().map_err(read_err)?;
        commits.push(CommitInfo {
            id: info.id.to_string(),
            summary,
            author: author.name.to_string(),
            time: author.seconds(),
        });
    }
    Ok(commits)
}

/// The content of `path` in commit `rev` (None when the file is not there).
pub fn blob_at(
    repo: &gix::Repository,
    rev: gix::ObjectId,
    path: &str,
) -> Result<Option<Vec<u8>>, GitError> {
    let commit = repo.find_commit(rev).map_err(read_err)?;
    let tree = commit.tree().map_err(read_err)?;
    let Some(entry) = tree.lookup_entry_by_path(path).map_err(read_err)? else {
        return Ok(None);
    };
    let object = entry.object().map_err(read_err)?;
    Ok(Some(object.data.clone()))
}

/// The content of `path` in the index (None when it is not staged).
pub fn blob_in_index(repo: &gix::Repository, path: &str) -> Result<Option<Vec<u8>>, GitError> {
    let index = repo.index_or_empty().map_err(read_err)?;
    let Some(entry) = index.entry_by_path(path.as_bytes().as_bstr()) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id).map_err(read_err)?;
    Ok(Some(blob.data.clone()))
}

/// Which of `paths` (relative to the working tree at `root`, each with whether it is a folder)
/// .gitignore and the repository's excludes leave out. Outside a repository nothing is ignored.
pub fn ignored(root: &Path, paths: &[(&Path, bool)]) -> Vec<bool> {
    let repo = gix::open(root).ok();
    let index = repo.as_ref().and_then(|r| r.index_or_empty().ok());
    let mut excludes = match (&repo, &index) {
        (Some(repo), Some(index)) => repo
            .excludes(
                index,
                None,
                gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped,
            )
            .ok(),
        _ => None,
    };
    paths
        .iter()
        .map(|(path, is_dir)| {
            let Some(stack) = excludes.as_mut() else {
                return false;
            };
            let mode = is_dir.then_some(gix::index::entry::Mode::DIR);
            stack.at_path(*path, mode).is_ok_and(|p| p.is_excluded())
        })
        .collect()
}

/// The commit HEAD points at, if any.
pub fn head_id(repo: &gix::Repository) -> Result<Option<gix::ObjectId>, GitError> {
    Ok(repo.head().map_err(read_err)?.id().map(|id| id.detach()))
}

/// Where `a` and `b` diverged (None when they share no history).
pub fn merge_base(
    repo: &gix::Repository,
    a: gix::ObjectId,
    b: gix::ObjectId,
) -> Result<Option<gix::ObjectId>, GitError> {
    Ok(repo
        .merge_base(a, b)
        .map_err(read_err)?
        .map(|id| id.detach()))
}
