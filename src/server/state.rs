//! The state shared by every route and server function.
//!
//! Axum routes get it through `State<AppState>`; server functions through
//! `expect_context::<AppState>()` (leptos_axum provides the router state as context).

use super::cli::{LimitArgs, ServeArgs};
use super::site::SiteFiles;
use crate::base::db::Db;
use crate::health::probe::ClaudeProbe;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<ServerConfig>,
    pub claude: Arc<ClaudeProbe>,
    pub site: Arc<SiteFiles>,
    pub instances: crate::instances::engine::Supervisor,
    pub projects: crate::projects::service::Projects,
    pub worktrees: crate::worktrees::service::Worktrees,
    pub review: crate::review::service::Review,
    pub sessions: crate::sessions::service::Sessions,
    pub analytics: crate::analytics::service::Analytics,
    pub mcp: crate::mcp::service::Mcp,
    pub auth: crate::auth::Auth,
    /// Cancelled when the server shuts down; long-lived connections watch it.
    pub shutdown: CancellationToken,
}

/// The server's configuration after defaults are applied.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub claude_bin: PathBuf,
    pub claude_home: PathBuf,
    pub limits: LimitArgs,
    pub access: super::cli::AccessArgs,
}

impl ServerConfig {
    pub fn from_args(args: &ServeArgs) -> Self {
        Self {
            bind: args.bind,
            data_dir: args.resolved_data_dir(),
            claude_bin: args.claude_bin.clone(),
            claude_home: args.resolved_claude_home(),
            limits: args.limits.clone(),
            access: args.access.clone(),
        }
    }
}
