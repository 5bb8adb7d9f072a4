//! Git: the one boundary every git operation goes through.
//!
//! - `types`: what the UI and the API show (status, diffs, branches, commits); shared.
//! - `cli` (server): every `git` process — worktree add/remove, commit, rebase, push — through one
//!   function that sets `-C`, `GIT_TERMINAL_PROMPT=0`, a closed stdin, a timeout and typed errors.
//! - `read` (server): reads with gix (status, branches, refs, log, blobs), to be called inside
//!   `spawn_blocking`.
//! - `diff` (server): line diffs of two versions of a file, for the diff viewer.

pub mod types;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod read;

#[cfg(feature = "ssr")]
pub use cli::{Git, GitError};

#[cfg(all(test, feature = "ssr"))]
mod tests;
