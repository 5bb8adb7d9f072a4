//! The instance status badge.

use super::Icon;
use crate::instances::types::InstanceStatus;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<InstanceStatus>) -> impl IntoView {
    let class = move || {
        let tone = match status.get() {
            InstanceStatus::Idle => "badge-ok",
            InstanceStatus::Running | InstanceStatus::Starting => "badge-info",
            InstanceStatus::WaitingPermission | InstanceStatus::Restarting => "badge-warn",
            InstanceStatus::Failed => "badge-error",
            InstanceStatus::Stopped => "badge-muted",
        };
        format!("badge {tone}")
    };
    let busy = move || {
        matches!(
            status.get(),
            InstanceStatus::Running | InstanceStatus::Starting | InstanceStatus::Restarting
        )
    };
    view! {
        <span class=class data-testid="status-badge" data-status=move || status.get().as_str()>
            <Show when=busy>
                <Icon name="loader-circle" class="size-3.5 animate-spin"/>
            </Show>
            <Show when=move || status.get() == InstanceStatus::WaitingPermission>
                <Icon name="shield-question" class="size-3.5"/>
            </Show>
            {move || status.get().label()}
        </span>
    }
}
