//! The dashboard: every instance, live, and a form to start one.

use super::api::{delete_instance, list_instances, resume_instance, stop_instance};
use super::new_instance_ui::{launch_action, NewInstanceForm};
use super::types::{Instance, InstanceStatus, ListUpdate};
use crate::base::format::{bytes, duration_ms, parse_rfc3339_ms, usd};
use crate::error::AppError;
use crate::ui::browser::now_ms;
use crate::ui::socket::{LiveSocket, SocketState};
use crate::ui::{Icon, StatusBadge};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // The server renders the list from this; in the browser the live feed takes over.
    let initial = Resource::new(|| (), |_| list_instances());
    let live: RwSignal<Option<Vec<Instance>>> = RwSignal::new(None);
    // Deleted here: never shown again, whatever arrives late.
    let deleted: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let (socket_state, set_socket_state) = signal(SocketState::Connecting);
    let now = RwSignal::new(now_ms());

    Effect::new(move |_| {
        LiveSocket::open(
            || "/ws/instances".to_string(),
            move |text| {
                if let Ok(update) = serde_json::from_str::<ListUpdate>(&text) {
                    live.update(|list| apply_update(list, update));
                }
            },
            set_socket_state,
        );
        // The uptime column ticks.
        if let Ok(handle) =
            set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    });

    // Project names for the group headings (the list renders without them until they arrive).
    let projects = Resource::new(|| (), |_| crate::projects::api::list_projects());
    let project_list = move || projects.get().and_then(Result::ok).unwrap_or_default();
    let project_names = move || {
        project_list()
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect::<Vec<_>>()
    };
    let instances = move || {
        let mut list = live.get().or_else(|| initial.get().and_then(Result::ok))?;
        deleted.with(|gone| list.retain(|i| !gone.contains(&i.id)));
        Some(place_in_projects(list, &project_list()))
    };
    let (show_form, set_show_form) = signal(false);
    let launch = launch_action();

    view! {
        <Title text="Dashboard"/>
        <section class="mx-auto max-w-6xl">
            <div class="flex flex-wrap items-center gap-3">
                <div class="flex-1">
                    <h1 class="page-title">"Dashboard"</h1>
                    <p class="mt-1 text-muted">"Your Claude Code agents, live."</p>
                </div>
                <Show when=move || socket_state.get() == SocketState::Reconnecting>
                    <span class="badge badge-warn" title="The live feed dropped; reconnecting">
                        <Icon name="wifi-off" class="size-3.5"/>
                        "Reconnecting…"
                    </span>
                </Show>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="new-instance-button"
                    on:click=move |_| set_show_form.update(|s| *s = !*s)
                >
                    <Icon name="plus" class="size-4"/>
                    "New instance"
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="mt-6 text-muted">"Loading instances…"</p> }>
                {move || Suspend::new(async move {
                    let loaded = initial.await;
                    // Awaited here so the server renders the headings the browser hydrates.
                    let _ = projects.await;
                    let error = loaded.err().map(|e| e.to_string());
                    let empty = move || instances().is_none_or(|l| l.is_empty());
                    view! {
                        {error.map(|e| view! { <p class="card mt-6 text-red-600" role="alert">"Could not load instances: " {e}</p> })}
                        <Show when=move || show_form.get() || empty()>
                            <NewInstanceForm
                                known_dirs=Signal::derive(move || known_dirs(&instances().unwrap_or_default()))
                                launch
                                on_cancel=Callback::new(move |_| set_show_form.set(false))
                            />
                        </Show>
                        <Show
                            when=move || !empty()
                            fallback=|| view! {
                                <div class="card mt-6 flex flex-col items-center gap-3 py-10 text-center" data-testid="empty-instances">
                                    <Icon name="bot" class="size-10 text-muted"/>
                                    <h2 class="text-lg font-semibold">"No instances yet"</h2>
                                    <p class="max-w-md text-muted">
                                        "An instance is a Claude Code process working in a folder of its own. \
                                         Start one above to watch it work here as it happens."
                                    </p>
                                </div>
                            }
                        >
                            <Summary instances=Signal::derive(move || instances().unwrap_or_default())/>
                            // Grouped by project; instances started on no project come last.
                            <div class="mt-4 grid gap-6" data-testid="instance-list">
                                <For each=move || groups(&instances().unwrap_or_default(), &project_names()) key=|g| g.clone() let((project_id, title))>
                                    <section data-testid="instance-group">
                                        {title.clone().map(|t| match project_id.clone() {
                                            Some(pid) => view! {
                                                <h2 class="mb-2 flex items-center gap-2 text-sm font-semibold text-muted">
                                                    <Icon name="folder-git-2" class="size-4"/>
                                                    <A href=format!("/projects/{pid}") attr:class="hover:underline">{t}</A>
                                                </h2>
                                            }.into_any(),
                                            None => view! { <h2 class="mb-2 text-sm font-semibold text-muted">{t}</h2> }.into_any(),
                                        })}
                                        <div class="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
                                            <For
                                                each={
                                                    let project_id = project_id.clone();
                                                    move || instances().unwrap_or_default().into_iter().filter(|i| i.project_id == project_id).collect::<Vec<_>>()
                                                }
                                                key=|i| i.id.clone()
                                                let(instance)
                                            >
                                                <InstanceCard
                                                    id=instance.id.clone()
                                                    instance=Signal::derive({
                                                        let id = instance.id.clone();
                                                        move || instances().and_then(|l| l.into_iter().find(|i| i.id == id))
                                                    })
                                                    now=now
                                                    on_removed=Callback::new(move |id: String| deleted.update(|d| d.push(id)))
                                                />
                                            </For>
                                        </div>
                                    </section>
                                </For>
                            </div>
                        </Show>
                    }
                })}
            </Suspense>
        </section>
    }
}

fn apply_update(list: &mut Option<Vec<Instance>>, update: ListUpdate) {
    match update {
        ListUpdate::Snapshot { instances } => *list = Some(instances),
        ListUpdate::Upsert { instance } => {
            let list = list.get_or_insert_with(Vec::new);
            match list.iter_mut().find(|i| i.id == instance.id) {
                Some(existing) => *existing = *instance,
                None => {
                    list.push(*instance);
                    list.sort_by(|a, b| a.created_at.cmp(&b.created_at));
                }
            }
        }
        ListUpdate::Removed { id } => {
            if let Some(list) = list {
                list.retain(|i| i.id != id);
            }
        }
    }
}

/// The groups of the dashboard: (project id, heading) for each project with instances, in the
/// order their first instance appears, then (None, None) for instances on no project.
fn groups(
    instances: &[Instance],
    names: &[(String, String)],
) -> Vec<(Option<String>, Option<String>)> {
    let mut out: Vec<(Option<String>, Option<String>)> = Vec::new();
    for i in instances {
        let Some(pid) = &i.project_id else { continue };
        if !out.iter().any(|(p, _)| p.as_ref() == Some(pid)) {
            let name = names
                .iter()
                .find(|(id, _)| id == pid)
                .map(|(_, n)| n.clone());
            out.push((
                Some(pid.clone()),
                Some(name.unwrap_or_else(|| "Project".into())),
            ));
        }
    }
    if instances.iter().any(|i| i.project_id.is_none()) {
        let heading = (!out.is_empty()).then(|| "No project".to_string());
        out.push((None, heading));
    }
    out
}

/// Instances started in a folder before it was registered as a project belong to that project
/// now: the one whose folder holds their working directory.
fn place_in_projects(
    mut instances: Vec<Instance>,
    projects: &[crate::projects::types::Project],
) -> Vec<Instance> {
    for i in instances.iter_mut().filter(|i| i.project_id.is_none()) {
        let inside = |p: &&crate::projects::types::Project| {
            crate::projects::types::folder_holds(&p.path, &i.cwd)
        };
        // The deepest project folder wins (a project inside another's folder).
        if let Some(p) = projects.iter().filter(inside).max_by_key(|p| p.path.len()) {
            i.project_id = Some(p.id.clone());
        }
    }
    instances
}

fn known_dirs(instances: &[Instance]) -> Vec<String> {
    let mut dirs: Vec<String> = instances.iter().map(|i| i.cwd.clone()).collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

#[component]
fn Summary(instances: Signal<Vec<Instance>>) -> impl IntoView {
    let live = move || instances.with(|l| l.iter().filter(|i| i.status.is_live()).count());
    let waiting = move || {
        instances.with(|l| {
            l.iter()
                .filter(|i| i.status == InstanceStatus::WaitingPermission)
                .count()
        })
    };
    let cost = move || instances.with(|l| l.iter().map(|i| i.cost_usd).sum::<f64>());
    let memory = move || instances.with(|l| l.iter().map(|i| i.rss_bytes).sum::<u64>());
    view! {
        <dl class="mt-6 grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="Live" value=Signal::derive(move || format!("{} of {}", live(), instances.with(Vec::len)))/>
            <Stat label="Need permission" value=Signal::derive(move || waiting().to_string())/>
            <Stat label="Total cost" value=Signal::derive(move || usd(cost()))/>
            <Stat label="Memory" value=Signal::derive(move || bytes(memory()))/>
        </dl>
    }
}

#[component]
fn Stat(label: &'static str, value: Signal<String>) -> impl IntoView {
    view! {
        <div class="card py-3">
            <dt class="text-xs font-medium uppercase tracking-wide text-muted">{label}</dt>
            <dd class="mt-1 text-lg font-semibold tabular-nums">{value}</dd>
        </div>
    }
}

#[component]
fn InstanceCard(
    id: String,
    instance: Signal<Option<Instance>>,
    now: RwSignal<i64>,
    on_removed: Callback<String>,
) -> impl IntoView {
    let field = move |f: fn(&Instance) -> String| {
        move || instance.with(|i| i.as_ref().map(f).unwrap_or_default())
    };
    let status = Signal::derive(move || {
        instance.with(|i| {
            i.as_ref()
                .map(|i| i.status)
                .unwrap_or(InstanceStatus::Stopped)
        })
    });
    let uptime = move || {
        instance.with(|i| {
            i.as_ref()
                .and_then(|i| i.started_at.as_deref().and_then(parse_rfc3339_ms))
                .map(|start| duration_ms((now.get() - start).max(0) as u64))
                .unwrap_or_else(|| "—".into())
        })
    };
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let act = {
        let id = id.clone();
        Action::new(move |what: &&'static str| {
            let id = id.clone();
            let what = *what;
            async move {
                let result: Result<(), AppError> = match what {
                    "stop" => stop_instance(id.clone()).await.map(|_| ()),
                    "resume" => resume_instance(id.clone()).await.map(|_| ()),
                    _ => delete_instance(id.clone()).await.map(|_| ()),
                };
                (what, id, result)
            }
        })
    };
    Effect::new(move |_| {
        if let Some((what, id, result)) = act.value().get() {
            match result {
                Ok(()) => {
                    error.set(None);
                    if what == "delete" {
                        on_removed.run(id);
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let pending = act.pending();
    let href = format!("/instances/{id}");

    view! {
        <article class="card flex flex-col gap-3" data-testid="instance-card" data-instance-id=id.clone()>
            <div class="flex items-start gap-2">
                <div class="min-w-0 flex-1">
                    <A href=href.clone() attr:class="block truncate font-semibold hover:underline" attr:data-testid="instance-link">
                        {field(|i| i.name.clone())}
                    </A>
                    <p class="truncate font-mono text-xs text-muted" title=field(|i| i.cwd.clone())>{field(|i| i.cwd.clone())}</p>
                </div>
                <StatusBadge status=status/>
            </div>
            <Show when=move || instance.with(|i| i.as_ref().is_some_and(|i| i.status_reason.is_some()))>
                <p class="text-xs text-muted" data-testid="status-reason">{field(|i| i.status_reason.clone().unwrap_or_default())}</p>
            </Show>
            <dl class="grid grid-cols-3 gap-x-3 gap-y-1 text-xs">
                <Metric label="Model" value=field(|i| i.model.clone().unwrap_or_else(|| "default".into()))/>
                <Metric label="Cost" value=field(|i| usd(i.cost_usd))/>
                <Metric label="Memory" value=field(|i| if i.pid.is_some() { bytes(i.rss_bytes) } else { "—".into() })/>
                <Metric label="CPU" value=field(|i| if i.pid.is_some() { format!("{:.1}%", i.cpu_percent) } else { "—".into() })/>
                <Metric label="Uptime" value=uptime/>
                <Metric label="Restarts" value=field(|i| i.restarts.to_string())/>
            </dl>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
            <div class="mt-auto flex flex-wrap items-center gap-2">
                <A href=href attr:class="btn btn-secondary">
                    <Icon name="terminal" class="size-4"/>
                    "Open"
                </A>
                <Show
                    when=move || status.get().is_live()
                    fallback=move || view! {
                        <button type="button" class="btn btn-secondary" disabled=pending on:click=move |_| { act.dispatch("resume"); }>
                            <Icon name="play" class="size-4"/>
                            "Resume"
                        </button>
                    }
                >
                    <button type="button" class="btn btn-secondary" disabled=pending on:click=move |_| { act.dispatch("stop"); }>
                        <Icon name="square" class="size-4"/>
                        "Stop"
                    </button>
                </Show>
                <div class="flex-1"></div>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="btn-icon text-muted" title="Delete" aria-label="Delete instance" data-testid="delete-button"
                            on:click=move |_| confirming.set(true)>
                            <Icon name="trash-2" class="size-4"/>
                        </button>
                    }
                >
                    <span class="text-xs text-muted">"Delete and stop it?"</span>
                    <button type="button" class="btn btn-danger" disabled=pending data-testid="confirm-delete"
                        on:click=move |_| { act.dispatch("delete"); }>
                        "Delete"
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </Show>
            </div>
        </article>
    }
}

#[component]
fn Metric(
    label: &'static str,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="min-w-0">
            <dt class="text-muted">{label}</dt>
            <dd class="truncate font-medium tabular-nums">{value}</dd>
        </div>
    }
}
