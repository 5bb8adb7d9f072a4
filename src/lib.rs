//! Flotilla: a self-hosted web cockpit for running many Claude Code agents at once.
//!
//! The crate is organised by feature (see ARCHITECTURE.md). Each feature folder keeps its shared
//! types, its server functions, its components and its server-only part together; everything that
//! only makes sense on the server sits behind `#[cfg(feature = "ssr")]` in one place per feature.

// The Settings page's audit panel nests deep enough in view types that the wasm build's layout
// queries pass the default limit of 128.
#![recursion_limit = "256"]

pub mod analytics;
pub mod app;
pub mod auth;
pub mod base;
pub mod error;
pub mod git;
pub mod health;
pub mod instances;
pub mod mcp;
pub mod projects;
pub mod review;
pub mod sessions;
pub mod settings;
pub mod ui;
pub mod worktrees;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the browser bundle: attaches the client to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    ui::browser::mark_hydrated();
}
