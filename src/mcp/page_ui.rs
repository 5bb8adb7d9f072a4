//! The MCP page: every configured server by scope (add, change, remove, test, inspect), and a
//! new server of your own from a template, built and opened in the inspector.

use super::api::scaffold_mcp_server;
use super::servers_ui::ServerList;
use super::types::{ScaffoldRequest, TEMPLATES};
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn McpPage() -> impl IntoView {
    let scaffolding = RwSignal::new(false);
    view! {
        <Title text="MCP servers"/>
        <section class="mx-auto max-w-6xl">
            <div class="flex flex-wrap items-start gap-3">
                <div class="min-w-0 flex-1 basis-72">
                    <h1 class="page-title">"MCP servers"</h1>
                    <p class="mt-1 text-muted">"The Model Context Protocol servers Claude Code gives your agents, where Claude Code reads them; an inspector to try their tools, resources and prompts; and a start for writing your own."</p>
                </div>
                <button type="button" class="btn btn-secondary" data-testid="scaffold-open" on:click=move |_| scaffolding.update(|s| *s = !*s)>
                    <Icon name="file-pen" class="size-4"/>"New server from a template"
                </button>
            </div>
            <Show when=move || scaffolding.get()>
                <ScaffoldForm on_close=Callback::new(move |_| scaffolding.set(false))/>
            </Show>
            <div class="mt-4"><ServerList/></div>
        </section>
    }
}

#[component]
fn ScaffoldForm(on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let template = RwSignal::new("python".to_string());
    let path = RwSignal::new(String::new());
    let navigate = use_navigate();
    let make = Action::new(move |req: &ScaffoldRequest| scaffold_mcp_server(req.clone()));
    Effect::new(move |_| {
        if let Some(Ok(made)) = make.value().get() {
            // The inspector builds it, then connects.
            navigate(
                &format!("/mcp/{}?build=1", made.server.id),
                Default::default(),
            );
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        make.dispatch(ScaffoldRequest {
            name: name.get_untracked().trim().to_string(),
            template: template.get_untracked(),
            path: Some(path.get_untracked().trim().to_string()).filter(|p| !p.is_empty()),
        });
    };
    view! {
        <form class="card mt-4 grid gap-3" data-testid="scaffold-form" on:submit=submit>
            <div class="flex items-center gap-2">
                <h2 class="font-medium">"A new MCP server"</h2>
                <button type="button" class="btn btn-secondary ml-auto px-2 py-1" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <p class="text-sm text-muted">"A project with a server that has a tool, a resource and a prompt, registered for that project (local scope). It is built and opened in the inspector; edit it in the project's Files tab, then Rebuild and reconnect."</p>
            <div class="grid gap-3 sm:grid-cols-3">
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Name"</span>
                    <input class="input font-mono" required pattern="[A-Za-z0-9_\\-]{1,64}" placeholder="my-tools" bind:value=name data-testid="scaffold-name"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Template"</span>
                    <select class="input" bind:value=template data-testid="scaffold-template">
                        {TEMPLATES.iter().map(|(t, about)| view! { <option value=*t>{*about}</option> }).collect_view()}
                    </select>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Folder (empty: in Flotilla's data folder)"</span>
                    <input class="input font-mono" placeholder="/home/you/my-tools" bind:value=path data-testid="scaffold-path"/>
                </label>
            </div>
            {move || make.value().get().and_then(Result::err).map(|e| view! { <p class="alert alert-error" role="alert" data-testid="scaffold-error">{e.to_string()}</p> })}
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || make.pending().get() data-testid="scaffold-submit">
                    {move || if make.pending().get() { "Making it…" } else { "Make it, build it, inspect it" }}
                </button>
            </div>
        </form>
    }
}
