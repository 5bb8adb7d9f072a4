//! Reviewing a checkout: what changed (staged, unstaged, untracked, or against the base), each
//! file's diff, staging, and a commit whose message Claude can draft.

use super::api::{
    changes_from_base, checkout_status, commit_log, commit_staged, draft_commit_message,
    stage_paths, unstage_paths,
};
use super::diff_ui::{DiffTarget, DiffView};
use super::types::CheckoutKind;
use crate::git::types::{ChangeKind, DiffSource, FileChange};
use crate::ui::Icon;
use leptos::prelude::*;

/// Whether the checkout has uncommitted changes, as the review panel last read it (it polls):
/// a page that shows the fact elsewhere (the worktree header) passes this to both, so they say
/// the same thing at the same time. A prop, not a context: a context does not reliably reach
/// components rendered inside a `Suspend` that had to wait (leptos-rs/leptos#3024).
#[derive(Clone, Copy)]
pub struct CheckoutDirty(pub RwSignal<Option<bool>>);

#[component]
pub fn ReviewPanel(
    kind: CheckoutKind,
    id: String,
    #[prop(optional)] live_dirty: Option<CheckoutDirty>,
) -> impl IntoView {
    // Bumped after anything that changes the checkout, and every few seconds (agents edit files).
    let version = RwSignal::new(0u32);
    let sid = id.clone();
    let status = Resource::new(
        move || (sid.clone(), version.get()),
        move |(id, _)| checkout_status(kind, id),
    );
    let against_base = RwSignal::new(false);
    let bid = id.clone();
    let base_changes = Resource::new(
        move || (bid.clone(), version.get(), against_base.get()),
        move |(id, _, on)| async move {
            if on {
                changes_from_base(kind, id).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let selected = RwSignal::new(None::<DiffTarget>);
    // Whether anything is staged, for the commit buttons. Kept by an effect (browser only) rather
    // than read from the resource outside its <Transition>: on the server that read would tie the
    // resource to the page's outer suspense.
    // Likewise HEAD: the commit list reloads when it moves, not on every poll.
    let staged = RwSignal::new(false);
    let head = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(s)) = status.get() {
            let now_staged = !s.staged.is_empty();
            if staged.get_untracked() != now_staged {
                staged.set(now_staged);
            }
            if let Some(CheckoutDirty(dirty)) = live_dirty {
                let now_dirty = !s.is_clean();
                if dirty.get_untracked() != Some(now_dirty) {
                    dirty.set(Some(now_dirty));
                }
            }
            if head.get_untracked() != s.head {
                head.set(s.head);
            }
        }
    });
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || version.update(|v| *v += 1),
            std::time::Duration::from_secs(5),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let aid = id.clone();
    let apply = Action::new(move |(stage, paths): &(bool, Vec<String>)| {
        let (id, stage, paths) = (aid.clone(), *stage, paths.clone());
        async move {
            if stage {
                stage_paths(kind, id, paths).await
            } else {
                unstage_paths(kind, id, paths).await
            }
        }
    });
    Effect::new(move |_| match apply.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });

    let file_list = move |title: &'static str,
                          testid: &'static str,
                          files: Vec<FileChange>,
                          source: DiffSource,
                          action: Option<(&'static str, bool)>| {
        let all: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        view! {
            <section class="mt-3" data-testid=testid>
                <div class="flex items-center gap-2">
                    <h3 class="text-xs font-semibold uppercase tracking-wide text-muted">{format!("{title} ({})", files.len())}</h3>
                    <span class="flex-1"></span>
                    {action.filter(|_| !all.is_empty()).map(|(label, stage)| view! {
                        <button type="button" class="text-xs text-accent hover:underline" on:click=move |_| { apply.dispatch((stage, all.clone())); }>
                            {format!("{label} all")}
                        </button>
                    })}
                </div>
                {if files.is_empty() {
                    view! { <p class="mt-1 text-xs text-muted">"None"</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-1 grid gap-0.5">
                            {files.into_iter().map(|f| {
                                let target = DiffTarget { path: f.path.clone(), old_path: f.old_path.clone(), source };
                                let t2 = target.clone();
                                let path = f.path.clone();
                                let is_selected = move || selected.with(|s| s.as_ref() == Some(&t2));
                                view! {
                                    <li class="group flex items-center gap-1 rounded-md px-1 text-sm hover:bg-surface-2" class=("bg-surface-2", is_selected)>
                                        <span class=format!("w-4 text-center font-mono text-xs {}", change_colour(f.kind)) title=format!("{:?}", f.kind)>{f.kind.letter()}</span>
                                        <button type="button" class="min-w-0 flex-1 truncate py-0.5 text-left font-mono text-xs" data-testid="changed-file"
                                            title=f.path.clone() on:click=move |_| selected.set(Some(target.clone()))>
                                            {f.old_path.clone().map(|o| format!("{o} → ")).unwrap_or_default()}{f.path.clone()}
                                        </button>
                                        {action.map(|(label, stage)| view! {
                                            <button type="button" class="rounded px-1 text-xs text-accent opacity-70 hover:opacity-100"
                                                aria-label=format!("{label} {path}") on:click=move |_| { apply.dispatch((stage, vec![path.clone()])); }>
                                                {label}
                                            </button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    };

    let diff_id = id.clone();
    let commit_id = id.clone();
    let reading = RwSignal::new(false);
    view! {
        <div class="grid gap-4 lg:grid-cols-[20rem_1fr]" data-testid="review-panel">
            <div class="grid content-start gap-4">
                <div class="card">
                    <div class="flex items-center gap-2">
                        <h2 class="flex-1 font-semibold">"Changes"</h2>
                        <button type="button" class="btn-icon" title="Refresh" aria-label="Refresh changes" on:click=move |_| version.update(|v| *v += 1)>
                            <Icon name="rotate-ccw" class="size-4"/>
                        </button>
                        <Show when=move || reading.get() && against_base.get()>
                            <span class="flex items-center gap-1 text-xs text-muted" data-testid="changes-loading">
                                <Icon name="loader-circle" class="size-3.5 animate-spin"/>"Loading…"
                            </span>
                        </Show>
                    </div>
                    {(kind == CheckoutKind::Worktree).then(|| view! {
                        <div class="mt-2 flex rounded-lg border border-base text-xs" role="group" aria-label="Compare">
                            <button type="button" class="flex-1 px-2 py-1" class=("font-semibold", move || !against_base.get()) on:click=move |_| against_base.set(false)>"Working changes"</button>
                            <button type="button" class="flex-1 px-2 py-1" class=("font-semibold", move || against_base.get()) data-testid="against-base" on:click=move |_| against_base.set(true)>"Against base"</button>
                        </div>
                    })}
                    <Transition fallback=|| view! { <p class="mt-2 text-sm text-muted">"Reading the checkout…"</p> } set_pending=reading.write_only()>
                        // Read outside the Suspend so switching views re-renders at once.
                        {move || { let on_base = against_base.get(); Suspend::new(async move {
                            if on_base {
                                return match base_changes.await {
                                    Ok(Some(list)) => file_list("Since the base", "base-changes", list, DiffSource::Base, None).into_any(),
                                    Ok(None) => ().into_any(),
                                    Err(e) => view! { <p class="mt-2 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                                };
                            }
                            match status.await {
                                Err(e) => view! { <p class="mt-2 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(st) => {
                                    let mut unstaged = st.unstaged.clone();
                                    unstaged.extend(st.untracked.iter().map(|p| FileChange { path: p.clone(), old_path: None, kind: ChangeKind::Untracked }));
                                    view! {
                                        <p class="mt-1 font-mono text-xs text-muted">
                                            {st.branch.clone().unwrap_or_else(|| "detached HEAD".into())}
                                            {st.head.clone().map(|h| format!(" · {}", &h[..h.len().min(8)]))}
                                        </p>
                                        {file_list("Staged", "staged-files", st.staged.clone(), DiffSource::Staged, Some(("Unstage", false)))}
                                        {file_list("Not staged", "unstaged-files", unstaged, DiffSource::Unstaged, Some(("Stage", true)))}
                                    }.into_any()
                                }
                            }
                        })}}
                    </Transition>
                    <Show when=move || error.get().is_some()>
                        <p class="mt-2 text-sm text-red-600" role="alert">{move || error.get()}</p>
                    </Show>
                </div>
                <CommitBox kind id=commit_id staged=staged.into() head=head.into() version/>
            </div>
            <div class="min-w-0">
                {move || match selected.get() {
                    Some(target) => view! { <DiffView kind id=diff_id.clone() target/> }.into_any(),
                    None => view! {
                        <div class="card flex h-40 items-center justify-center text-sm text-muted">"Pick a file to see its diff."</div>
                    }.into_any(),
                }}
            </div>
        </div>
    }
    .into_any()
}

fn change_colour(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added | ChangeKind::Untracked => "text-emerald-600",
        ChangeKind::Deleted => "text-red-600",
        ChangeKind::Conflicted => "text-red-600 font-bold",
        _ => "text-amber-600",
    }
}

/// The commit message (typed, or drafted by Claude from the staged diff and then edited), the
/// commit button, and the newest commits.
#[component]
fn CommitBox(
    kind: CheckoutKind,
    id: String,
    staged: Signal<bool>,
    head: Signal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let did = id.clone();
    let draft = Action::new(move |_: &()| {
        let id = did.clone();
        async move { draft_commit_message(kind, id).await }
    });
    Effect::new(move |_| match draft.value().get() {
        Some(Ok(text)) => {
            error.set(None);
            message.set(text);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let cid = id.clone();
    let commit = Action::new(move |text: &String| {
        let (id, text) = (cid.clone(), text.clone());
        async move { commit_staged(kind, id, text).await }
    });
    Effect::new(move |_| match commit.value().get() {
        Some(Ok(c)) => {
            error.set(None);
            message.set(String::new());
            done.set(Some(format!(
                "Committed {} “{}”",
                &c.id[..c.id.len().min(8)],
                c.summary
            )));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let lid = id.clone();
    let log = Resource::new(
        move || (lid.clone(), head.get()),
        move |(id, _)| commit_log(kind, id),
    );
    let submit = move || {
        if message.get_untracked().trim().is_empty() {
            error.set(Some(
                "Write a commit message (or let Claude draft one).".into(),
            ));
            return;
        }
        done.set(None);
        commit.dispatch(message.get_untracked());
    };
    view! {
        <form class="card grid gap-2" data-testid="commit-box" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <h2 class="font-semibold">"Commit"</h2>
            <textarea class="input min-h-24 font-mono text-xs" aria-label="Commit message" placeholder="Summary line\n\nWhy the change (Ctrl+Enter commits)"
                data-testid="commit-message" bind:value=message
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        submit();
                    }
                }></textarea>
            <div class="flex flex-wrap gap-2">
                <button type="button" class="btn btn-secondary" data-testid="draft-message" disabled=move || !staged.get() || draft.pending().get()
                    title="Claude reads the staged diff and proposes a message you can edit"
                    on:click=move |_| { draft.dispatch(()); }>
                    <Show when=move || draft.pending().get() fallback=|| view! { <Icon name="bot" class="size-4"/> }>
                        <Icon name="loader-circle" class="size-4 animate-spin"/>
                    </Show>
                    "Draft with Claude"
                </button>
                <button type="submit" class="btn btn-primary" data-testid="commit-button" disabled=move || !staged.get() || commit.pending().get()>
                    <Icon name="check" class="size-4"/>
                    "Commit staged"
                </button>
            </div>
            <Show when=move || !staged.get()>
                <p class="text-xs text-muted">"Stage files to commit them."</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600" role="alert" data-testid="commit-error">{move || error.get()}</p>
            </Show>
            <Show when=move || done.get().is_some()>
                <p class="text-sm text-emerald-700 dark:text-emerald-400" role="status" data-testid="commit-done">{move || done.get()}</p>
            </Show>
            <h3 class="mt-2 text-xs font-semibold uppercase tracking-wide text-muted">"Recent commits"</h3>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = log.await.unwrap_or_default();
                    view! {
                        <ul class="grid gap-1 text-xs" data-testid="commit-log">
                            {list.into_iter().take(8).map(|c| view! {
                                <li class="flex gap-2">
                                    <code class="text-muted">{c.id[..c.id.len().min(7)].to_string()}</code>
                                    <span class="min-w-0 flex-1 truncate" title=c.summary.clone()>{c.summary.clone()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </form>
    }
    .into_any()
}
