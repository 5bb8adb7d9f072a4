//! Worktree types of the API, shared by the server and the browser.

pub use crate::review::types::PullRequest;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worktree {
    pub id: String,
    pub project_id: String,
    /// The project's name, for breadcrumbs and lists.
    pub project_name: String,
    pub branch: String,
    /// What it was created from; "ahead"/"behind" and "diff against base" refer to it.
    pub base: String,
    pub path: String,
    /// The commit checked out (None when it cannot be read).
    pub head: Option<String>,
    pub ahead: u32,
    pub behind: u32,
    /// Uncommitted changes (staged, unstaged or untracked).
    pub dirty: bool,
    pub disk_bytes: u64,
    /// Ids of the live instances working in it.
    pub instances: Vec<String>,
    /// What changed outside Flotilla (folder deleted, branch switched, ...), if anything.
    pub drift: Option<String>,
    /// Every commit of the branch is in the base.
    pub merged: bool,
    pub pr: Option<PullRequest>,
    /// The last setup script run.
    pub setup: Option<ScriptRun>,
    pub created_at: String,
}

/// `POST /api/worktrees`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorktree {
    pub project_id: String,
    /// A new branch (created from `base`) or an existing one.
    pub branch: String,
    #[serde(default)]
    pub base: Option<String>,
    /// `git fetch` first.
    #[serde(default)]
    pub fetch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptRun {
    pub id: String,
    pub kind: String,
    pub command: String,
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    pub output: String,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// A git worktree of the project that Flotilla did not create (or no longer knows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalWorktree {
    pub path: String,
    pub branch: Option<String>,
    /// git can prune it: its folder is gone.
    pub prunable: bool,
}

/// The cleanup view of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cleanup {
    /// Worktrees whose branch is merged into its base, or that no instance has used for a day.
    pub candidates: Vec<CleanupCandidate>,
    pub external: Vec<ExternalWorktree>,
    pub total_disk_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupCandidate {
    pub worktree: Worktree,
    /// Why it is listed: "merged", "idle".
    pub reasons: Vec<String>,
}
