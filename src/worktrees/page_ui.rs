//! A worktree's page: what it is, an instance started in it, its changes and files, and
//! shipping: bring up to date with the base, push, pull request, branches.

use super::actions_ui::{RunScript, StartInstance};
use super::api::get_worktree;
use super::list_ui::{RemoveWorktree, WorktreeFacts};
use super::types::{RunStatus, Worktree};
use crate::review::review_ui::CheckoutDirty;
use crate::review::types::CheckoutKind;
use crate::review::{Branches, ExplorerPanel, ReviewPanel, Ship};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn WorktreePage() -> impl IntoView {
    let (id, tab) = crate::ui::route::id_and_tab("changes");
    // Each panel loads its own data beside (not inside) the worktree's <Transition>: nested
    // suspense on the server is where SSR went wrong.
    move || view! { <WorktreeView id=id.get() tab/> }
}

#[component]
fn WorktreeView(id: String, tab: Signal<String>) -> impl IntoView {
    let live_dirty = CheckoutDirty(RwSignal::new(None));
    let version = RwSignal::new(0u32);
    let wid = id.clone();
    let worktree = Resource::new(
        move || (wid.clone(), version.get()),
        |(id, _)| get_worktree(id),
    );
    // While the setup script runs, follow its output.
    Effect::new(move |_| {
        let running = worktree
            .get()
            .and_then(Result::ok)
            .and_then(|w| w.setup)
            .is_some_and(|r| r.status == RunStatus::Running);
        if running {
            set_timeout(
                move || version.update(|v| *v += 1),
                std::time::Duration::from_secs(1),
            );
        }
    });
    let tabs = [
        ("changes", "Changes"),
        ("files", "Files"),
        ("sessions", "Sessions"),
    ];
    let panel_id = id.clone();
    view! {
        <section class="mx-auto max-w-6xl">
            <Transition fallback=|| view! { <p class="text-muted">"Loading the worktree…"</p> }>
                {move || Suspend::new(async move {
                    match worktree.await {
                        Err(e) => view! {
                            <div class="card mx-auto max-w-xl text-center" role="alert">
                                <p class="font-semibold">"This worktree could not be opened."</p>
                                <p class="mt-1 text-sm text-muted">{e.to_string()}</p>
                                <A href="/projects" attr:class="btn btn-secondary mt-4">"Projects"</A>
                            </div>
                        }.into_any(),
                        Ok(w) => view! {
                            <Title text=w.branch.clone()/>
                            <Header worktree=w.clone() live_dirty/>
                            <div class="mt-4 grid gap-4 lg:grid-cols-3">
                                <StartInstance kind=CheckoutKind::Worktree id=w.id.clone() live=w.instances.clone()/>
                                <Ship worktree=w.clone() version/>
                                <RunScript kind=CheckoutKind::Worktree id=w.id.clone()/>
                            </div>
                            {w.setup.clone().map(|run| view! {
                                <details class="card mt-4" data-testid="setup-output" open=run.status != RunStatus::Succeeded>
                                    <summary class="cursor-pointer text-sm font-semibold">
                                        {format!("Setup script: {:?}", run.status).to_lowercase()}
                                        {run.exit_code.map(|c| format!(" (exit {c})"))}
                                    </summary>
                                    <pre class="code-block max-h-64">{run.output.clone()}</pre>
                                </details>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
            <div class="mt-4"><Branches kind=CheckoutKind::Worktree id=id.clone() version/></div>
            <nav class="mt-4 flex gap-1 border-b border-base" aria-label="Worktree sections">
                {tabs.into_iter().map(|(key, label)| view! {
                    <a href=format!("/worktrees/{id}?tab={key}") class="tab"
                        aria-current=move || (tab.get() == key).then_some("page") data-testid=format!("tab-{key}")>{label}</a>
                }).collect_view()}
            </nav>
            <div class="mt-4">
                {move || match tab.get().as_str() {
                    "files" => view! { <ExplorerPanel kind=CheckoutKind::Worktree id=panel_id.clone()/> }.into_any(),
                    "sessions" => view! { <crate::sessions::SessionsPanel worktree=panel_id.clone()/> }.into_any(),
                    _ => view! { <ReviewPanel kind=CheckoutKind::Worktree id=panel_id.clone() live_dirty/> }.into_any(),
                }}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Header(worktree: Worktree, live_dirty: CheckoutDirty) -> impl IntoView {
    let navigate = use_navigate();
    let project_href = format!("/projects/{}", worktree.project_id);
    let after_remove = project_href.clone();
    let project_name = worktree.project_name.clone();
    view! {
        <div class="flex flex-wrap items-start gap-3">
            <div class="min-w-0 flex-1">
                <nav class="text-sm text-muted" aria-label="Breadcrumb">
                    <A href=project_href attr:class="hover:underline" attr:data-testid="breadcrumb-project">{project_name}</A>
                    " / worktree"
                </nav>
                <h1 class="page-title font-mono" data-testid="worktree-branch">{worktree.branch.clone()}</h1>
                <p class="mt-1 truncate font-mono text-xs text-muted">{format!("{} · from {}", worktree.path, worktree.base)}</p>
                <div class="mt-2"><WorktreeFacts worktree=worktree.clone() live=live_dirty/></div>
            </div>
            <RemoveWorktree id=worktree.id.clone() on_removed=Callback::new(move |_| navigate(&after_remove, Default::default()))/>
        </div>
    }
    .into_any()
}
