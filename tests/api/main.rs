//! Integration tests through the HTTP and WebSocket API, against the real `flotilla` binary
//! running the real `claude` CLI, which talks to the fake Anthropic API in tests/support.

#[path = "../support/mod.rs"]
mod support;

mod analytics;
mod auth;
mod hardening;
mod instances;
mod mcp;
mod mcp_inspector;
mod projects;
mod review;
mod security;
mod session_lineage;
mod sessions;
mod supervision;
mod worktrees;
