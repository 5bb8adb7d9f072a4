//! Projects: the git repositories Flotilla's agents work on.
//!
//! - `types`: the API's project types (shared with the browser)
//! - `service` (server): register / scaffold, settings, environment (secrets encrypted),
//!   CLAUDE.md; `store`: the tables; `templates`: project templates
//! - `http` (server): the routes; `api`: the server functions the pages call
//! - `pages_ui`, `settings_ui`: the pages

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
mod mcp_templates;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod templates;

mod pages_ui;
mod settings_ui;

pub use pages_ui::{ProjectPage, ProjectsPage};
