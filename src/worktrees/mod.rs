//! Worktrees: one per agent, and reviewing and shipping what agents did in them.
//!
//! - `types`: the API's worktree types (shared with the browser)
//! - `service` (server): create / list / remove, drift, cleanup; `scripts`: setup and run scripts
//! - `review` (server): status, diffs, stage, commit (Claude drafts the message), branches,
//!   rebase/merge, push; `pr`: pull requests; `explorer`: file tree, read and write
//! - `http` (server): the routes

pub mod actions_ui;
pub mod api;
pub mod diff_view;
mod explorer_ui;
pub mod list_ui;
mod page;
pub mod review_ui;
pub mod types;

pub use page::{Branches, WorktreePage};

#[cfg(feature = "ssr")]
pub mod explorer;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod pr;
#[cfg(feature = "ssr")]
pub mod review;
#[cfg(feature = "ssr")]
pub mod scripts;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
