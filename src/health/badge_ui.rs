//! The header badge that says whether Claude Code was found.

use super::{get_claude_status, ClaudeStatus};
use crate::base::INSTALL_HINT;
use crate::ui::Icon;
use leptos::prelude::*;

#[component]
pub fn ClaudeBadge() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_claude_status());
    view! {
        <Suspense fallback=|| view! { <span class="badge badge-muted">"Checking Claude Code…"</span> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => view! { <StatusBadge status=s/> }.into_any(),
                    Err(e) => view! {
                        <span class="badge badge-warn" title=e.to_string()>
                            <Icon name="triangle-alert" class="size-3.5"/>
                            "Status unavailable"
                        </span>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StatusBadge(status: ClaudeStatus) -> impl IntoView {
    if status.found {
        let version = status.version.unwrap_or_else(|| "unknown version".into());
        let title = format!("Claude Code {version} at {}", status.path);
        view! {
            <span class="badge badge-ok" title=title data-testid="claude-status" data-found="true">
                <Icon name="circle-check" class="size-3.5"/>
                <span class="hidden sm:inline">"Claude Code "</span>
                {version}
            </span>
        }
        .into_any()
    } else {
        let reason = status.error.unwrap_or_default();
        view! {
            <details class="relative" data-testid="claude-status" data-found="false">
                <summary class="badge badge-warn cursor-pointer list-none">
                    <Icon name="triangle-alert" class="size-3.5"/>
                    "Claude Code not found"
                </summary>
                <div class="popover right-0 w-80">
                    <p class="font-medium">"Flotilla could not run " <code>{status.path}</code> "."</p>
                    <p class="mt-1 text-xs text-muted">{reason}</p>
                    <p class="mt-2 text-sm">{INSTALL_HINT}</p>
                </div>
            </details>
        }
        .into_any()
    }
}
