//! Analytics: where the money and the tokens went, from the session index.
//!
//! - `types`: the API's shapes (shared with the browser)
//! - `report` (server, the core: no Leptos, no database, no clock): sums the index's usage rows
//!   by day, model, project, worktree and session, the plan-usage windows, CSV
//! - `service` (server): places the index's sessions and hands them to `report`
//! - `http` (server): the routes; `api`: the server function the page calls
//! - `page_ui`: the Analytics page; `charts_ui`: charts drawn by Chart.js through `/charts.js`

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod report;
#[cfg(feature = "ssr")]
pub mod service;

mod charts_ui;
mod page_ui;

pub use page_ui::AnalyticsPage;
