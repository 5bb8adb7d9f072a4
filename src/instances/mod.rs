//! Instances: supervised Claude Code processes and their live streams.
//!
//! - `types`: the API's instance types (shared with the browser)
//! - `codec`: the CLI's stream-json protocol (shared with the browser)
//! - `api`: server functions the pages call
//! - `dashboard`, `chat`: the pages
//! - `engine` (server only): supervisor, processes, event store, bus
//! - `http` (server only): REST and WebSocket routes

pub mod api;
pub mod chat;
pub mod codec;
mod dashboard;
pub mod new_instance;
pub mod types;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod http;

pub use chat::ChatPage;
pub use dashboard::DashboardPage;
