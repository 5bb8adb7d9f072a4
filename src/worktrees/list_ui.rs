//! A project's worktrees: create one (its setup script's output shown), the list with what
//! each holds, removal with confirmation (forced when work would be lost), and the cleanup view.

use super::api::{add_worktree, list_worktrees, project_cleanup, remove_worktree};
use super::types::{CreateWorktree, Worktree};
use crate::base::format::bytes;
use crate::review::review_ui::CheckoutDirty;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn WorktreesPanel(project_id: String) -> impl IntoView {
    let pid = project_id.clone();
    let worktrees = Resource::new(move || pid.clone(), |id| list_worktrees(Some(id)));
    let branch = RwSignal::new(String::new());
    let base = RwSignal::new(String::new());
    let fetch = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = Action::new(|request: &CreateWorktree| {
        let request = request.clone();
        async move { add_worktree(request).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(w)) => navigate(&format!("/worktrees/{}", w.id), Default::default()),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let main_href = format!("/projects/{project_id}?tab=changes");
    let submit = move || {
        let name = branch.get_untracked().trim().to_string();
        if name.is_empty() {
            error.set(Some("Name the branch the worktree works on.".into()));
            return;
        }
        error.set(None);
        create.dispatch(CreateWorktree {
            project_id: project_id.clone(),
            branch: name,
            base: Some(base.get_untracked().trim().to_string()).filter(|b| !b.is_empty()),
            fetch: fetch.get_untracked(),
        });
    };
    view! {
        <form class="card grid gap-3 md:grid-cols-[1fr_1fr_auto_auto] md:items-end" data-testid="new-worktree-form"
            on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <div>
                <label class="label" for="wt-branch">"New worktree on branch"</label>
                <input id="wt-branch" class="input font-mono" placeholder="feature/login" autocomplete="off" required bind:value=branch/>
            </div>
            <div>
                <label class="label" for="wt-base">"From"</label>
                <input id="wt-base" class="input font-mono" placeholder="the project's base branch" autocomplete="off" bind:value=base/>
            </div>
            <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" bind:checked=fetch/> "Fetch first"</label>
            <button type="submit" class="btn btn-primary" disabled=move || create.pending().get() data-testid="create-worktree">
                <Show when=move || create.pending().get() fallback=|| view! { <Icon name="plus" class="size-4"/> }>
                    <Icon name="loader-circle" class="size-4 animate-spin"/>
                </Show>
                "Create"
            </button>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600 md:col-span-4" role="alert" data-testid="form-error">{move || error.get()}</p>
            </Show>
            <p class="text-xs text-muted md:col-span-4">
                "An existing branch is checked out; a new one is created from the base. Or work in the "
                <A href=main_href attr:class="underline">"main checkout"</A> "."
            </p>
        </form>
        <Transition fallback=|| view! { <p class="mt-4 text-muted">"Loading worktrees…"</p> }>
            {move || Suspend::new(async move {
                match worktrees.await {
                    Err(e) => view! { <p class="card mt-4 text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <div class="card mt-4 py-8 text-center text-muted" data-testid="empty-worktrees">
                            "No worktrees yet. Each agent gets one, so they never trample each other."
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 grid gap-3" data-testid="worktree-list">
                            {list.into_iter().map(|w| view! {
                                <WorktreeRow worktree=w on_removed=Callback::new(move |_| worktrees.refetch())/>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The facts of a worktree as badges.
#[component]
pub fn WorktreeFacts(
    worktree: Worktree,
    /// On the worktree's own page the review panel's live reading wins over the loaded record.
    #[prop(optional)]
    live: Option<CheckoutDirty>,
) -> impl IntoView {
    let recorded = worktree.dirty;
    let dirty = move || {
        live.and_then(|CheckoutDirty(d)| d.get())
            .unwrap_or(recorded)
    };
    view! {
        <div class="flex flex-wrap items-center gap-1.5 text-xs">
            {(worktree.ahead > 0).then(|| view! { <span class="badge badge-info" title="Commits not in the base">{format!("{} ahead", worktree.ahead)}</span> })}
            {(worktree.behind > 0).then(|| view! { <span class="badge badge-warn" title="Base commits not in this branch">{format!("{} behind", worktree.behind)}</span> })}
            {move || dirty().then(|| view! { <span class="badge badge-warn" data-testid="uncommitted-badge">"Uncommitted changes"</span> })}
            {worktree.merged.then(|| view! { <span class="badge badge-ok">"Merged"</span> })}
            {(!worktree.instances.is_empty()).then(|| view! { <span class="badge badge-info">{format!("{} live instance(s)", worktree.instances.len())}</span> })}
            {worktree.pr.clone().map(|pr| view! {
                <a class="badge badge-info" href=pr.url.clone() target="_blank" rel="noopener noreferrer">{format!("PR #{} · {}", pr.number, pr.state)}</a>
            })}
            {worktree.drift.clone().map(|d| view! { <span class="badge badge-error" title="Changed outside Flotilla"><Icon name="triangle-alert" class="size-3"/>{d}</span> })}
            <span class="badge badge-muted" title="Disk space the checkout takes">{format!("{} on disk", bytes(worktree.disk_bytes))}</span>
        </div>
    }
    .into_any()
}

#[component]
fn WorktreeRow(worktree: Worktree, on_removed: Callback<()>) -> impl IntoView {
    let href = format!("/worktrees/{}", worktree.id);
    let branch = worktree.branch.clone();
    view! {
        <li class="card flex flex-col gap-2" data-testid="worktree-row">
            <div class="flex flex-wrap items-center gap-2">
                <A href=href attr:class="font-mono font-semibold hover:underline">{branch}</A>
                <span class="text-xs text-muted">{format!("from {}", worktree.base)}</span>
                <div class="flex-1"></div>
                <RemoveWorktree id=worktree.id.clone() on_removed/>
            </div>
            <p class="truncate font-mono text-xs text-muted">{worktree.path.clone()}</p>
            <WorktreeFacts worktree=worktree.clone()/>
        </li>
    }
    .into_any()
}

/// Remove, after a confirmation; when the server says work would be lost, it says what and
/// offers to force.
#[component]
pub fn RemoveWorktree(id: String, on_removed: Callback<()>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let remove = Action::new(move |force: &bool| {
        let (id, force) = (id.clone(), *force);
        async move { remove_worktree(id, force).await }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(_)) => on_removed.run(()),
        Some(Err(e)) => refusal.set(Some(e.to_string())),
        None => {}
    });
    view! {
        <Show when=move || confirming.get() fallback=move || view! {
            <button type="button" class="btn-icon text-muted" title="Remove worktree" aria-label="Remove worktree" data-testid="remove-worktree"
                on:click=move |_| confirming.set(true)>
                <Icon name="trash-2" class="size-4"/>
            </button>
        }>
            <div class="flex flex-wrap items-center gap-2">
                <span class="text-xs text-muted">"Remove this worktree? Its branch stays."</span>
                <button type="button" class="btn btn-danger" disabled=move || remove.pending().get() data-testid="confirm-remove-worktree"
                    on:click=move |_| { remove.dispatch(false); }>"Remove"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| { confirming.set(false); refusal.set(None); }>"Cancel"</button>
            </div>
        </Show>
        <Show when=move || refusal.get().is_some()>
            <div class="basis-full rounded-lg bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950/40 dark:text-red-200" role="alert">
                <p>{move || refusal.get()}</p>
                <button type="button" class="btn btn-danger mt-2" data-testid="force-remove-worktree" disabled=move || remove.pending().get()
                    on:click=move |_| { remove.dispatch(true); }>"Remove anyway and lose it"</button>
            </div>
        </Show>
    }
    .into_any()
}

#[component]
pub fn CleanupPanel(project_id: String) -> impl IntoView {
    let cleanup = Resource::new(move || project_id.clone(), project_cleanup);
    view! {
        <Transition fallback=|| view! { <p class="text-muted">"Looking at the worktrees…"</p> }>
            {move || Suspend::new(async move {
                match cleanup.await {
                    Err(e) => view! { <p class="card text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(c) => view! {
                        <div class="card" data-testid="cleanup">
                            <h2 class="font-semibold">"Worktrees to clean up"</h2>
                            <p class="mt-1 text-sm text-muted">
                                {format!("Merged or idle for a day. All worktrees use {} on disk.", bytes(c.total_disk_bytes))}
                            </p>
                            {if c.candidates.is_empty() {
                                view! { <p class="mt-3 text-sm text-muted">"Nothing to clean up."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-3 grid gap-2">
                                        {c.candidates.into_iter().map(|cand| {
                                            let w = cand.worktree.clone();
                                            view! {
                                                <li class="flex flex-wrap items-center gap-2 rounded-lg border border-base p-2" data-testid="cleanup-candidate">
                                                    <A href=format!("/worktrees/{}", w.id) attr:class="font-mono hover:underline">{w.branch.clone()}</A>
                                                    {cand.reasons.iter().map(|r| view! { <span class="badge badge-muted">{r.clone()}</span> }).collect_view()}
                                                    <span class="text-xs text-muted">{bytes(w.disk_bytes)}</span>
                                                    <div class="flex-1"></div>
                                                    <RemoveWorktree id=w.id.clone() on_removed=Callback::new(move |_| cleanup.refetch())/>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {(!c.external.is_empty()).then(|| view! {
                                <h3 class="mt-4 text-sm font-semibold">"Worktrees Flotilla did not create"</h3>
                                <ul class="mt-2 grid gap-1 text-sm">
                                    {c.external.into_iter().map(|e| view! {
                                        <li class="font-mono text-xs">
                                            {e.path.clone()} " " {e.branch.clone().map(|b| format!("({b})"))}
                                            {e.prunable.then(|| view! { <span class="badge badge-warn ml-2">"folder gone"</span> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}
