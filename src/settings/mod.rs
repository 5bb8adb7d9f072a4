//! Settings of this Flotilla installation.

use crate::ui::ComingSoon;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Settings"
            icon="settings"
            summary="How this Flotilla installation runs Claude Code."
            plans=&[
                "Defaults for new instances: model, permission mode, limits.",
                "API tokens, users and the audit log.",
                "Backup and restore of the data directory.",
            ]
        />
    }
}
