//! The dashboard: the instances at a glance.

use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <section class="mx-auto max-w-6xl">
            <h1 class="page-title">"Dashboard"</h1>
            <p class="mt-1 text-muted">"Your Claude Code agents, live."</p>
            <div class="card mt-6 flex flex-col items-center gap-3 py-12 text-center" data-testid="empty-instances">
                <Icon name="bot" class="size-10 text-muted"/>
                <h2 class="text-lg font-semibold">"No instances yet"</h2>
                <p class="max-w-md text-muted">
                    "An instance is a Claude Code process working in a folder of its own. \
                     Start one to watch it work here as it happens."
                </p>
            </div>
        </section>
    }
}
