//! Projects: git repositories Flotilla's agents work on (issue: projects and git).

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
