//! One session: what it cost, its conversation replayed in the chat's own items (step by step or
//! with its original timing), the outline of its message tree with "Fork here" on each message,
//! resume, and export.

use super::api::{fork_session, read_session, resume_session};
use super::family_ui::FamilyTree;
use super::types::{SessionDetail, SessionMessage};
use crate::base::format::usd;
use crate::instances::chat_ui::model::ChatModel;
use crate::instances::types::Instance;
use crate::instances::ChatReplay;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The longest pause replay keeps between two messages (the original may have waited hours).
const MAX_PAUSE_MS: i64 = 2_000;
const MIN_PAUSE_MS: i64 = 150;

#[component]
pub fn SessionDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, read_session);
    view! {
        <Suspense fallback=|| view! { <p class="text-muted">"Loading the session…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <SessionView detail/> }.into_any(),
                    Err(e) => view! {
                        <Title text="Session not found"/>
                        <section class="mx-auto max-w-xl py-12 text-center">
                            <h1 class="page-title">"Session not found"</h1>
                            <p class="mt-2 text-muted">{e.to_string()}</p>
                            <A href="/sessions" attr:class="btn btn-primary mt-6 inline-flex">"Back to the sessions"</A>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// A frame to replay and when it was written (ms since the epoch).
#[derive(Clone)]
struct ReplayFrame {
    at_ms: Option<i64>,
    kind: String,
    data: String,
}

#[component]
fn SessionView(detail: SessionDetail) -> impl IntoView {
    let s = detail.session.clone();
    let title = s.title.clone().unwrap_or_else(|| "Untitled session".into());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let start = Action::new(|(what, id, at): &(&'static str, String, Option<String>)| {
        let (what, id, at) = (*what, id.clone(), at.clone());
        async move {
            match what {
                "resume" => resume_session(id).await,
                _ => fork_session(id, at).await,
            }
        }
    });
    Effect::new(move |_| match start.value().get() {
        Some(Ok(instance)) => {
            let instance: Instance = instance;
            navigate(&format!("/instances/{}", instance.id), Default::default())
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let pending = start.pending();
    let id = s.id.clone();
    let resume = {
        let id = id.clone();
        move |_| {
            error.set(None);
            start.dispatch(("resume", id.clone(), None));
        }
    };
    let fork_at = Callback::new({
        let id = id.clone();
        move |at: Option<String>| {
            error.set(None);
            start.dispatch(("fork", id.clone(), at));
        }
    });
    let frames: Vec<ReplayFrame> = detail
        .messages
        .iter()
        .filter(|m| m.on_path)
        .filter_map(|m| {
            Some(ReplayFrame {
                at_ms: m
                    .timestamp
                    .as_deref()
                    .and_then(crate::base::format::parse_rfc3339_ms),
                kind: m.frame_kind.clone()?,
                data: m.frame_data.clone()?,
            })
        })
        .collect();
    let when = s
        .started_at
        .as_deref()
        .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
        .unwrap_or_default();
    view! {
        <Title text=title.clone()/>
        <section class="mx-auto max-w-5xl" data-testid="session-detail">
            <p class="text-sm text-muted"><A href="/sessions" attr:class="hover:underline">"Sessions"</A>" / "<span class="font-mono">{id.clone()}</span></p>
            <div class="mt-1 flex flex-wrap items-start gap-3">
                <h1 class="page-title min-w-0 flex-1 basis-64 break-words" data-testid="session-detail-title">{title}</h1>
                <div class="flex flex-wrap gap-2">
                    <button type="button" class="btn btn-primary" data-testid="resume-session"
                        disabled=pending on:click=resume title="Continue this conversation in an instance (claude --resume)">
                        <Icon name="play" class="size-4"/>"Resume"
                    </button>
                    <button type="button" class="btn btn-secondary" data-testid="fork-latest" disabled=pending
                        title="A new session with this conversation, continued in a new instance"
                        on:click=move |_| fork_at.run(None)>
                        <Icon name="git-fork" class="size-4"/>"Fork"
                    </button>
                    <a rel="external" download="" class="btn btn-secondary" href=format!("/api/sessions/{id}/export?format=markdown")>"Markdown"</a>
                    <a rel="external" download="" class="btn btn-secondary" href=format!("/api/sessions/{id}/export?format=jsonl")>"JSONL"</a>
                </div>
            </div>
            <p class="mt-1 flex flex-wrap gap-x-3 text-sm text-muted">
                {s.project_name.clone().zip(s.project_id.clone()).map(|(name, pid)| view! {
                    <A href=format!("/projects/{pid}") attr:class="badge badge-info hover:underline">{name}</A>
                })}
                {s.worktree_id.clone().map(|w| view! {
                    <A href=format!("/worktrees/{w}") attr:class="badge badge-muted hover:underline" attr:title="Its worktree">
                        {s.worktree_branch.clone().unwrap_or_else(|| "worktree".into())}
                    </A>
                })}
                {s.pull_request_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(|u| view! {
                    <a href=u rel="noopener noreferrer external" target="_blank" class="badge badge-info hover:underline">"pull request"</a>
                })}
                <span class="font-mono break-all">{s.cwd.clone().unwrap_or_default()}</span>
                {s.git_branch.clone().map(|b| view! { <span class="font-mono">{b}</span> })}
                <span>{when}</span>
                <span>{format!("{} prompt(s) · {} API message(s)", s.prompts, s.api_messages)}</span>
                <span class="tabular-nums" data-testid="session-detail-cost">{usd(s.cost_usd)}</span>
            </p>
            {move || error.get().map(|e| view! { <p class="alert alert-error mt-3" role="alert" data-testid="session-error">{e}</p> })}
            {detail.cut.then(|| view! { <p class="badge badge-warn mt-2">"A very long session: only its first messages are shown."</p> })}
            {(!detail.family.is_empty()).then(|| view! { <FamilyTree family=detail.family.clone() current=id.clone()/> })}
            <div class="mt-4 grid gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
                <Replay frames/>
                <Outline messages=detail.messages fork_at pending/>
            </div>
        </section>
    }
}

/// The main conversation played back through the chat's own reducer and items.
#[component]
fn Replay(frames: Vec<ReplayFrame>) -> impl IntoView {
    let total = frames.len();
    let frames = StoredValue::new(frames);
    let chat = RwSignal::new(ChatModel::new());
    // How many frames are shown; the whole conversation to begin with.
    let step = RwSignal::new(total);
    let playing = RwSignal::new(false);
    Effect::new(move |_| {
        let n = step.get();
        let mut model = ChatModel::new();
        frames.with_value(|f| {
            for (i, frame) in f.iter().take(n).enumerate() {
                model.apply(i as u64 + 1, &frame.kind, &frame.data);
            }
        });
        chat.set(model);
    });
    // While playing, the next frame comes after the pause the original had (within bounds).
    Effect::new(move |_| {
        let (now, on) = (step.get(), playing.get());
        if !on {
            return;
        }
        if now >= total {
            playing.set(false);
            return;
        }
        let pause = frames.with_value(|f| {
            let gap = match (now.checked_sub(1).and_then(|p| f[p].at_ms), f[now].at_ms) {
                (Some(a), Some(b)) => b - a,
                _ => MIN_PAUSE_MS,
            };
            gap.clamp(MIN_PAUSE_MS, MAX_PAUSE_MS)
        });
        set_timeout(
            move || {
                if playing.get_untracked() && step.get_untracked() == now {
                    step.set(now + 1);
                }
            },
            std::time::Duration::from_millis(pause as u64),
        );
    });
    let play = move |_| {
        if playing.get_untracked() {
            playing.set(false);
        } else {
            if step.get_untracked() >= total {
                step.set(0);
            }
            playing.set(true);
        }
    };
    view! {
        <div class="card min-w-0 p-3" data-testid="replay">
            <div class="flex flex-wrap items-center gap-2">
                <h2 class="font-medium">"Conversation"</h2>
                <span class="text-sm tabular-nums text-muted" data-testid="replay-position">{move || format!("{} / {total}", step.get())}</span>
                <div class="ml-auto flex gap-1">
                    <button type="button" class="btn btn-secondary px-2 py-1" title="Back to the start" aria-label="Back to the start"
                        data-testid="replay-start" on:click=move |_| { playing.set(false); step.set(0); }>
                        <Icon name="skip-back" class="size-4"/>
                    </button>
                    <button type="button" class="btn btn-secondary px-2 py-1" title="One message back" aria-label="One message back"
                        data-testid="replay-back" on:click=move |_| { playing.set(false); step.update(|s| *s = s.saturating_sub(1)); }>
                        <Icon name="chevron-left" class="size-4"/>
                    </button>
                    <button type="button" class="btn btn-secondary px-2 py-1" title="One message on" aria-label="One message on"
                        data-testid="replay-step" on:click=move |_| { playing.set(false); step.update(|s| *s = (*s + 1).min(total)); }>
                        <Icon name="chevron-right" class="size-4"/>
                    </button>
                    <button type="button" class="btn btn-primary px-3 py-1" data-testid="replay-play" on:click=play
                        title="Play back with the original timing (pauses over 2 s are shortened)">
                        {move || if playing.get() { "Pause" } else { "Play" }}
                    </button>
                </div>
            </div>
            <div class="mt-3">
                {(total == 0).then(|| view! { <p class="py-6 text-center text-muted">"Nothing to replay: the session has no messages yet."</p> })}
                <ChatReplay chat/>
            </div>
        </div>
    }
}

/// The message tree as an outline: indented where the conversation branched, the messages
/// `--resume` continues from marked, "Fork here" on each message of the main conversation.
#[component]
fn Outline(
    messages: Vec<SessionMessage>,
    fork_at: Callback<Option<String>>,
    pending: Memo<bool>,
) -> impl IntoView {
    let count = messages.len();
    let rows = messages
        .into_iter()
        .map(|m| {
            let indent = format!("padding-left: {}rem", m.level.min(8) as f32 * 0.75);
            let time = m
                .timestamp
                .as_deref()
                .and_then(|t| t.get(11..19))
                .unwrap_or("")
                .to_string();
            let kind = if m.sidechain {
                "sub-agent".to_string()
            } else if m.prompt {
                "prompt".to_string()
            } else {
                m.kind.clone()
            };
            let uuid = m.uuid.clone();
            let forkable = !m.sidechain;
            view! {
                <li class="flex items-center gap-2 border-b border-line py-1 text-sm last:border-0" style=indent
                    data-testid="outline-message" data-uuid=m.uuid.clone() data-on-path=m.on_path.to_string()>
                    <span class="shrink-0 font-mono text-xs text-muted">{time}</span>
                    <span class=if m.on_path { "badge badge-info shrink-0" } else { "badge badge-muted shrink-0" }>{kind}</span>
                    <span class="min-w-0 flex-1 truncate" title=m.summary.clone()>{m.summary.clone()}</span>
                    {forkable.then(|| view! {
                        <button type="button" class="btn btn-secondary shrink-0 px-2 py-0.5 text-xs" data-testid="fork-here"
                            disabled=pending title="A new session with the conversation up to here, continued in a new instance"
                            on:click=move |_| fork_at.run(Some(uuid.clone()))>"Fork here"</button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card min-w-0 p-3" data-testid="outline">
            <h2 class="font-medium">{format!("Messages ({count})")}</h2>
            <p class="text-xs text-muted">"Indented where the conversation branched; blue marks the path resume continues."</p>
            <ul class="mt-2 max-h-[70vh] overflow-y-auto">{rows}</ul>
        </div>
    }
}
