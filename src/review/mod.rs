//! Review: what an agent did in a checkout (a worktree, or a project's main checkout), and
//! shipping it — status, diffs, staging, commits with a message Claude drafts, branches,
//! rebase/merge onto the base, push, pull requests, and the explorer (file tree and editor).
//!
//! - `types`: the API's review types (shared with the browser)
//! - `service` (server): the operations, each finding its checkout (`checkout`); `pr`: pull
//!   requests on GitHub; `explorer`: folders, reads and writes confined to the checkout
//! - `http` (server): the routes, mounted under worktrees and projects; `api`: the server
//!   functions the panels call
//! - `review_ui`, `diff_ui`, `explorer_ui`, `ship_ui`: the panels the worktree and project
//!   pages show

pub mod api;
mod diff_ui;
mod explorer_ui;
pub mod review_ui;
pub mod ship_ui;
pub mod types;

pub use explorer_ui::ExplorerPanel;
pub use review_ui::ReviewPanel;
pub use ship_ui::{Branches, Ship};

#[cfg(feature = "ssr")]
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod explorer;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod pr;
#[cfg(feature = "ssr")]
pub mod service;
