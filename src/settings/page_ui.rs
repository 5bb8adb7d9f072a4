//! The Settings page.

use crate::auth::{AccessPanel, AuditPanel, PasswordPanel, SessionsPanel, TokensPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TABS: &[(&str, &str)] = &[
    ("account", "Account"),
    ("tokens", "API tokens"),
    ("access", "Access"),
    ("mcp", "MCP servers"),
    ("audit", "Audit log"),
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let query = use_query_map();
    let tab = Signal::derive(move || {
        query
            .with(|q| q.get("tab"))
            .unwrap_or_else(|| "account".into())
    });
    view! {
        <Title text="Settings"/>
        <section class="mx-auto max-w-5xl">
            <h1 class="page-title">"Settings"</h1>
            <p class="mt-1 text-muted">"Who may drive this Flotilla, what they did, and the MCP servers its agents get."</p>
            <nav class="mt-4 flex gap-1 overflow-x-auto border-b border-base" aria-label="Settings sections">
                {TABS.iter().map(|(key, label)| {
                    let key = *key;
                    view! {
                        <a href=format!("/settings?tab={key}") class="tab"
                            aria-current=move || (tab.get() == key).then_some("page")
                            data-testid=format!("settings-tab-{key}")>{*label}</a>
                    }
                }).collect_view()}
            </nav>
            <div class="mt-4 grid gap-4">
                {move || match tab.get().as_str() {
                    "tokens" => view! { <TokensPanel/> }.into_any(),
                    "access" => view! { <AccessPanel/> }.into_any(),
                    "audit" => view! { <AuditPanel/> }.into_any(),
                    "mcp" => view! { <crate::mcp::ServerList/> }.into_any(),
                    _ => view! { <PasswordPanel/> <SessionsPanel/> }.into_any(),
                }}
            </div>
        </section>
    }
}
