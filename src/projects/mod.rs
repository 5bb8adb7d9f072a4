//! Projects: the git repositories Flotilla's agents work on.
//!
//! - `types`: the API's project types (shared with the browser)
//! - `service` (server): register / scaffold, settings, environment (secrets encrypted),
//!   CLAUDE.md; `store`: the tables; `templates`: project templates
//! - `http` (server): the routes

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod templates;

use crate::ui::ComingSoon;
use leptos::prelude::*;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Projects"
            icon="folder-git-2"
            summary="The git repositories your agents work on, each agent in a worktree of its own."
            plans=&[
                "Register an existing repository or scaffold one from a template.",
                "Worktrees per agent, with setup scripts, drift detection and cleanup.",
                "Status, diffs, commits drafted by Claude, branches and pull requests.",
            ]
        />
    }
}
