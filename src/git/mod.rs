//! Git: the one boundary every git operation goes through.
//!
//! - `types`: what the UI and the API show (status, diffs, branches, commits); shared.
//! - `cli` (server): every `git` process — worktree add/remove, commit, rebase, push — through one
//!   function that sets `-C`, `GIT_TERMINAL_PROMPT=0`, a closed stdin, a timeout and typed errors.
//! - `repo` (server): [`Repo`], one repository's operations, async (status, diffs between any two
//!   versions, merge base, ignored entries, log, branches, and the CLI in that checkout). The
//!   rest of the program uses this handle, never gix or `read` directly.
//! - `read` (server, private): the blocking gix reads `Repo` runs off the async threads.
//! - `diff` (server): line diffs of two versions of a file, for the diff viewer.

pub mod types;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
mod read;
#[cfg(feature = "ssr")]
pub mod repo;

#[cfg(feature = "ssr")]
pub use cli::{Git, GitError};
#[cfg(feature = "ssr")]
pub use repo::{Head, Repo, Side, Version};

#[cfg(all(test, feature = "ssr"))]
mod tests;
