//! Shipping a checkout: bring it up to date with the base, push, open or refresh its pull
//! request; and its branches.

use super::api::{
    create_branch, delete_branch, list_branches, open_pull_request, push_branch,
    refresh_pull_request, switch_branch, sync_with_base,
};
use super::types::{CheckoutKind, SyncStrategy};
use crate::worktrees::types::Worktree;
use leptos::prelude::*;

/// Sync with the base, push, and the pull request.
#[component]
pub fn Ship(worktree: Worktree, version: RwSignal<u32>) -> impl IntoView {
    let kind = CheckoutKind::Worktree;
    let id = worktree.id.clone();
    let message = RwSignal::new(None::<Result<String, String>>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let op = Action::new(move |what: &&'static str| {
        let (id, what) = (id.clone(), *what);
        let (t, b) = (title.get_untracked(), body.get_untracked());
        async move {
            let out = match what {
                "rebase" | "merge" => {
                    let strategy = if what == "rebase" {
                        SyncStrategy::Rebase
                    } else {
                        SyncStrategy::Merge
                    };
                    sync_with_base(kind, id, strategy)
                        .await
                        .map(|o| format!("Sync: {}", o.result.replace('_', " ")))
                }
                "push" => push_branch(kind, id).await.map(|b| format!("Pushed {b}")),
                "pr" => open_pull_request(kind, id, t, b)
                    .await
                    .map(|pr| format!("Opened pull request #{}", pr.number)),
                _ => refresh_pull_request(kind, id)
                    .await
                    .map(|pr| format!("Pull request #{} is {}", pr.number, pr.state)),
            };
            out.map_err(|e| e.to_string())
        }
    });
    Effect::new(move |_| {
        if let Some(result) = op.value().get() {
            if result.is_ok() {
                version.update(|v| *v += 1);
            }
            message.set(Some(result));
        }
    });
    let has_pr = worktree.pr.is_some();
    view! {
        <div class="card grid content-start gap-2" data-testid="ship">
            <h2 class="font-semibold">"Ship"</h2>
            <div class="flex flex-wrap gap-2">
                <button type="button" class="btn btn-secondary" disabled=move || op.pending().get() title=format!("Rebase onto {}", worktree.base)
                    on:click=move |_| { op.dispatch("rebase"); }>"Rebase"</button>
                <button type="button" class="btn btn-secondary" disabled=move || op.pending().get() title=format!("Merge {} in", worktree.base)
                    on:click=move |_| { op.dispatch("merge"); }>"Merge base"</button>
                <button type="button" class="btn btn-secondary" disabled=move || op.pending().get() on:click=move |_| { op.dispatch("push"); }>"Push"</button>
                {has_pr.then(|| view! {
                    <button type="button" class="btn btn-secondary" disabled=move || op.pending().get() on:click=move |_| { op.dispatch("refresh"); }>"PR state"</button>
                })}
            </div>
            <details>
                <summary class="cursor-pointer text-sm">"Open a pull request"</summary>
                <form class="mt-2 grid gap-2" on:submit=move |ev| { ev.prevent_default(); op.dispatch("pr"); }>
                    <input class="input" placeholder="Title" aria-label="Pull request title" required bind:value=title/>
                    <textarea class="input min-h-16" placeholder="Description" aria-label="Pull request description" bind:value=body></textarea>
                    <button type="submit" class="btn btn-primary" disabled=move || op.pending().get()>"Push and open"</button>
                    <p class="text-xs text-muted">"Uses GITHUB_TOKEN from the project's environment, else the gh CLI."</p>
                </form>
            </details>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="text-sm text-emerald-700 dark:text-emerald-400" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="text-sm text-red-600" role="alert">{text}</p> }.into_any(),
            })}
        </div>
    }
    .into_any()
}

#[component]
pub fn Branches(kind: CheckoutKind, id: String, version: RwSignal<u32>) -> impl IntoView {
    let lid = id.clone();
    let branches = Resource::new(
        move || (lid.clone(), version.get()),
        move |(id, _)| list_branches(kind, id),
    );
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let op = Action::new(move |(what, branch): &(&'static str, String)| {
        let (id, what, branch) = (id.clone(), *what, branch.clone());
        async move {
            match what {
                "create" => create_branch(kind, id, branch, None).await,
                "switch" => switch_branch(kind, id, branch).await.map(|_| ()),
                _ => delete_branch(kind, id, branch).await,
            }
        }
    });
    Effect::new(move |_| match op.value().get() {
        Some(Ok(())) => {
            error.set(None);
            name.set(String::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    view! {
        // Folded by default: it is used now and then, and the diff should stay near the top.
        <details class="card grid content-start gap-2" data-testid="branches">
            <summary class="cursor-pointer font-semibold">"Branches"</summary>
            <Transition fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = branches.await.unwrap_or_default();
                    view! {
                        <ul class="max-h-40 overflow-auto text-sm">
                            {list.into_iter().map(|b| {
                                let (n1, n2) = (b.name.clone(), b.name.clone());
                                view! {
                                    <li class="flex items-center gap-2 py-0.5">
                                        <span class="min-w-0 flex-1 truncate font-mono text-xs" class=("font-bold", b.current)>{b.name.clone()}</span>
                                        {(!b.current).then(|| view! {
                                            <button type="button" class="text-xs text-accent hover:underline" on:click=move |_| { op.dispatch(("switch", n1.clone())); }>"Switch"</button>
                                            <button type="button" class="text-xs text-muted hover:underline" title="Delete (only when merged)" on:click=move |_| { op.dispatch(("delete", n2.clone())); }>"Delete"</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
            <form class="flex gap-2" on:submit=move |ev| { ev.prevent_default(); op.dispatch(("create", name.get_untracked().trim().to_string())); }>
                <input class="input font-mono" placeholder="new-branch" aria-label="New branch name" required bind:value=name/>
                <button type="submit" class="btn btn-secondary" disabled=move || op.pending().get()>"Create"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
        </details>
    }
    .into_any()
}
