//! The projects list (with the form that registers or scaffolds one) and a project's page.

use super::api::{add_project, forget_project, get_project, list_projects, list_templates};
use super::settings_ui::{ClaudeMdPanel, EnvPanel, SettingsPanel};
use super::types::{CreateProject, Project};
use crate::error::AppError;
use crate::review::types::CheckoutKind;
use crate::review::Branches;
use crate::review::{ExplorerPanel, ReviewPanel};
use crate::ui::Icon;
use crate::worktrees::actions_ui::{RunScript, StartInstance};
use crate::worktrees::list_ui::{CleanupPanel, WorktreesPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    let (show_form, set_show_form) = signal(false);
    view! {
        <Title text="Projects"/>
        <section class="mx-auto max-w-6xl">
            <div class="flex flex-wrap items-center gap-3">
                <div class="flex-1">
                    <h1 class="page-title">"Projects"</h1>
                    <p class="mt-1 text-muted">"The git repositories your agents work on, each agent in a worktree of its own."</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid="new-project-button"
                    on:click=move |_| set_show_form.update(|s| *s = !*s)>
                    <Icon name="plus" class="size-4"/>
                    "New project"
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="mt-6 text-muted">"Loading projects…"</p> }>
                {move || Suspend::new(async move {
                    match projects.await {
                        Err(e) => view! { <p class="card mt-6 text-red-600" role="alert">"Could not load projects: " {e.to_string()}</p> }.into_any(),
                        Ok(list) => {
                            let empty = list.is_empty();
                            view! {
                                <Show when=move || show_form.get() || empty>
                                    <NewProjectForm on_cancel=Callback::new(move |_| set_show_form.set(false))/>
                                </Show>
                                {if empty {
                                    view! {
                                        <div class="card mt-6 flex flex-col items-center gap-3 py-10 text-center" data-testid="empty-projects">
                                            <Icon name="folder-git-2" class="size-10 text-muted"/>
                                            <h2 class="text-lg font-semibold">"No projects yet"</h2>
                                            <p class="max-w-md text-muted">"Register a repository you already have, or start one from a template above."</p>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="mt-6 grid gap-4 md:grid-cols-2 xl:grid-cols-3" data-testid="project-list">
                                            {list.into_iter().map(|p| view! { <ProjectCard project=p/> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn ProjectCard(project: Project) -> impl IntoView {
    let href = format!("/projects/{}", project.id);
    view! {
        <li class="card flex flex-col gap-2" data-testid="project-card">
            <div class="flex items-center gap-2">
                <Icon name="folder-git-2" class="size-5 text-muted"/>
                <A href=href attr:class="min-w-0 flex-1 truncate font-semibold hover:underline">{project.name.clone()}</A>
                {project.missing.then(|| view! { <span class="badge badge-error">"Folder missing"</span> })}
            </div>
            <p class="truncate font-mono text-xs text-muted" title=project.path.clone()>{project.path.clone()}</p>
            <p class="text-xs text-muted">
                {project.branch.clone().map(|b| format!("On {b}")).unwrap_or_else(|| "No branch".into())}
            </p>
        </li>
    }
    .into_any()
}

#[component]
fn NewProjectForm(on_cancel: Callback<()>) -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_templates());
    let name = RwSignal::new(String::new());
    let source = RwSignal::new("template".to_string());
    let template = RwSignal::new("empty".to_string());
    let path = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = Action::new(|request: &CreateProject| {
        let request = request.clone();
        async move { add_project(request).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(project)) => navigate(&format!("/projects/{}", project.id), Default::default()),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let submit = move || {
        let path = Some(path.get_untracked().trim().to_string()).filter(|p| !p.is_empty());
        let from_template = source.get_untracked() == "template";
        // Registering a repository may leave the name empty: it defaults to the folder's name.
        if from_template && name.get_untracked().trim().is_empty() {
            error.set(Some("Give the project a name.".into()));
            return;
        }
        if !from_template && path.is_none() {
            error.set(Some("Give the path of the repository to register.".into()));
            return;
        }
        error.set(None);
        create.dispatch(CreateProject {
            name: name.get_untracked().trim().to_string(),
            path,
            template: from_template.then(|| template.get_untracked()),
            ..Default::default()
        });
    };
    view! {
        <form class="card mt-6 grid gap-4 md:grid-cols-2" data-testid="new-project-form"
            on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <h2 class="text-lg font-semibold md:col-span-2">"Add a project"</h2>
            <div>
                <label class="label" for="project-name">"Name"</label>
                <input id="project-name" class="input" required=move || source.get() == "template" autocomplete="off" bind:value=name
                    placeholder=move || if source.get() == "template" { "my-app".to_string() } else {
                        folder_name(&path.get()).map_or_else(|| "the folder's name".to_string(), |n| format!("{n} (the folder's name)"))
                    }/>
            </div>
            <fieldset>
                <legend class="label">"Start from"</legend>
                <div class="flex gap-4 pt-2 text-sm">
                    <label class="flex items-center gap-2">
                        <input type="radio" name="source" value="template" bind:group=source/>
                        "A template"
                    </label>
                    <label class="flex items-center gap-2">
                        <input type="radio" name="source" value="register" bind:group=source/>
                        "An existing repository"
                    </label>
                </div>
            </fieldset>
            <Show when=move || source.get() == "template">
                <div>
                    <label class="label" for="project-template">"Template"</label>
                    <select id="project-template" class="input" bind:value=template>
                        <Suspense fallback=|| view! { <option value="empty">"empty"</option> }>
                            {move || Suspend::new(async move {
                                templates.await.unwrap_or_default().into_iter().map(|t| {
                                    let label = format!("{} — {}", t.name, t.description);
                                    view! { <option value=t.name.clone()>{label}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </div>
            </Show>
            <div class=move || if source.get() == "template" { "" } else { "md:col-span-2" }>
                <label class="label" for="project-path">
                    "Folder " {move || (source.get() == "template").then_some(view! { <span class="text-muted">"(optional)"</span> })}
                </label>
                <input id="project-path" class="input font-mono" autocomplete="off" bind:value=path
                    placeholder=move || if source.get() == "template" { "in Flotilla's data folder" } else { "/home/you/repo" }/>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600 md:col-span-2" role="alert" data-testid="form-error">{move || error.get()}</p>
            </Show>
            <div class="flex gap-2 md:col-span-2">
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get() data-testid="create-project">
                    <Show when=move || create.pending().get() fallback=|| view! { <Icon name="plus" class="size-4"/> }>
                        <Icon name="loader-circle" class="size-4 animate-spin"/>
                    </Show>
                    "Add project"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}

const TABS: &[(&str, &str)] = &[
    ("worktrees", "Worktrees"),
    ("changes", "Changes"),
    ("files", "Files"),
    ("sessions", "Sessions"),
    ("mcp", "MCP"),
    ("settings", "Settings"),
    ("cleanup", "Cleanup"),
];

#[component]
pub fn ProjectPage() -> impl IntoView {
    let (id, tab) = crate::ui::route::id_and_tab("worktrees");
    // A new view for each project, so every panel reloads.
    move || view! { <ProjectView id=id.get() tab/> }
}

/// The project's header, its tabs, and the chosen tab's panel. Panels load their own data beside
/// (not inside) the project's <Suspense>: nested suspense on the server is where SSR went wrong.
#[component]
fn ProjectView(id: String, tab: Signal<String>) -> impl IntoView {
    let pid = id.clone();
    let project = Resource::new(move || pid.clone(), get_project);
    let with_project = move |render: fn(Project) -> AnyView| {
        view! {
            <Suspense fallback=|| view! { <p class="text-muted">"Loading the project…"</p> }>
                {move || Suspend::new(async move {
                    match project.await {
                        Err(e) => view! { <ProjectLoadFailed error=e/> }.into_any(),
                        Ok(p) => render(p),
                    }
                })}
            </Suspense>
        }
    };
    let panel_id = id.clone();
    view! {
        <section class="mx-auto max-w-6xl">
            {with_project(|p| view! { <Title text=p.name.clone()/> <ProjectHeader project=p/> }.into_any())}
            <nav class="mt-4 flex gap-1 overflow-x-auto border-b border-base" aria-label="Project sections">
                {TABS.iter().map(|(key, label)| {
                    let href = format!("/projects/{id}?tab={key}");
                    let key = *key;
                    view! {
                        // A plain link: <A> would mark every tab current (it ignores the query).
                        <a href=href class="tab" aria-current=move || (tab.get() == key).then_some("page")
                            data-testid=format!("tab-{key}")>{*label}</a>
                    }
                }).collect_view()}
            </nav>
            <div class="mt-4">
                {move || {
                    let id = panel_id.clone();
                    match tab.get().as_str() {
                        "changes" => view! {
                            <div class="mb-4 grid gap-4 lg:grid-cols-3">
                                <StartInstance kind=CheckoutKind::MainCheckout id=id.clone() live=Vec::new()/>
                                <Branches kind=CheckoutKind::MainCheckout id=id.clone() version=RwSignal::new(0)/>
                                <RunScript kind=CheckoutKind::MainCheckout id=id.clone()/>
                            </div>
                            <ReviewPanel kind=CheckoutKind::MainCheckout id/>
                        }.into_any(),
                        "files" => view! { <ExplorerPanel kind=CheckoutKind::MainCheckout id/> }.into_any(),
                        "settings" => view! {
                            <div class="grid gap-4 lg:grid-cols-2">
                                {with_project(|p| view! { <SettingsPanel project=p/> }.into_any())}
                                <div class="grid content-start gap-4">
                                    <EnvPanel id=id.clone()/>
                                    {with_project(|p| view! { <DangerZone project=p/> }.into_any())}
                                </div>
                                <div class="lg:col-span-2"><ClaudeMdPanel id=id.clone()/></div>
                            </div>
                        }.into_any(),
                        "cleanup" => view! { <CleanupPanel project_id=id/> }.into_any(),
                        "sessions" => view! { <crate::sessions::SessionsPanel project=id/> }.into_any(),
                        "mcp" => view! { <crate::mcp::ServerList project=id/> }.into_any(),
                        _ => view! { <WorktreesPanel project_id=id/> }.into_any(),
                    }
                }}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn ProjectLoadFailed(error: AppError) -> impl IntoView {
    view! {
        <div class="card mx-auto max-w-xl text-center" role="alert">
            <p class="font-semibold">"This project could not be opened."</p>
            <p class="mt-1 text-sm text-muted">{error.to_string()}</p>
            <A href="/projects" attr:class="btn btn-secondary mt-4">"All projects"</A>
        </div>
    }
    .into_any()
}

#[component]
fn ProjectHeader(project: Project) -> impl IntoView {
    view! {
        <div class="flex flex-wrap items-start gap-3">
            <div class="min-w-0 flex-1">
                <p class="text-sm text-muted"><A href="/projects" attr:class="hover:underline">"Projects"</A> " /"</p>
                <h1 class="page-title" data-testid="project-name">{project.name.clone()}</h1>
                <p class="mt-1 truncate font-mono text-xs text-muted">{project.path.clone()}</p>
            </div>
            {project.branch.clone().map(|b| view! { <span class="badge badge-muted font-mono">{b}</span> })}
            {project.missing.then(|| view! { <span class="badge badge-error">"Folder missing on disk"</span> })}
        </div>
    }
    .into_any()
}

/// Forgetting the project (its files stay), or — typed confirmation — deleting its files too.
#[component]
fn DangerZone(project: Project) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let delete_files = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let id = project.id.clone();
    let name = StoredValue::new(project.name.clone());
    let forget = Action::new(move |(files, confirm): &(bool, String)| {
        let (id, files, confirm) = (id.clone(), *files, confirm.clone());
        async move { forget_project(id, files, Some(confirm).filter(|c| !c.is_empty())).await }
    });
    Effect::new(move |_| match forget.value().get() {
        Some(Ok(_)) => navigate("/projects", Default::default()),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let can_delete = move || !delete_files.get() || name.with_value(|n| typed.get() == *n);
    view! {
        <div class="card border-red-300 dark:border-red-900">
            <h2 class="font-semibold">"Remove the project"</h2>
            <p class="mt-1 text-sm text-muted">"Flotilla forgets it; the folder and its git history stay where they are."</p>
            <Show when=move || confirming.get() fallback=move || view! {
                <button type="button" class="btn btn-secondary mt-3" on:click=move |_| confirming.set(true) data-testid="remove-project">
                    <Icon name="trash-2" class="size-4"/> "Remove…"
                </button>
            }>
                <label class="mt-3 flex items-center gap-2 text-sm">
                    <input type="checkbox" bind:checked=delete_files/>
                    "Also delete its files and its worktrees (cannot be undone)"
                </label>
                <Show when=move || delete_files.get()>
                    <label class="label mt-2" for="confirm-name">"Type " <code>{name.get_value()}</code> " to confirm"</label>
                    <input id="confirm-name" class="input" autocomplete="off" bind:value=typed/>
                </Show>
                <div class="mt-3 flex gap-2">
                    <button type="button" class="btn btn-danger" disabled=move || !can_delete() || forget.pending().get()
                        data-testid="confirm-remove-project"
                        on:click=move |_| { forget.dispatch((delete_files.get_untracked(), typed.get_untracked())); }>
                        {move || if delete_files.get() { "Delete project and files" } else { "Remove from Flotilla" }}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="mt-2 text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
    .into_any()
}

/// The last component of a path, as the default name of a registered repository.
fn folder_name(path: &str) -> Option<String> {
    path.trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}
