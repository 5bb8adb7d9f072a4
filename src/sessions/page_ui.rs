//! The Sessions page.

use crate::ui::ComingSoon;
use leptos::prelude::*;

#[component]
pub fn SessionsPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Sessions"
            icon="history"
            summary="Every conversation Claude Code has had on this machine, searchable and replayable."
            plans=&[
                "Transcripts from ~/.claude/projects indexed, with cost counted once per API message.",
                "Replay, fork and resume a session in a new instance.",
                "Export and import.",
            ]
        />
    }
}
