//! Health: whether the server, its database and the Claude Code CLI are usable.
//!
//! `/healthz` and `/readyz` (in `http`) are for machines; [`ClaudeBadge`] shows the same facts in
//! the header for people.

mod badge_ui;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod probe;

pub use badge_ui::ClaudeBadge;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// What Flotilla knows about the `claude` executable it will run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaudeStatus {
    /// The executable answered `--version`.
    pub found: bool,
    /// The version it printed, e.g. `2.1.331`.
    pub version: Option<String>,
    /// The path that was tried (as configured, or as resolved from PATH).
    pub path: String,
    /// Why it is not usable, when it is not.
    pub error: Option<String>,
}

/// The Claude Code CLI status, probed on the server (cached briefly).
#[server(prefix = "/api/fn", endpoint = "claude_status", input = GetUrl)]
pub async fn get_claude_status() -> Result<ClaudeStatus, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    Ok(state.claude.status().await)
}
