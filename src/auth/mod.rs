//! Who may drive Flotilla, and from where.
//!
//! - `types`: the API's auth types (shared with the browser)
//! - `api`: server functions of the sign-in page and the Settings sections; `pages`: sign-in
//!   and first-run pages; `settings_ui`: password, sessions, tokens; `access_ui`: access
//!   settings and the audit log
//! - server only: `access` (Host and Origin rules, pure), `guard` (the middleware every request
//!   passes), `service` (configuration, identities, access settings), `sessions` (owner,
//!   sign-in, browser sessions), `tokens` (API tokens), `audit` (the log and its middleware),
//!   `secret` (argon2id, random secrets, digests), `throttle` (sign-in), `ratelimit`
//!   (requests), `store` (tables), `http` (REST routes), `cli` (`flotilla user|token|secrets`)

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
mod ratelimit;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
mod throttle;
#[cfg(feature = "ssr")]
mod tokens;

mod access_ui;
mod pages_ui;
mod settings_ui;

pub use pages_ui::{LoginPage, SetupPage, UserMenu};
pub use settings_ui::{AccessPanel, AuditPanel, PasswordPanel, SessionsPanel, TokensPanel};

#[cfg(feature = "ssr")]
pub use service::{Auth, AuthConfig, Identity, Principal};
