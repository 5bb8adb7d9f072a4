//! Worktrees: one per agent — created, listed with their drift, removed, cleaned up, and set up
//! by the project's setup script. Reviewing and shipping what agents did in them is `review/`.
//!
//! - `types`: the API's worktree types (shared with the browser)
//! - `service` (server): create / list / remove, drift, cleanup; `scripts`: setup and run
//!   scripts; `store`: the table
//! - `http` (server): the routes; `api`: the server functions the pages call
//! - `page_ui`, `list_ui`, `actions_ui`: the worktree page, the project page's worktree list,
//!   and what can be started in a checkout (an instance, the run script)

pub mod actions_ui;
pub mod api;
pub mod list_ui;
mod page_ui;
pub mod types;

pub use page_ui::WorktreePage;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod scripts;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
