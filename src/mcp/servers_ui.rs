//! The configured MCP servers by scope, each with Inspect, Test, Edit and Remove, and the form
//! that adds or changes one. On the MCP page, in Settings and (one project's) on a project page.

use super::api::{
    mcp_connections, mcp_servers, remove_mcp_server, save_mcp_server, test_mcp_server,
};
use super::types::{
    ConnectionState, ConnectionSummary, McpServer, McpServerInput, Scope, TestResult, Transport,
    MASK,
};
use crate::projects::api::list_projects;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::BTreeMap;

const SCOPES: [(Scope, &str, &str); 3] = [
    (Scope::User, "User", "Every folder, for you: ~/.claude.json"),
    (
        Scope::Local,
        "Local",
        "One folder, for you only: ~/.claude.json, under that folder",
    ),
    (
        Scope::Project,
        "Project",
        "One folder, shared with whoever checks it out: its .mcp.json",
    ),
];

/// The servers (all, or those a session in `project` gets), with an Add button.
#[component]
pub fn ServerList(#[prop(optional, into)] project: Option<String>) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let adding = RwSignal::new(false);
    let scope = project.clone();
    let servers = Resource::new(move || (scope.clone(), tick.get()), |(p, _)| mcp_servers(p));
    let refresh = Callback::new(move |_| tick.update(|t| *t += 1));
    let for_project = project.clone();
    let connections = RwSignal::new(Vec::<ConnectionSummary>::new());
    follow_connections(connections);
    view! {
        <div class="grid gap-4" data-testid="mcp-servers">
            <div class="flex flex-wrap items-center gap-2">
                <p class="flex-1 text-sm text-muted">"Claude Code reads these files itself: a server added here is what "<code>"claude mcp list"</code>" shows, and one added there shows here."</p>
                <button type="button" class="btn btn-primary" data-testid="add-mcp-server" on:click=move |_| adding.update(|a| *a = !*a)>
                    <Icon name="plus" class="size-4"/>"Add server"
                </button>
            </div>
            <Show when=move || adding.get()>
                <ServerForm server=None project=for_project.clone()
                    on_done=Callback::new(move |saved: bool| { adding.set(false); if saved { refresh.run(()); } })/>
            </Show>
            <Transition fallback=|| view! { <p class="text-muted">"Reading the configuration…"</p> }>
                {move || Suspend::new(async move {
                    match servers.await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => {
                            let problems = list.problems.clone();
                            let empty = list.servers.is_empty();
                            view! {
                                {problems.into_iter().map(|p| view! {
                                    <p class="alert alert-error" role="alert" data-testid="mcp-problem">
                                        <span class="font-mono">{p.file}</span>": "{p.message}
                                    </p>
                                }).collect_view()}
                                {empty.then(|| view! {
                                    <div class="card flex flex-col items-center gap-2 py-8 text-center" data-testid="no-mcp-servers">
                                        <Icon name="plug" class="size-10 text-muted"/>
                                        <p class="font-semibold">"No MCP server configured"</p>
                                        <p class="max-w-md text-sm text-muted">"Add one, or make a new one from a template, and Claude Code gets its tools."</p>
                                    </div>
                                })}
                                {SCOPES.iter().map(|(scope, label, about)| {
                                    let here: Vec<McpServer> = list.servers.iter().filter(|s| s.scope == *scope).cloned().collect();
                                    (!here.is_empty()).then(|| view! {
                                        <section data-testid=format!("scope-{}", scope.as_str())>
                                            <h2 class="font-medium">{*label}</h2>
                                            <p class="text-xs text-muted">{*about}</p>
                                            <ul class="mt-2 grid gap-2 lg:grid-cols-2">
                                                {here.into_iter().map(|s| {
                                                    let id = s.id.clone();
                                                    let live = Signal::derive(move || connections.with(|c| c.iter().find(|c| c.server_id == id).cloned()));
                                                    view! { <ServerCard server=s refresh live/> }
                                                }).collect_view()}
                                            </ul>
                                        </section>
                                    })
                                }).collect_view()}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

/// Browser only: the inspector's connections, read now and every 5 seconds, so each card says
/// whether its server is connected (several servers side by side, each a click from its inspector).
fn follow_connections(connections: RwSignal<Vec<ConnectionSummary>>) {
    let read = move || {
        leptos::task::spawn_local(async move {
            if let Ok(c) = mcp_connections().await {
                connections.set(c);
            }
        })
    };
    Effect::new(move |_| {
        read();
        if let Ok(handle) = set_interval_with_handle(read, std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The inspector's connection to one server, in a badge that opens it.
#[component]
fn LiveBadge(id: String, live: Signal<Option<ConnectionSummary>>) -> impl IntoView {
    move || {
        live.get().map(|c| {
            let (class, text) = match c.state {
                ConnectionState::Connected => (
                    "badge badge-ok hover:underline",
                    format!("connected · {} tool(s) · {} call(s)", c.tools, c.calls),
                ),
                ConnectionState::Connecting => ("badge badge-warn", "connecting…".to_string()),
                ConnectionState::Failed => ("badge badge-error hover:underline", "failed".to_string()),
                ConnectionState::Closed => ("badge badge-muted", "not connected".to_string()),
            };
            view! {
                <A href=format!("/mcp/{id}") attr:class=class attr:data-testid="mcp-live"
                    attr:title=c.error.clone().unwrap_or_else(|| "Open in the inspector".into())>{text}</A>
            }
        })
    }
}

#[component]
fn ServerCard(
    server: McpServer,
    refresh: Callback<()>,
    live: Signal<Option<ConnectionSummary>>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = server.id.clone();
    let test = Action::new(move |id: &String| test_mcp_server(id.clone()));
    let remove = Action::new(move |id: &String| remove_mcp_server(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            refresh.run(());
        }
    });
    let what = match server.transport {
        Transport::Stdio => format!(
            "{} {}",
            server.command.clone().unwrap_or_default(),
            server.args.join(" ")
        ),
        _ => server.url.clone().unwrap_or_default(),
    };
    let kind = match server.transport {
        Transport::Stdio => "stdio",
        Transport::Http => "http",
        Transport::Sse => "sse",
    };
    let secrets: Vec<String> = server
        .env
        .keys()
        .chain(server.headers.keys())
        .cloned()
        .collect();
    let (test_id, remove_id) = (id.clone(), id.clone());
    let edited = server.clone();
    let question = format!("Remove {} from {}?", server.name, server.file);
    let name = server.name.clone();
    view! {
        <li class="card grid min-w-0 gap-2 p-3" data-testid="mcp-server" data-name=server.name.clone()>
            <div class="flex flex-wrap items-baseline gap-2">
                <A href=format!("/mcp/{id}") attr:class="font-medium hover:underline" attr:data-testid="inspect-link">{name.clone()}</A>
                <span class="badge badge-muted">{kind}</span>
                <LiveBadge id=id.clone() live/>
                {server.project_name.clone().zip(server.project_id.clone()).map(|(name, pid)| view! {
                    <A href=format!("/projects/{pid}?tab=mcp") attr:class="badge badge-info hover:underline">{name}</A>
                })}
            </div>
            <p class="truncate font-mono text-xs" title=what.clone()>{what.clone()}</p>
            {server.folder.clone().filter(|_| server.project_id.is_none()).map(|f| view! {
                <p class="truncate text-xs text-muted" title=f.clone()>"in "<span class="font-mono">{f.clone()}</span></p>
            })}
            {(!secrets.is_empty()).then(|| view! {
                <p class="text-xs text-muted">"Secrets (hidden): "<span class="font-mono">{secrets.join(", ")}</span></p>
            })}
            <div class="flex flex-wrap gap-2">
                <A href=format!("/mcp/{id}") attr:class="btn btn-secondary px-2 py-1 text-sm">"Inspect"</A>
                <button type="button" class="btn btn-secondary px-2 py-1 text-sm" data-testid="test-mcp-server"
                    disabled=move || test.pending().get() on:click=move |_| { test.dispatch(test_id.clone()); }>
                    {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                </button>
                <button type="button" class="btn btn-secondary px-2 py-1 text-sm" data-testid="edit-mcp-server"
                    on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                <button type="button" class="btn btn-secondary px-2 py-1 text-sm" data-testid="remove-mcp-server"
                    on:click=move |_| confirming.set(true)>"Remove"</button>
            </div>
            {move || test.value().get().map(|r| match r {
                Ok(r) => view! { <TestOutcome result=r/> }.into_any(),
                Err(e) => view! { <p class="text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            <Show when=move || confirming.get()>
                <div class="flex flex-wrap items-center gap-2 text-sm">
                    <span>{question.clone()}</span>
                    <button type="button" class="btn btn-danger px-2 py-1" data-testid="confirm-remove"
                        disabled=move || remove.pending().get() on:click={
                            let id = remove_id.clone();
                            move |_| { remove.dispatch(id.clone()); }
                        }>"Remove"</button>
                    <button type="button" class="btn btn-secondary px-2 py-1" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <p class="text-sm text-red-600" role="alert">{e.to_string()}</p> })}
            <Show when=move || editing.get()>
                <ServerForm server=Some(edited.clone()) project=None
                    on_done=Callback::new(move |saved: bool| { editing.set(false); if saved { refresh.run(()); } })/>
            </Show>
        </li>
    }
}

#[component]
fn TestOutcome(result: TestResult) -> impl IntoView {
    let ok = result.ok;
    let text = if ok {
        format!(
            "Connected to {} in {} ms: {} tool(s).",
            result
                .server_name
                .clone()
                .unwrap_or_else(|| "the server".into()),
            result.duration_ms,
            result.tools
        )
    } else {
        result
            .error
            .clone()
            .unwrap_or_else(|| "It did not work.".into())
    };
    view! {
        <div class=if ok { "text-sm text-emerald-700 dark:text-emerald-300" } else { "text-sm text-red-600" }
            role="status" data-testid="test-outcome" data-ok=ok.to_string()>
            <p>{text}</p>
            {(!result.stderr.is_empty()).then(|| view! {
                <pre class="code-block mt-1 max-h-32 text-xs">{result.stderr.join("\n")}</pre>
            })}
        </div>
    }
}

/// Lines of `KEY=value` (or `Name: value`) as a map; a line without the separator is an error.
fn pairs(text: &str, separator: char, what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once(separator).ok_or_else(|| {
            format!("{what}: write each as NAME{separator}value (the line {line:?})")
        })?;
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

fn lines_of(map: &BTreeMap<String, String>, separator: &str) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}{separator}{v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds a server (`server` None) or changes one. `on_done(saved)`.
#[component]
fn ServerForm(
    server: Option<McpServer>,
    project: Option<String>,
    on_done: Callback<bool>,
) -> impl IntoView {
    let editing = server.clone();
    let s = server.clone();
    let name = RwSignal::new(s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let scope = RwSignal::new(if project.is_some() {
        "project".to_string()
    } else {
        "local".to_string()
    });
    let project_id = RwSignal::new(project.clone().unwrap_or_default());
    let transport = RwSignal::new(
        s.as_ref()
            .map(|s| match s.transport {
                Transport::Stdio => "stdio",
                Transport::Http => "http",
                Transport::Sse => "sse",
            })
            .unwrap_or("stdio")
            .to_string(),
    );
    let command = RwSignal::new(
        s.as_ref()
            .and_then(|s| s.command.clone())
            .unwrap_or_default(),
    );
    let args = RwSignal::new(s.as_ref().map(|s| s.args.join("\n")).unwrap_or_default());
    let env = RwSignal::new(
        s.as_ref()
            .map(|s| lines_of(&s.env, "="))
            .unwrap_or_default(),
    );
    let url = RwSignal::new(s.as_ref().and_then(|s| s.url.clone()).unwrap_or_default());
    let headers = RwSignal::new(
        s.as_ref()
            .map(|s| lines_of(&s.headers, ": "))
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let projects = LocalResource::new(list_projects);
    let save = Action::new(move |(id, input): &(Option<String>, McpServerInput)| {
        save_mcp_server(id.clone(), input.clone())
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => on_done.run(true),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let id = editing.as_ref().map(|s| s.id.clone());
    let is_new = id.is_none();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let t = transport.get_untracked();
        let (env_map, header_map) = match (
            pairs(&env.get_untracked(), '=', "Environment"),
            pairs(&headers.get_untracked(), ':', "Headers"),
        ) {
            (Ok(e), Ok(h)) => (e, h),
            (Err(m), _) | (_, Err(m)) => {
                error.set(Some(m));
                return;
            }
        };
        let stdio = t == "stdio";
        let some = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let input = McpServerInput {
            name: name.get_untracked().trim().to_string(),
            scope: is_new.then(|| match scope.get_untracked().as_str() {
                "user" => Scope::User,
                "project" => Scope::Project,
                _ => Scope::Local,
            }),
            project_id: is_new.then(|| some(project_id.get_untracked())).flatten(),
            folder: None,
            transport: match t.as_str() {
                "http" => Transport::Http,
                "sse" => Transport::Sse,
                _ => Transport::Stdio,
            },
            command: if stdio {
                some(command.get_untracked())
            } else {
                None
            },
            args: if stdio {
                args.get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            } else {
                Vec::new()
            },
            env: if stdio { env_map } else { BTreeMap::new() },
            url: if stdio {
                None
            } else {
                some(url.get_untracked())
            },
            headers: if stdio { BTreeMap::new() } else { header_map },
        };
        save.dispatch((id.clone(), input));
    };
    let title = if is_new {
        "Add an MCP server"
    } else {
        "Change the server"
    };
    view! {
        <form class="card grid gap-3" data-testid="mcp-server-form" on:submit=submit>
            <h3 class="font-medium">{title}</h3>
            <div class="grid gap-3 sm:grid-cols-2">
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Name (letters, digits, - and _)"</span>
                    <input class="input font-mono" required pattern="[A-Za-z0-9_\\-]{1,64}" bind:value=name data-testid="mcp-name"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Transport"</span>
                    <select class="input" bind:value=transport data-testid="mcp-transport">
                        <option value="stdio">"stdio: a program Claude Code starts"</option>
                        <option value="http">"http: streamable HTTP at a URL"</option>
                        <option value="sse">"sse: server-sent events (older)"</option>
                    </select>
                </label>
                {is_new.then(|| view! {
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"Scope"</span>
                        <select class="input" bind:value=scope data-testid="mcp-scope">
                            <option value="local">"Local: one project, only you"</option>
                            <option value="project">"Project: its .mcp.json, shared"</option>
                            <option value="user">"User: every folder"</option>
                        </select>
                    </label>
                    <Show when=move || scope.get() != "user">
                        <label class="grid gap-1 text-sm">
                            <span class="text-muted">"Project"</span>
                            <select class="input" bind:value=project_id data-testid="mcp-project" required>
                                <option value="">"Choose a project"</option>
                                {move || projects.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| view! {
                                    <option value=p.id.clone()>{p.name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                })}
            </div>
            <Show when=move || transport.get() == "stdio"
                fallback=move || view! {
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"URL"</span>
                        <input class="input font-mono" type="url" placeholder="https://example.com/mcp" bind:value=url data-testid="mcp-url"/>
                    </label>
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"Headers, one a line (Name: value); hidden ones show as "{MASK}" and stay as they are"</span>
                        <textarea class="input min-h-16 font-mono text-xs" bind:value=headers data-testid="mcp-headers"></textarea>
                    </label>
                }>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Command (a path, or a program on the PATH)"</span>
                    <input class="input font-mono" placeholder="npx" bind:value=command data-testid="mcp-command"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Arguments, one a line"</span>
                    <textarea class="input min-h-16 font-mono text-xs" bind:value=args data-testid="mcp-args"></textarea>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Environment, one a line (KEY=value); hidden ones show as "{MASK}" and stay as they are"</span>
                    <textarea class="input min-h-16 font-mono text-xs" bind:value=env data-testid="mcp-env"></textarea>
                </label>
            </Show>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert" data-testid="mcp-form-error">{e}</p> })}
            <div class="flex gap-2">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get() data-testid="mcp-save">
                    {if is_new { "Add" } else { "Save" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_done.run(false)>"Cancel"</button>
            </div>
        </form>
    }
}
