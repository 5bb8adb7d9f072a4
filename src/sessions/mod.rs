//! Sessions: Claude Code's own transcripts, indexed for history and cost.
//!
//! - `index` (server, the core: no Leptos, no database): reads the transcript files, counts each
//!   API message once
//! - `conversation` (server, core): one session's message tree, replay frames, Markdown, and the
//!   transcript copies fork and import write
//! - `types`: the API's shapes (shared with the browser)
//! - `service` (server): runs the index on a timer off the async threads, answers from its last
//!   scan; starts instances on sessions (resume, fork, merge), exports and imports them
//! - `store` (server): where Flotilla's forks and merges came from (the family tree)
//! - `http` (server): the routes; `api`: the server function the page calls
//! - `page_ui`: the Sessions page, `actions_ui` its import form and merge bar; `detail_ui`: one
//!   session (replay, outline, fork, resume), `family_ui` its family tree; `panel_ui`: the
//!   sessions of a project or worktree, on their pages

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod conversation;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

mod actions_ui;
mod detail_ui;
mod family_ui;
mod page_ui;
mod panel_ui;

pub use detail_ui::SessionDetailPage;
pub use page_ui::SessionsPage;
pub use panel_ui::SessionsPanel;

/// How often the service looks for new transcript lines (a stat of each file; it reads only what
/// was appended).
pub const SCAN_INTERVAL_MS: u64 = 500;
