//! The instance page: the conversation, live, and the controls to steer it.
//!
//! Frames arrive over `/ws/instances/{id}/interact?since=<last seq>` (replay, then live; after a
//! drop the socket reconnects and resumes from the last seq it has) and go through the pure
//! [`model::ChatModel`]; the views in `items` render its items.

mod composer;
mod items;
mod mcp_status;
pub mod model;
mod tools;

use super::api::{get_instance, resume_instance, stop_instance};
use super::types::{
    EventFrame, Instance, InstanceStatus, SocketAnswer, MODEL_SUGGESTIONS, PERMISSION_MODES,
};
use crate::base::format::usd;
use crate::ui::socket::{LiveSocket, SocketState};
use crate::ui::{Icon, StatusBadge};
use composer::Composer;
use items::ItemView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::ChatModel;

/// What the chat's parts share.
#[derive(Clone, Copy)]
pub(crate) struct ChatContext {
    pub chat: RwSignal<ChatModel>,
    pub socket: StoredValue<Option<LiveSocket>>,
    pub socket_state: ReadSignal<SocketState>,
    /// The last error the server answered a message with.
    pub error: RwSignal<Option<String>>,
}

impl ChatContext {
    /// Sends a client message; says so when the connection is down.
    pub fn send(&self, message: serde_json::Value) -> bool {
        let sent = self
            .socket
            .with_value(|s| s.as_ref().is_some_and(|s| s.send(&message.to_string())));
        if !sent {
            self.error.set(Some(
                "Not connected to the server; reconnecting. Try again in a moment.".into(),
            ));
        }
        sent
    }
}

#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let initial = Resource::new(id, get_instance);
    view! {
        <Suspense fallback=|| view! { <p class="text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(instance) => view! { <Chat instance/> }.into_any(),
                    Err(e) => view! {
                        <Title text="Instance not found"/>
                        <section class="mx-auto max-w-xl py-12 text-center">
                            <h1 class="page-title">"Instance not found"</h1>
                            <p class="mt-2 text-muted">{e.to_string()}</p>
                            <A href="/" attr:class="btn btn-primary mt-6 inline-flex">"Back to the dashboard"</A>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Chat(instance: Instance) -> impl IntoView {
    let id = instance.id.clone();
    let chat = RwSignal::new(ChatModel::new());
    let (socket_state, set_socket_state) = signal(SocketState::Connecting);
    let ctx = ChatContext {
        chat,
        socket: StoredValue::new(None),
        socket_state,
        error: RwSignal::new(None),
    };
    provide_context(ctx);
    let fallback = instance.clone();
    let current = Signal::derive(move || {
        chat.with(|m| m.instance.clone())
            .unwrap_or_else(|| fallback.clone())
    });
    let messages = NodeRef::<leptos::html::Div>::new();

    Effect::new({
        let id = id.clone();
        move |_| {
            // Frames are applied in batches, once per animation frame: a replay of thousands of
            // frames renders a few times, not thousands.
            let pending = StoredValue::new_local(Vec::<(u64, String, String)>::new());
            let scheduled = StoredValue::new_local(false);
            let flush = move || {
                scheduled.set_value(false);
                let batch = pending.try_update_value(std::mem::take).unwrap_or_default();
                if !batch.is_empty() {
                    chat.update(|m| {
                        for (seq, kind, data) in &batch {
                            m.apply(*seq, kind, data);
                        }
                    });
                }
            };
            let id = id.clone();
            let socket = LiveSocket::open(
                move || {
                    format!(
                        "/ws/instances/{id}/interact?since={}",
                        chat.with_untracked(|m| m.last_seq)
                    )
                },
                move |text| {
                    // A frame, or an answer to something this page sent.
                    if let Ok(frame) = serde_json::from_str::<EventFrame>(&text) {
                        pending.update_value(|p| {
                            p.push((
                                frame.seq,
                                frame.kind.into_owned(),
                                frame.data.get().to_string(),
                            ))
                        });
                        if !scheduled.get_value() {
                            scheduled.set_value(true);
                            request_animation_frame(flush);
                        }
                    } else if let Ok(SocketAnswer::Error { message, .. }) =
                        serde_json::from_str::<SocketAnswer>(&text)
                    {
                        ctx.error.set(Some(message));
                    }
                },
                set_socket_state,
            );
            ctx.socket.set_value(Some(socket));
        }
    });

    // The conversation sticks to the bottom while the reader is there (it opens there too); once
    // they scroll up it stays put and counts what arrives below, for "Jump to latest".
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    Effect::new(move |seen: Option<usize>| {
        let count = chat.with(|m| m.top_level().count());
        // Also track the last item's growth (streamed text, a tool's result).
        chat.with(|m| m.items.last().map(|i| i.version));
        if at_bottom.get_untracked() {
            if let Some(el) = messages.get() {
                let el: web_sys::Element = el.into();
                request_animation_frame(move || crate::ui::browser::scroll_to_bottom(&el));
            }
        } else if let Some(seen) = seen {
            if count > seen {
                unseen.update(|n| *n += count - seen);
            }
        }
        count
    });
    let on_scroll = move |_| {
        if let Some(el) = messages.get() {
            let el: web_sys::Element = el.into();
            let bottom = crate::ui::browser::distance_from_bottom(&el) < 48;
            if bottom != at_bottom.get_untracked() {
                at_bottom.set(bottom);
            }
            if bottom && unseen.get_untracked() > 0 {
                unseen.set(0);
            }
        }
    };
    let jump = move |_| {
        if let Some(el) = messages.get() {
            let el: web_sys::Element = el.into();
            crate::ui::browser::scroll_to_bottom(&el);
        }
        at_bottom.set(true);
        unseen.set(0);
    };

    let name = move || current.with(|i| i.name.clone());
    view! {
        <Title text=name/>
        <section class="mx-auto flex h-full max-w-5xl flex-col" data-testid="chat">
            <Header current/>
            <mcp_status::McpStatusBar/>
            <Show when=move || socket_state.get() == SocketState::Reconnecting>
                <p class="badge badge-warn mt-2 self-start" data-testid="reconnecting">
                    <Icon name="wifi-off" class="size-3.5"/>
                    "Connection lost — reconnecting and catching up…"
                </p>
            </Show>
            <div class="relative mt-3 flex min-h-0 flex-1 flex-col">
            <div node_ref=messages class="min-h-0 flex-1 space-y-3 overflow-y-auto overscroll-contain pb-4" data-testid="messages" on:scroll=on_scroll>
                <Show when=move || chat.with(|m| m.items.is_empty())>
                    <p class="py-8 text-center text-muted">
                        {move || if socket_state.get() == SocketState::Open { "No messages yet." } else { "Loading the conversation…" }}
                    </p>
                </Show>
                <For
                    each=move || chat.with(|m| m.top_level().map(|i| (i.key, i.version)).collect::<Vec<_>>())
                    key=|k| *k
                    let((key, _version))
                >
                    <ItemView key/>
                </For>
                <Show when=move || {
                    current.with(|i| i.status == InstanceStatus::Running) && !chat.with(|m| m.is_streaming())
                }>
                    <p class="flex items-center gap-2 text-sm text-muted" data-testid="working">
                        <Icon name="loader-circle" class="size-4 animate-spin"/>
                        "Claude is working…"
                    </p>
                </Show>
            </div>
            <Show when=move || !at_bottom.get()>
                <button type="button" class="btn btn-primary absolute bottom-3 left-1/2 -translate-x-1/2 whitespace-nowrap py-1.5 text-sm shadow-lg"
                    data-testid="jump-to-latest" on:click=jump>
                    <Icon name="arrow-down" class="size-4"/>
                    {move || match unseen.get() {
                        0 => "Jump to latest".to_string(),
                        n => format!("Jump to latest ({n} new)"),
                    }}
                </button>
            </Show>
            </div>
            <Composer current/>
        </section>
    }
}

#[component]
fn Header(current: Signal<Instance>) -> impl IntoView {
    let ctx = expect_context::<ChatContext>();
    let status = Signal::derive(move || current.with(|i| i.status));
    let live = move || status.get().is_live();
    let act = Action::new(move |stop: &bool| {
        let (stop, id) = (*stop, current.with_untracked(|i| i.id.clone()));
        async move {
            if stop {
                stop_instance(id).await.map(|_| ())
            } else {
                resume_instance(id).await.map(|_| ())
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Err(e)) = act.value().get() {
            ctx.error.set(Some(e.to_string()));
        }
    });
    let models = move || {
        let current_model = current.with(|i| i.model.clone());
        let mut options: Vec<String> = MODEL_SUGGESTIONS.iter().map(|s| s.to_string()).collect();
        match current_model {
            Some(m) if !options.contains(&m) => options.insert(0, m),
            Some(_) => {}
            // Until the CLI says which model it runs, the picker says so instead of going blank.
            None => options.insert(0, String::new()),
        }
        options
    };
    view! {
        <header class="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-base pb-3">
            <A href="/" attr:class="btn-icon" attr:aria-label="Back to the dashboard">
                <Icon name="chevron-right" class="size-5 rotate-180"/>
            </A>
            // At least 12rem wide: on a phone the controls wrap below instead of squeezing it.
            <div class="min-w-0 flex-1 basis-48">
                <h1 class="truncate text-lg font-semibold" data-testid="instance-name">{move || current.with(|i| i.name.clone())}</h1>
                <p class="truncate font-mono text-xs text-muted">{move || current.with(|i| i.cwd.clone())}</p>
            </div>
            // Where its work is reviewed and shipped (and its pull request shown).
            {move || current.with(|i| {
                let (href, label) = match (&i.worktree_id, &i.project_id) {
                    (Some(w), _) => (format!("/worktrees/{w}"), "Worktree"),
                    (None, Some(p)) => (format!("/projects/{p}?tab=changes"), "Project"),
                    _ => return None,
                };
                Some(view! {
                    <a href=href class="btn btn-secondary py-1.5" data-testid="review-link">
                        <Icon name="folder-git-2" class="size-4"/>{label}
                    </a>
                })
            })}
            <StatusBadge status/>
            <span class="text-sm tabular-nums text-muted" title="Total cost" data-testid="instance-cost">
                {move || usd(current.with(|i| i.cost_usd))}
            </span>
            <select
                class="input w-auto py-1.5"
                aria-label="Model"
                data-testid="model-select"
                prop:value=move || current.with(|i| i.model.clone().unwrap_or_default())
                on:change=move |ev| {
                    ctx.send(serde_json::json!({"type": "set_model", "model": event_target_value(&ev)}));
                }
            >
                <For each=models key=|m| m.clone() let(m)>
                    <option value=m.clone() disabled=m.is_empty()>
                        {if m.is_empty() { "Default model".to_string() } else { m.clone() }}
                    </option>
                </For>
            </select>
            <select
                class="input w-auto py-1.5"
                aria-label="Permission mode"
                data-testid="mode-select"
                prop:value=move || current.with(|i| i.permission_mode.clone())
                on:change=move |ev| {
                    ctx.send(serde_json::json!({"type": "set_permission_mode", "mode": event_target_value(&ev)}));
                }
            >
                {PERMISSION_MODES.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
            </select>
            <Show
                when=live
                fallback=move || view! {
                    <button type="button" class="btn btn-primary" disabled=act.pending() data-testid="resume-button"
                        on:click=move |_| { act.dispatch(false); }>
                        <Icon name="play" class="size-4"/>
                        "Resume"
                    </button>
                }
            >
                <button type="button" class="btn btn-secondary" disabled=act.pending() data-testid="stop-button"
                    on:click=move |_| { act.dispatch(true); }>
                    <Icon name="square" class="size-4"/>
                    "Stop"
                </button>
            </Show>
        </header>
        <Show when=move || current.with(|i| i.status_reason.is_some())>
            <p class="mt-2 text-sm text-muted" data-testid="status-reason">
                {move || current.with(|i| i.status_reason.clone().unwrap_or_default())}
            </p>
        </Show>
    }
}

/// A conversation shown read-only, in the same items as the live chat: a session's replay. The
/// caller fills `chat` (frames through [`ChatModel::apply`]); nothing here can send.
#[component]
pub fn ChatReplay(chat: RwSignal<ChatModel>) -> impl IntoView {
    let (socket_state, _) = signal(SocketState::Closed);
    provide_context(ChatContext {
        chat,
        socket: StoredValue::new(None),
        socket_state,
        error: RwSignal::new(None),
    });
    view! {
        <div class="space-y-3" data-testid="replay-messages">
            <For
                each=move || chat.with(|m| m.top_level().map(|i| (i.key, i.version)).collect::<Vec<_>>())
                key=|k| *k
                let((key, _version))
            >
                <ItemView key/>
            </For>
        </div>
    }
}
