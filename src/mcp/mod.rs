//! MCP: the Model Context Protocol servers Claude Code is configured with, kept in Claude Code's
//! own files, and an inspector for people who use them and people who write them.
//!
//! - `types`: the API's shapes (shared with the browser)
//! - `config` (server, core): reads and edits `.claude.json` and `.mcp.json` in place
//! - `client` (server, core): one connection to a server (rmcp), `log` its log
//! - `inspector` (server): the live connections, what each server offers, calls
//! - `service` (server): the servers (list, add, change, remove, validate, mask);
//!   `develop`: test, connect, rebuild, scaffold
//! - `http` (server): the routes; `api`: the server functions the pages call
//! - pages: `page_ui` (the MCP page), `servers_ui` (list and form, also on the project page and
//!   in Settings), `inspector_ui` (one server), `schema_form_ui` (a tool's arguments)

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
mod develop;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod inspector;
#[cfg(feature = "ssr")]
pub mod log;
#[cfg(feature = "ssr")]
pub mod service;

mod inspector_ui;
mod page_ui;
mod schema_form_ui;
mod servers_ui;

pub use inspector_ui::McpInspectorPage;
pub use page_ui::McpPage;
pub use servers_ui::ServerList;
