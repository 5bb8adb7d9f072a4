//! Sessions: Claude Code's own transcripts, indexed for history and cost.
//!
//! - `index` (server, the core: no Leptos, no database): reads the transcript files, counts each
//!   API message once
//! - `conversation` (server, core): one session's message tree, replay frames, Markdown, and the
//!   transcript copies fork and import write
//! - `types`: the API's shapes (shared with the browser)
//! - `service` (server): runs the index on a timer off the async threads, answers from its last scan
//! - `http` (server): the routes; `api`: the server function the page calls
//! - `page_ui`: the Sessions page; `detail_ui`: one session (replay, outline, fork, resume)

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

mod detail_ui;
mod page_ui;

pub use detail_ui::SessionDetailPage;
pub use page_ui::SessionsPage;

/// How often the service looks for new transcript lines (a stat of each file; it reads only what
/// was appended).
pub const SCAN_INTERVAL_MS: u64 = 500;
