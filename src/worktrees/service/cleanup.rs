//! The cleanup view: worktrees worth removing, and the disk they use.

use super::{same_path, InstanceUse, Worktrees};
use crate::base::clock::now_ms;
use crate::base::error::DomainError;
use crate::worktrees::types::{Cleanup, CleanupCandidate, Worktree};
use std::path::{Path, PathBuf};

impl Worktrees {
    /// Worktrees worth cleaning up (merged or idle), git worktrees Flotilla does not manage, and
    /// the disk they use. Prunes stale git metadata first.
    pub async fn cleanup(
        &self,
        project_id: &str,
        instances: &InstanceUse,
        idle_for_ms: i64,
    ) -> Result<Cleanup, DomainError> {
        let project = self.projects.record(project_id).await?;
        let main = PathBuf::from(&project.path);
        self.git().run(&main, &["worktree", "prune"]).await?;
        let worktrees = self.list(Some(project_id), instances).await?;
        let registered = self.registered(&project).await?;
        let known: Vec<&str> = worktrees.iter().map(|w| w.path.as_str()).collect();
        let external = registered
            .into_iter()
            .filter(|w| !same_path(Path::new(&w.path), &main) && !known.contains(&w.path.as_str()))
            .collect();
        let total_disk_bytes = worktrees.iter().map(|w| w.disk_bytes).sum();
        let now = now_ms();
        let used = |w: &Worktree| {
            instances
                .iter()
                .any(|(_, wt, _)| wt.as_deref() == Some(w.id.as_str()))
        };
        let candidates = worktrees
            .into_iter()
            .filter_map(|w| {
                let mut reasons = Vec::new();
                if w.merged && w.drift.is_none() {
                    reasons.push("merged".to_string());
                }
                let created = crate::base::format::parse_rfc3339_ms(&w.created_at).unwrap_or(now);
                if w.instances.is_empty() && !used(&w) && now - created > idle_for_ms {
                    reasons.push("idle".to_string());
                }
                if w.drift.is_some() {
                    reasons.push("drifted".to_string());
                }
                (!reasons.is_empty()).then_some(CleanupCandidate {
                    worktree: w,
                    reasons,
                })
            })
            .collect();
        Ok(Cleanup {
            candidates,
            external,
            total_disk_bytes,
        })
    }
}

/// Bytes used by the files under `path` (the .git file or folder excluded, symlinks not followed).
pub fn disk_usage(path: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if dir == path && entry.file_name() == ".git" {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                total += meta.len();
            }
        }
    }
    total
}
