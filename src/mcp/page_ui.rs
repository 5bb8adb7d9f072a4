//! The Mcp page.

use crate::ui::ComingSoon;
use leptos::prelude::*;

#[component]
pub fn McpPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="MCP servers"
            icon="plug"
            summary="The MCP servers in Claude Code's own configuration files, inspected live."
            plans=&[
                "User, project and local scopes, read from and written to Claude Code's files.",
                "Connect to a server and list its tools, prompts and resources.",
                "See which instances use which servers.",
            ]
        />
    }
}
