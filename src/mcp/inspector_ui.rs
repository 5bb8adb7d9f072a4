//! One MCP server in the inspector: connect (or rebuild and reconnect), its tools with a form
//! made from each one's schema and the history of calls, its resources and resource templates,
//! its prompts, and the JSON-RPC log beside the server's stderr, followed live.

use super::api::{
    call_mcp_tool, connect_mcp_server, disconnect_mcp_server, get_mcp_prompt, inspect_mcp_server,
    mcp_log, read_mcp_resource, read_mcp_server, rebuild_mcp_server,
};
use super::schema_form_ui::SchemaForm;
use super::types::{
    CallRecord, ConnectionState, Discovery, Inspection, LogEntry, McpServer, ResourcePart,
};
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

/// Log entries kept on the page.
const LOG_KEPT: usize = 2_000;

#[component]
pub fn McpInspectorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let server = Resource::new(id, read_mcp_server);
    view! {
        <Suspense fallback=|| view! { <p class="text-muted">"Loading the server…"</p> }>
            {move || Suspend::new(async move {
                match server.await {
                    Ok(s) => view! { <Inspector server=s/> }.into_any(),
                    Err(e) => view! {
                        <Title text="MCP server not found"/>
                        <section class="mx-auto max-w-xl py-12 text-center">
                            <h1 class="page-title">"MCP server not found"</h1>
                            <p class="mt-2 text-muted">{e.to_string()}</p>
                            <A href="/mcp" attr:class="btn btn-primary mt-6 inline-flex">"All MCP servers"</A>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Inspector(server: McpServer) -> impl IntoView {
    let id = server.id.clone();
    let inspection = RwSignal::new(None::<Inspection>);
    let log = RwSignal::new(Vec::<LogEntry>::new());
    let tab = RwSignal::new("tools".to_string());
    let failed = RwSignal::new(None::<String>);
    let calls = RwSignal::new(Vec::<CallRecord>::new());
    let apply = move |i: Inspection| {
        log.update(|l| {
            let last = l.last().map_or(0, |e| e.seq);
            l.extend(i.log.iter().filter(|e| e.seq > last).cloned());
        });
        calls.set(i.calls.clone());
        inspection.set(Some(i));
    };
    // What the tabs show changes only when the server's offer does (not with every call).
    let discovery =
        Memo::new(move |_| inspection.with(|i| i.as_ref().and_then(|i| i.discovery.clone())));
    let act = Action::new(move |(what, id): &(&'static str, String)| {
        let (what, id) = (*what, id.clone());
        async move {
            match what {
                "connect" => connect_mcp_server(id).await,
                "rebuild" => rebuild_mcp_server(id).await,
                "disconnect" => disconnect_mcp_server(id).await,
                _ => inspect_mcp_server(id).await,
            }
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(i)) => {
            failed.set(None);
            apply(i)
        }
        Some(Err(e)) => failed.set(Some(e.to_string())),
        None => {}
    });
    // Browser only: the state as it is, a rebuild when the page was opened for one, and the log
    // followed every second.
    let url = use_query_map();
    let first = id.clone();
    Effect::new(move |done: Option<()>| {
        if done.is_none() {
            let build = url.with_untracked(|q| q.get("build").is_some());
            act.dispatch((if build { "rebuild" } else { "inspect" }, first.clone()));
        }
    });
    let poll_id = id.clone();
    Effect::new(move |_| {
        let poll_id = poll_id.clone();
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let since = log.with_untracked(|l| l.last().map_or(0, |e| e.seq));
                let id = poll_id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(entries) = mcp_log(id, since).await {
                        if !entries.is_empty() {
                            log.update(|l| {
                                let last = l.last().map_or(0, |e| e.seq);
                                l.extend(entries.into_iter().filter(|e| e.seq > last));
                                let extra = l.len().saturating_sub(LOG_KEPT);
                                l.drain(..extra);
                            });
                        }
                    }
                });
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let what = match &server.url {
        Some(url) => url.clone(),
        None => format!(
            "{} {}",
            server.command.clone().unwrap_or_default(),
            server.args.join(" ")
        ),
    };
    let has_folder = server.project_id.is_some();
    let (c, r, d) = (id.clone(), id.clone(), id.clone());
    let state =
        move || inspection.with(|i| i.as_ref().map_or(ConnectionState::Closed, |i| i.state));
    let busy = act.pending();
    view! {
        <Title text=format!("{} · MCP", server.name)/>
        <section class="mx-auto max-w-6xl" data-testid="mcp-inspector">
            <p class="text-sm text-muted"><A href="/mcp" attr:class="hover:underline">"MCP servers"</A>" / "{server.name.clone()}</p>
            <div class="mt-1 flex flex-wrap items-center gap-3">
                <h1 class="page-title min-w-0 break-words">{server.name.clone()}</h1>
                <span class="badge badge-muted">{server.scope.as_str()}</span>
                <StateBadge state=Signal::derive(state) busy/>
                <div class="ml-auto flex flex-wrap gap-2">
                    <button type="button" class="btn btn-primary" data-testid="connect" disabled=busy
                        on:click=move |_| { act.dispatch(("connect", c.clone())); }>
                        <Icon name="plug" class="size-4"/>
                        {move || if state() == ConnectionState::Connected { "Reconnect" } else { "Connect" }}
                    </button>
                    {has_folder.then(|| view! {
                        <button type="button" class="btn btn-secondary" data-testid="rebuild" disabled=busy
                            title="Build its folder again (cargo, pip or npm) and reconnect"
                            on:click=move |_| { act.dispatch(("rebuild", r.clone())); }>"Rebuild and reconnect"</button>
                    })}
                    {server.project_id.clone().map(|pid| view! {
                        <A href=format!("/projects/{pid}?tab=files") attr:class="btn btn-secondary" attr:data-testid="edit-files"
                            attr:title="Its project's files, in the explorer">"Edit files"</A>
                    })}
                    <button type="button" class="btn btn-secondary" data-testid="disconnect"
                        disabled=move || busy.get() || state() != ConnectionState::Connected
                        on:click=move |_| { act.dispatch(("disconnect", d.clone())); }>"Disconnect"</button>
                </div>
            </div>
            <p class="mt-1 truncate font-mono text-xs text-muted" title=what.clone()>{what.clone()}</p>
            {move || failed.get().map(|e| view! { <p class="alert alert-error mt-3" role="alert">{e}</p> })}
            {move || inspection.get().and_then(|i| i.error).map(|e| view! {
                <p class="alert alert-error mt-3 whitespace-pre-wrap break-words" role="alert" data-testid="inspector-error">{e}</p>
            })}
            {move || discovery.get().map(|d| view! { <ServerInfo discovery=d/> })}
            <nav class="mt-4 flex gap-1 overflow-x-auto border-b border-base" aria-label="Inspector sections">
                {[("tools", "Tools"), ("resources", "Resources"), ("prompts", "Prompts"), ("log", "Log and stderr")].into_iter().map(|(key, label)| view! {
                    <button type="button" class="tab" aria-current=move || (tab.get() == key).then_some("page")
                        data-testid=format!("tab-{key}") on:click=move |_| tab.set(key.to_string())>{label}</button>
                }).collect_view()}
            </nav>
            <div class="mt-4">
                {move || {
                    let d = discovery.get();
                    let id = id.clone();
                    match tab.get().as_str() {
                        "log" => view! { <LogView log/> }.into_any(),
                        _ if d.is_none() => view! {
                            <p class="card text-sm text-muted" data-testid="not-connected">"Connect to see what the server offers."</p>
                        }.into_any(),
                        "resources" => view! { <Resources id discovery=d.unwrap_or_default()/> }.into_any(),
                        "prompts" => view! { <Prompts id discovery=d.unwrap_or_default()/> }.into_any(),
                        _ => view! { <Tools id discovery=d.unwrap_or_default() calls/> }.into_any(),
                    }
                }}
            </div>
        </section>
    }
}

#[component]
fn StateBadge(state: Signal<ConnectionState>, busy: Memo<bool>) -> impl IntoView {
    view! {
        <span data-testid="connection-state" class=move || match (busy.get(), state.get()) {
            (true, _) => "badge badge-warn",
            (_, ConnectionState::Connected) => "badge badge-ok",
            (_, ConnectionState::Failed) => "badge badge-error",
            _ => "badge badge-muted",
        }>
            {move || match (busy.get(), state.get()) {
                (true, _) => "working…",
                (_, ConnectionState::Connected) => "connected",
                (_, ConnectionState::Connecting) => "connecting",
                (_, ConnectionState::Failed) => "failed",
                (_, ConnectionState::Closed) => "not connected",
            }}
        </span>
    }
}

#[component]
fn ServerInfo(discovery: Discovery) -> impl IntoView {
    let d = discovery;
    view! {
        <div class="card mt-3 text-sm" data-testid="server-info">
            <p>
                <span class="font-medium">{d.server_name.clone().unwrap_or_else(|| "(no name)".into())}</span>
                " " {d.server_version.clone().unwrap_or_default()}
                <span class="text-muted">{format!(" · protocol {}", d.protocol_version.clone().unwrap_or_default())}</span>
                <span class="text-muted">{format!(" · {} tool(s), {} resource(s), {} template(s), {} prompt(s)", d.tools.len(), d.resources.len(), d.templates.len(), d.prompts.len())}</span>
            </p>
            {d.instructions.clone().map(|i| view! { <details class="mt-1"><summary class="cursor-pointer text-muted">"Instructions"</summary><pre class="code-block mt-1 max-h-48 whitespace-pre-wrap">{i}</pre></details> })}
            {d.errors.iter().map(|(what, why)| view! { <p class="text-red-600">{format!("Could not list its {what}: {why}")}</p> }).collect_view()}
        </div>
    }
}

#[component]
fn Tools(id: String, discovery: Discovery, calls: RwSignal<Vec<CallRecord>>) -> impl IntoView {
    let selected = RwSignal::new(discovery.tools.first().map(|t| t.name.clone()));
    let tools = discovery.tools.clone();
    let call = Action::new(
        move |(id, tool, args): &(String, String, serde_json::Map<String, serde_json::Value>)| {
            call_mcp_tool(id.clone(), tool.clone(), args.clone())
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(record)) = call.value().get() {
            calls.update(|c| c.push(record));
        }
    });
    let list = tools.clone();
    view! {
        <div class="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]" data-testid="tools">
            <ul class="card grid content-start gap-1 p-2">
                {(list.is_empty()).then(|| view! { <li class="p-2 text-sm text-muted">"No tools."</li> })}
                {list.into_iter().map(|t| {
                    let name = t.name.clone();
                    let current = name.clone();
                    view! {
                        <li>
                            <button type="button" class="w-full rounded px-2 py-1 text-left text-sm hover:bg-surface-2"
                                class:font-semibold=move || selected.get().as_deref() == Some(current.as_str())
                                data-testid="tool" data-name=name.clone() on:click=move |_| selected.set(Some(name.clone()))>
                                <span class="font-mono">{t.name.clone()}</span>
                                {t.description.clone().map(|d| view! { <span class="block truncate text-xs text-muted">{d}</span> })}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="grid content-start gap-4">
                {move || selected.get().and_then(|name| tools.iter().find(|t| t.name == name).cloned()).map(|t| {
                    let (id, name) = (id.clone(), t.name.clone());
                    view! {
                        <section class="card" data-testid="tool-panel">
                            <h2 class="font-mono font-medium">{t.name.clone()}</h2>
                            {t.description.clone().map(|d| view! { <p class="mt-1 whitespace-pre-wrap text-sm text-muted">{d}</p> })}
                            <div class="mt-3">
                                <SchemaForm schema=t.input_schema.clone() pending=call.pending()
                                    on_submit=Callback::new(move |args| { call.dispatch((id.clone(), name.clone(), args)); })/>
                            </div>
                            <details class="mt-3 text-xs">
                                <summary class="cursor-pointer text-muted">"Input schema"</summary>
                                <pre class="code-block mt-1 max-h-64">{serde_json::to_string_pretty(&t.input_schema).unwrap_or_default()}</pre>
                            </details>
                        </section>
                    }
                })}
                {move || call.value().get().map(|r| match r {
                    Ok(record) => view! { <CallView record/> }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert" data-testid="call-error">{e.to_string()}</p> }.into_any(),
                })}
                <History calls=calls/>
            </div>
        </div>
    }
}

/// A call's result: its content blocks (text as text, images shown, the rest as JSON).
#[component]
fn CallView(record: CallRecord) -> impl IntoView {
    let blocks = record
        .result
        .as_ref()
        .and_then(|r| r["content"].as_array().cloned())
        .unwrap_or_default();
    let structured = record
        .result
        .as_ref()
        .and_then(|r| r.get("structuredContent").cloned());
    view! {
        <section class="card" data-testid="call-result" data-error=record.is_error.to_string()>
            <div class="flex flex-wrap items-baseline gap-2">
                <h3 class="font-medium">"Result"</h3>
                <span class=if record.is_error { "badge badge-error" } else { "badge badge-ok" }>{if record.is_error { "error" } else { "ok" }}</span>
                <span class="text-xs text-muted">{format!("{} ms", record.duration_ms)}</span>
            </div>
            {record.error.clone().map(|e| view! { <p class="mt-2 text-sm text-red-600">{e}</p> })}
            <div class="mt-2 grid gap-2">
                {blocks.into_iter().map(|b| match b["type"].as_str() {
                    Some("text") => view! { <pre class="code-block whitespace-pre-wrap" data-testid="result-text">{b["text"].as_str().unwrap_or("").to_string()}</pre> }.into_any(),
                    Some("image") => {
                        let mime = b["mimeType"].as_str().unwrap_or("image/png");
                        // Only image types: a data URL of anything else is not shown.
                        let src = mime.starts_with("image/").then(|| format!("data:{mime};base64,{}", b["data"].as_str().unwrap_or("")));
                        view! { {src.map(|src| view! { <img class="max-h-64 max-w-full rounded border border-base" alt="An image the tool returned" src=src/> })} }.into_any()
                    }
                    _ => view! { <pre class="code-block max-h-64">{serde_json::to_string_pretty(&b).unwrap_or_default()}</pre> }.into_any(),
                }).collect_view()}
                {structured.map(|s| view! {
                    <details open><summary class="cursor-pointer text-xs text-muted">"Structured content"</summary>
                        <pre class="code-block mt-1 max-h-64">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre></details>
                })}
            </div>
        </section>
    }
}

#[component]
fn History(calls: RwSignal<Vec<CallRecord>>) -> impl IntoView {
    view! {
        <Show when=move || calls.with(|c| !c.is_empty())>
            <details class="card" data-testid="call-history">
                <summary class="cursor-pointer font-medium">{move || format!("History ({} call(s))", calls.with(Vec::len))}</summary>
                <ul class="mt-2 grid gap-1 text-xs">
                    {move || calls.get().into_iter().rev().map(|c| view! {
                        <li class="flex flex-wrap gap-2 border-b border-base py-1">
                            <span class="text-muted">{c.at.get(11..19).unwrap_or("").to_string()}</span>
                            <span class="font-mono">{c.tool.clone()}</span>
                            <span class="min-w-0 flex-1 truncate font-mono text-muted">{c.arguments.to_string()}</span>
                            <span class=if c.is_error { "text-red-600" } else { "" }>{if c.is_error { "error" } else { "ok" }}</span>
                            <span class="text-muted">{format!("{} ms", c.duration_ms)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </Show>
    }
}

#[component]
fn Resources(id: String, discovery: Discovery) -> impl IntoView {
    let read =
        Action::new(move |(id, uri): &(String, String)| read_mcp_resource(id.clone(), uri.clone()));
    let uri = RwSignal::new(String::new());
    let read_id = id.clone();
    let go = move |u: String| {
        uri.set(u.clone());
        read.dispatch((read_id.clone(), u));
    };
    let go_template = go.clone();
    view! {
        <div class="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]" data-testid="resources">
            <div class="grid content-start gap-3">
                <ul class="card grid gap-1 p-2">
                    {discovery.resources.is_empty().then(|| view! { <li class="p-2 text-sm text-muted">"No resources."</li> })}
                    {discovery.resources.into_iter().map(|r| {
                        let go = go.clone();
                        let u = r.uri.clone();
                        view! {
                            <li>
                                <button type="button" class="w-full rounded px-2 py-1 text-left text-sm hover:bg-surface-2" data-testid="resource"
                                    on:click=move |_| go(u.clone())>
                                    <span>{r.name.clone()}</span>
                                    <span class="block truncate font-mono text-xs text-muted">{r.uri.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(!discovery.templates.is_empty()).then(|| view! {
                    <section class="card p-2">
                        <h3 class="px-2 text-sm font-medium">"Resource templates"</h3>
                        <ul class="mt-1 grid gap-2">
                            {discovery.templates.into_iter().map(|t| view! { <TemplateRow template=t.uri_template name=t.name go=go_template.clone()/> }).collect_view()}
                        </ul>
                    </section>
                })}
            </div>
            <section class="card min-w-0" data-testid="resource-view">
                {move || {
                    let u = uri.get();
                    if u.is_empty() {
                        return view! { <p class="text-sm text-muted">"Pick a resource to read it."</p> }.into_any();
                    }
                    view! {
                        <h3 class="break-all font-mono text-sm">{u}</h3>
                        {move || match read.value().get() {
                            None => view! { <p class="mt-2 text-sm text-muted">"Reading…"</p> }.into_any(),
                            Some(Err(e)) => view! { <p class="mt-2 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                            Some(Ok(parts)) => view! { <div class="mt-2 grid gap-2">{parts.into_iter().map(|p| view! { <Part part=p/> }).collect_view()}</div> }.into_any(),
                        }}
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// A resource template with a field per `{variable}`, read once filled in.
#[component]
fn TemplateRow(
    template: String,
    name: String,
    go: impl Fn(String) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let names: Vec<String> = template
        .split('{')
        .skip(1)
        .filter_map(|s| {
            s.split_once('}').map(|(v, _)| {
                v.trim_start_matches(['+', '#', '?', '&', '/', '.', ';'])
                    .to_string()
            })
        })
        .collect();
    let values: Vec<(String, RwSignal<String>)> = names
        .into_iter()
        .map(|n| (n, RwSignal::new(String::new())))
        .collect();
    let filled = {
        let (template, values) = (template.clone(), values.clone());
        move || {
            let mut out = template.clone();
            for (n, v) in &values {
                let value = v.get_untracked();
                for pattern in [format!("{{{n}}}"), format!("{{+{n}}}")] {
                    out = out.replace(&pattern, &value);
                }
            }
            out
        }
    };
    view! {
        <li class="grid gap-1 px-2 text-sm" data-testid="resource-template">
            <span class="break-all font-mono text-xs">{template.clone()}</span>
            <span class="text-xs text-muted">{name}</span>
            <form class="flex flex-wrap gap-2" on:submit=move |ev| { ev.prevent_default(); go(filled()); }>
                {values.iter().map(|(n, v)| {
                    let v = *v;
                    view! { <input class="input w-32 py-1 text-xs" placeholder=n.clone() aria-label=n.clone() bind:value=v/> }
                }).collect_view()}
                <button type="submit" class="btn btn-secondary px-2 py-1 text-xs">"Read"</button>
            </form>
        </li>
    }
}

/// One part of a resource: text shown as text, binary offered as a download.
#[component]
fn Part(part: ResourcePart) -> impl IntoView {
    let mime = part
        .mime_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    match (part.text, part.blob) {
        (Some(text), _) => view! {
            <div>
                <p class="text-xs text-muted">{mime}</p>
                <pre class="code-block max-h-96 whitespace-pre-wrap" data-testid="resource-text">{text}</pre>
            </div>
        }
        .into_any(),
        (None, Some(blob)) => {
            let bytes = blob.len() * 3 / 4;
            let name = part.uri.rsplit('/').next().unwrap_or("resource").to_string();
            // Downloaded as bytes, never opened: application/octet-stream whatever it says it is.
            view! {
                <p class="text-sm">
                    {format!("Binary ({mime}, about {} bytes). ", bytes)}
                    <a class="underline" download=name data-testid="resource-download"
                        href=format!("data:application/octet-stream;base64,{blob}")>"Download"</a>
                </p>
            }
            .into_any()
        }
        _ => view! { <p class="text-sm text-muted">"(empty)"</p> }.into_any(),
    }
}

#[component]
fn Prompts(id: String, discovery: Discovery) -> impl IntoView {
    let selected = RwSignal::new(discovery.prompts.first().map(|p| p.name.clone()));
    let prompts = discovery.prompts.clone();
    let get = Action::new(
        move |(id, name, args): &(String, String, BTreeMap<String, String>)| {
            get_mcp_prompt(id.clone(), name.clone(), args.clone())
        },
    );
    let list = prompts.clone();
    view! {
        <div class="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]" data-testid="prompts">
            <ul class="card grid content-start gap-1 p-2">
                {list.is_empty().then(|| view! { <li class="p-2 text-sm text-muted">"No prompts."</li> })}
                {list.into_iter().map(|p| {
                    let name = p.name.clone();
                    view! {
                        <li><button type="button" class="w-full rounded px-2 py-1 text-left text-sm hover:bg-surface-2" data-testid="prompt"
                            on:click=move |_| selected.set(Some(name.clone()))>
                            <span class="font-mono">{p.name.clone()}</span>
                            {p.description.clone().map(|d| view! { <span class="block truncate text-xs text-muted">{d}</span> })}
                        </button></li>
                    }
                }).collect_view()}
            </ul>
            <div class="grid content-start gap-4">
                {move || selected.get().and_then(|n| prompts.iter().find(|p| p.name == n).cloned()).map(|p| {
                    let values: Vec<(String, bool, RwSignal<String>)> = p.arguments.iter().map(|a| (a.name.clone(), a.required, RwSignal::new(String::new()))).collect();
                    let (id, name, vals) = (id.clone(), p.name.clone(), values.clone());
                    view! {
                        <form class="card grid gap-3" data-testid="prompt-form" on:submit=move |ev| {
                            ev.prevent_default();
                            let args = vals.iter().map(|(n, _, v)| (n.clone(), v.get_untracked())).filter(|(_, v)| !v.is_empty()).collect();
                            get.dispatch((id.clone(), name.clone(), args));
                        }>
                            <h2 class="font-mono font-medium">{p.name.clone()}</h2>
                            {values.into_iter().map(|(n, required, v)| view! {
                                <label class="grid gap-1 text-sm">
                                    <span class="font-mono text-xs">{format!("{n}{}", if required { " *" } else { "" })}</span>
                                    <input class="input" bind:value=v required=required data-field=n.clone()/>
                                </label>
                            }).collect_view()}
                            <div><button type="submit" class="btn btn-primary" disabled=move || get.pending().get()>"Get prompt"</button></div>
                        </form>
                    }
                })}
                {move || get.value().get().map(|r| match r {
                    Ok(p) => view! {
                        <section class="card" data-testid="prompt-result">
                            {p.description.clone().map(|d| view! { <p class="text-sm text-muted">{d}</p> })}
                            <pre class="code-block mt-2 max-h-96 whitespace-pre-wrap">{serde_json::to_string_pretty(&p.messages).unwrap_or_default()}</pre>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </div>
        </div>
    }
}

/// The JSON-RPC exchange and notes beside the server's stderr.
#[component]
fn LogView(log: RwSignal<Vec<LogEntry>>) -> impl IntoView {
    let row = |e: &LogEntry| {
        let (badge, class) = match e.kind.as_str() {
            "sent" => ("→", "text-blue-600 dark:text-blue-300"),
            "received" => ("←", "text-emerald-700 dark:text-emerald-300"),
            _ => ("·", "text-muted"),
        };
        view! {
            <li class="flex gap-2 border-b border-base py-0.5" data-kind=e.kind.clone()>
                <span class="shrink-0 text-muted">{e.at.get(11..23).unwrap_or("").to_string()}</span>
                <span class=format!("shrink-0 {class}")>{badge}</span>
                <span class="min-w-0 whitespace-pre-wrap break-all">{e.text.clone()}</span>
            </li>
        }
    };
    view! {
        <div class="grid gap-4 lg:grid-cols-2" data-testid="log">
            <section class="card min-w-0">
                <h2 class="font-medium">"JSON-RPC"</h2>
                <ul class="mt-2 max-h-[60vh] overflow-y-auto font-mono text-xs" data-testid="rpc-log">
                    {move || log.with(|l| l.iter().filter(|e| e.kind != "stderr").map(row).collect_view())}
                </ul>
            </section>
            <section class="card min-w-0">
                <h2 class="font-medium">"Server stderr"</h2>
                <ul class="mt-2 max-h-[60vh] overflow-y-auto font-mono text-xs" data-testid="stderr-log">
                    {move || log.with(|l| l.iter().filter(|e| e.kind == "stderr").map(row).collect_view())}
                </ul>
            </section>
        </div>
    }
}
