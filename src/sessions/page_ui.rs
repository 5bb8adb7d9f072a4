//! The Sessions page: every Claude Code session on this machine, searchable, with what it cost.
//! While the first index of a large history runs, it shows how far it is.

use super::actions_ui::{ImportPanel, MergeBar};
use super::api::search_sessions;
use super::types::{IndexStatus, SessionItem, SessionPage, SessionQuery};
use crate::base::format::{bytes, usd};
use crate::projects::api::list_projects;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const PAGE: u64 = 50;

#[component]
pub fn SessionsPage() -> impl IntoView {
    // The filters as typed, and as applied (on Enter / Search). A project or worktree page links
    // here with ?project= or ?worktree=.
    let url = use_query_map();
    let from_url = |k: &str| url.with_untracked(|q| q.get(k)).filter(|v| !v.is_empty());
    let text = RwSignal::new(String::new());
    let project = RwSignal::new(from_url("project").unwrap_or_default());
    let model = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let min_cost = RwSignal::new(String::new());
    let worktree = RwSignal::new(from_url("worktree"));
    let applied = RwSignal::new(SessionQuery {
        project: from_url("project"),
        worktree: from_url("worktree"),
        ..Default::default()
    });
    let importing = RwSignal::new(false);
    // Picked for a merge: (id, title), A first.
    let selected = RwSignal::new(Vec::<(String, String)>::new());
    let offset = RwSignal::new(0u64);
    // Bumped to pick up newly written sessions (and the index's progress while it runs).
    let tick = RwSignal::new(0u32);
    let sessions = Resource::new(
        move || (applied.get(), offset.get(), tick.get()),
        |(q, offset, _)| {
            search_sessions(SessionQuery {
                offset: Some(offset),
                limit: Some(PAGE),
                ..q
            })
        },
    );
    // For the project filter only: loaded in the browser, so the page does not wait for it.
    let projects = LocalResource::new(list_projects);
    // Browser only: look for newly written sessions (and the first index's progress) every 2 s.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_secs(2),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let apply = move || {
        let some = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_string()).filter(|v| !v.is_empty())
        };
        offset.set(0);
        applied.set(SessionQuery {
            q: some(text),
            project: some(project),
            worktree: worktree.get_untracked(),
            model: some(model),
            from: some(from),
            to: some(to),
            min_cost: some(min_cost).and_then(|c| c.trim_start_matches('$').parse().ok()),
            ..Default::default()
        });
    };
    let clear = move |_| {
        for s in [text, project, model, from, to, min_cost] {
            s.set(String::new());
        }
        worktree.set(None);
        offset.set(0);
        applied.set(SessionQuery::default());
    };
    view! {
        <Title text="Sessions"/>
        <section class="mx-auto max-w-6xl">
            <div class="flex flex-wrap items-start gap-3">
                <div class="min-w-0 flex-1 basis-72">
                    <h1 class="page-title">"Sessions"</h1>
                    <p class="mt-1 text-muted">"Every conversation Claude Code has had on this machine — Flotilla's and those run in a terminal — with what it cost. Tick two to merge them."</p>
                </div>
                <button type="button" class="btn btn-secondary" data-testid="import-open" on:click=move |_| importing.update(|o| *o = !*o)>
                    <Icon name="upload" class="size-4"/>"Import"
                </button>
            </div>
            <Show when=move || importing.get()>
                <ImportPanel on_close=Callback::new(move |_| importing.set(false))/>
            </Show>
            {move || worktree.get().map(|w| view! {
                <p class="mt-3 text-sm" data-testid="worktree-filter">
                    "Only the sessions of one worktree. "
                    <A href=format!("/worktrees/{w}") attr:class="underline">"Open the worktree"</A>
                </p>
            })}
            <form class="card mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_auto_auto_6rem_auto]" role="search" data-testid="session-filters"
                on:submit=move |ev| { ev.prevent_default(); apply(); }>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Search"</span>
                    <input class="input" type="search" placeholder="Words in the prompts, folder or branch" bind:value=text data-testid="session-search"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Project"</span>
                    <select class="input" bind:value=project data-testid="session-project">
                        <option value="">"Any project"</option>
                        {move || projects.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| view! {
                            <option value=p.id.clone()>{p.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Model"</span>
                    <input class="input" placeholder="e.g. sonnet" bind:value=model data-testid="session-model"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"From"</span>
                    <input class="input" type="date" bind:value=from data-testid="session-from"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"To"</span>
                    <input class="input" type="date" bind:value=to data-testid="session-to"/>
                </label>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Cost ≥ $"</span>
                    <input class="input" type="number" min="0" step="0.01" inputmode="decimal" placeholder="0" bind:value=min_cost data-testid="session-min-cost"/>
                </label>
                <div class="flex items-end gap-2">
                    <button type="submit" class="btn btn-primary" data-testid="session-apply">
                        <Icon name="search" class="size-4"/>"Search"
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=clear>"Clear"</button>
                </div>
            </form>
            <Transition fallback=|| view! { <p class="mt-6 text-muted">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <p class="card mt-6 text-red-600" role="alert">"Could not load sessions: " {e.to_string()}</p> }.into_any(),
                        Ok(page) => view! { <Results page offset selected/> }.into_any(),
                    }
                })}
            </Transition>
            <MergeBar selected/>
        </section>
    }
    .into_any()
}

#[component]
fn Results(
    page: SessionPage,
    offset: RwSignal<u64>,
    selected: RwSignal<Vec<(String, String)>>,
) -> impl IntoView {
    let SessionPage {
        items,
        total,
        offset: first,
        limit,
        total_cost_usd,
        index,
    } = page;
    let shown = items.len() as u64;
    let empty = items.is_empty();
    let dir = index.transcripts_dir.clone();
    view! {
        <IndexProgress index/>
        <div class="mt-4 flex flex-wrap items-center gap-2 text-sm text-muted" data-testid="session-summary">
            <span>{format!("{total} session{}", if total == 1 { "" } else { "s" })}</span>
            <span>"·"</span>
            <span class="tabular-nums" title="Cost of all matching sessions">{usd(total_cost_usd)}</span>
            <span class="flex-1"></span>
            {(total > limit).then(|| view! {
                <span class="tabular-nums">{format!("{}–{} of {total}", first + 1, first + shown)}</span>
                <button type="button" class="btn btn-secondary px-2 py-1" disabled=first == 0
                    on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"Previous"</button>
                <button type="button" class="btn btn-secondary px-2 py-1" disabled=first + shown >= total
                    on:click=move |_| offset.update(|o| *o += PAGE)>"Next"</button>
            })}
        </div>
        {if empty {
            view! {
                <div class="card mt-3 flex flex-col items-center gap-2 py-10 text-center" data-testid="empty-sessions">
                    <Icon name="history" class="size-10 text-muted"/>
                    <h2 class="text-lg font-semibold">"No sessions found"</h2>
                    <p class="max-w-md text-sm text-muted">
                        "Sessions appear here as Claude Code writes them (in " <code class="break-all">{dir}</code> "). Change the filters, or start an instance."
                    </p>
                </div>
            }.into_any()
        } else {
            view! {
                <ul class="mt-3 grid gap-2" data-testid="session-list">
                    {items.into_iter().map(|s| view! { <SessionRow session=s selected/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn IndexProgress(index: IndexStatus) -> impl IntoView {
    if let Some(error) = index.error.clone() {
        return view! {
            <p class="card mt-4 text-sm text-red-600" role="alert" data-testid="index-error">{error}</p>
        }
        .into_any();
    }
    if index.ready {
        return view! {
            <p class="mt-4 text-xs text-muted" data-testid="index-ready">
                {format!(
                    "{} transcript file{} indexed{}.",
                    index.files,
                    if index.files == 1 { "" } else { "s" },
                    if index.malformed_lines > 0 { format!(" · {} unreadable line(s) skipped", index.malformed_lines) } else { String::new() }
                )}
            </p>
        }
        .into_any();
    }
    let pct = (index.bytes_done * 100)
        .checked_div(index.bytes_total)
        .unwrap_or(0);
    // Time left, from the pace so far.
    let left = (index.bytes_done > 0 && index.bytes_total > index.bytes_done).then(|| {
        let ms = index.elapsed_ms as f64 * (index.bytes_total - index.bytes_done) as f64
            / index.bytes_done as f64;
        format!(" · about {} s left", (ms / 1000.0).ceil() as u64)
    });
    view! {
        <div class="card mt-4" role="status" data-testid="index-progress">
            <p class="flex items-center gap-2 text-sm font-medium">
                <Icon name="loader-circle" class="size-4 animate-spin"/>
                "Indexing your transcripts — the list fills in as it goes."
            </p>
            <div class="mt-2 h-2 overflow-hidden rounded bg-surface-2">
                <div class="h-full bg-accent transition-all" style=format!("width: {pct}%")></div>
            </div>
            <p class="mt-1 text-xs tabular-nums text-muted">
                {format!("{} of {} files · {} of {}", index.files_done, index.files_total, bytes(index.bytes_done), bytes(index.bytes_total))}
                {left}
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn SessionRow(session: SessionItem, selected: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    let title = session
        .title
        .clone()
        .unwrap_or_else(|| "Untitled session".into());
    let when = session
        .ended_at
        .as_deref()
        .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
        .unwrap_or_default();
    let tokens = session.input_tokens
        + session.output_tokens
        + session.cache_creation_tokens
        + session.cache_read_tokens;
    let cost_title = if session.cost_from_cli {
        "As reported by Claude Code".to_string()
    } else if session.unpriced_messages > 0 {
        format!(
            "From the price table; {} message(s) of an unpriced model not included",
            session.unpriced_messages
        )
    } else {
        "From the price table".to_string()
    };
    let id = session.id.clone();
    let picked = {
        let id = id.clone();
        move || selected.with(|s| s.iter().any(|(p, _)| *p == id))
    };
    let toggle = {
        let (id, title) = (id.clone(), title.clone());
        move |_| {
            selected.update(|s| match s.iter().position(|(p, _)| *p == id) {
                Some(i) => {
                    s.remove(i);
                }
                None if s.len() < 2 => s.push((id.clone(), title.clone())),
                None => {}
            })
        }
    };
    let full = {
        let picked = picked.clone();
        move || selected.with(Vec::len) >= 2 && !picked()
    };
    view! {
        <li class="card grid gap-1 p-3" data-testid="session-row" data-session=session.id.clone()>
            <div class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <input type="checkbox" class="size-4 shrink-0 self-center" aria-label=format!("Select {title} for a merge")
                    data-testid="merge-select" prop:checked=picked disabled=full on:change=toggle/>
                <A href=format!("/sessions/{}", session.id) attr:class="min-w-0 flex-1 basis-48 break-words font-medium hover:underline" attr:data-testid="session-title">{title.clone()}</A>
                <span class="shrink-0 text-sm tabular-nums" title=cost_title data-testid="session-cost">{usd(session.cost_usd)}</span>
            </div>
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
                {match (session.project_id.clone(), session.project_name.clone()) {
                    (Some(id), Some(name)) => view! {
                        <A href=format!("/projects/{id}") attr:class="badge badge-info hover:underline">{name}</A>
                    }.into_any(),
                    _ => ().into_any(),
                }}
                {session.worktree_id.clone().map(|w| view! {
                    <A href=format!("/worktrees/{w}") attr:class="badge badge-muted hover:underline" attr:title="Its worktree">
                        {session.worktree_branch.clone().unwrap_or_else(|| "worktree".into())}
                    </A>
                })}
                // Only web links: the address came from a forge's answer, not from us.
                {session.pull_request_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(|u| view! {
                    <a href=u rel="noopener noreferrer external" target="_blank" class="badge badge-info hover:underline" data-testid="session-pr">"pull request"</a>
                })}
                <span class="min-w-0 max-w-full truncate font-mono" title=session.cwd.clone().unwrap_or_default()>{session.cwd.clone().unwrap_or_default()}</span>
                {session.git_branch.clone().filter(|b| !b.is_empty()).map(|b| view! { <span class="font-mono">{b}</span> })}
                <span class="tabular-nums">{when}</span>
                <span>{format!("{} prompt(s) · {} API message(s)", session.prompts, session.api_messages)}</span>
                <span class="tabular-nums">{format!("{tokens} tokens")}</span>
                {(!session.models.is_empty()).then(|| view! { <span>{session.models.join(", ")}</span> })}
                // Plain downloads from the API (rel=external: not a page of the app).
                <span class="flex gap-2">
                    <a rel="external" download="" class="hover:underline" data-testid="export-markdown"
                        href=format!("/api/sessions/{}/export?format=markdown", session.id)>"Markdown"</a>
                    <a rel="external" download="" class="hover:underline" data-testid="export-jsonl"
                        title="Claude Code's own transcript: claude --resume continues it"
                        href=format!("/api/sessions/{}/export?format=jsonl", session.id)>"JSONL"</a>
                </span>
            </div>
        </li>
    }
}
