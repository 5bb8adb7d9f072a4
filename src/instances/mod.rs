//! Instances: supervised Claude Code processes and their live streams.
//!
//! - `types`: the API's instance types (shared with the browser)
//! - `codec`: the CLI's stream-json protocol (shared with the browser)
//! - `api`: server functions the pages call
//! - `dashboard_ui`, `new_instance_ui`, `chat_ui`: the pages (`chat_ui/model` is the chat's
//!   state, plain code the server and the browser share)
//! - `engine` (server only): supervisor, processes, event store, bus
//! - `http` (server only): REST and WebSocket routes

pub mod api;
pub mod chat_ui;
pub mod codec;
mod dashboard_ui;
pub mod new_instance_ui;
pub mod types;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod http;

pub use chat_ui::{ChatPage, ChatReplay};
pub use dashboard_ui::DashboardPage;
