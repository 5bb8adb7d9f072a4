//! Review types of the API, shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// Which checkout a review operation is about: a worktree, or a project's main checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutKind {
    Worktree,
    MainCheckout,
}

/// How to bring a branch up to date with its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStrategy {
    Rebase,
    Merge,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOutcome {
    /// "up_to_date", "rebased" or "merged".
    pub result: String,
    pub head: Option<String>,
}

/// A pull request opened from a checkout's branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub url: String,
    pub number: u64,
    pub state: String,
}

/// One entry of a folder in the explorer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    pub name: String,
    /// Relative to the checkout.
    pub path: String,
    pub dir: bool,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileContent {
    pub path: String,
    /// None for binary or oversized files.
    pub content: Option<String>,
    pub size: u64,
    pub binary: bool,
}
