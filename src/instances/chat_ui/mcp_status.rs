//! The MCP servers this instance's Claude Code has, as its newest init line says: each one's
//! status and tools, under the header.

use super::ChatContext;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn McpStatusBar() -> impl IntoView {
    let chat = expect_context::<ChatContext>().chat;
    let servers = move || chat.with(|m| m.mcp.clone());
    view! {
        <Show when=move || chat.with(|m| !m.mcp.is_empty())>
            <details class="mt-2 text-sm" data-testid="mcp-status">
                <summary class="cursor-pointer text-muted">
                    "MCP: "
                    {move || servers().into_iter().map(|s| {
                        let ok = s.status == "connected";
                        view! {
                            <span class=if ok { "badge badge-ok mr-1" } else { "badge badge-error mr-1" } data-testid="mcp-server-status">
                                {format!("{} {}", s.name, s.status)}
                            </span>
                        }
                    }).collect_view()}
                </summary>
                <ul class="mt-1 grid gap-1 pl-4">
                    {move || servers().into_iter().map(|s| view! {
                        <li>
                            <span class="font-mono">{s.name.clone()}</span>
                            <span class="text-muted">{format!(" · {} tool(s): ", s.tools.len())}</span>
                            <span class="font-mono text-xs">{s.tools.join(", ")}</span>
                        </li>
                    }).collect_view()}
                    <li><A href="/mcp" attr:class="text-xs underline">"Configure MCP servers"</A></li>
                </ul>
            </details>
        </Show>
    }
}
