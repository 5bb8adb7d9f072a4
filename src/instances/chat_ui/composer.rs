//! The input box for the next turn, with send and interrupt.

use super::ChatContext;
use crate::instances::types::{Instance, InstanceStatus};
use crate::ui::socket::SocketState;
use crate::ui::Icon;
use leptos::prelude::*;

#[component]
pub fn Composer(current: Signal<Instance>) -> impl IntoView {
    let ctx = expect_context::<ChatContext>();
    let text = RwSignal::new(String::new());
    let status = move || current.with(|i| i.status);
    let accepting = move || status().is_live();
    let connected = move || ctx.socket_state.get() == SocketState::Open;
    let send = move || {
        let prompt = text.get_untracked();
        if prompt.trim().is_empty() || !accepting() {
            return;
        }
        if ctx.send(serde_json::json!({"type": "query", "prompt": prompt})) {
            ctx.error.set(None);
            text.set(String::new());
        }
    };
    let interrupt = move |_| {
        ctx.send(serde_json::json!({"type": "interrupt"}));
    };
    let queued = move || current.with(|i| i.queued_prompts.clone());

    view! {
        <div class="border-t border-base pt-3">
            <Show when=move || !queued().is_empty()>
                <div class="mb-2 text-xs text-muted" data-testid="queued">
                    {move || format!("Queued ({}): ", queued().len())}
                    {move || queued().into_iter().map(|q| view! { <span class="badge badge-muted mr-1 max-w-48 truncate">{q}</span> }).collect_view()}
                </div>
            </Show>
            <Show when=move || ctx.error.get().is_some()>
                <p class="mb-2 flex items-center gap-2 text-sm text-red-600" role="alert" data-testid="chat-error">
                    <Icon name="triangle-alert" class="size-4"/>
                    {move || ctx.error.get()}
                    <button type="button" class="btn-icon size-6" aria-label="Dismiss" on:click=move |_| ctx.error.set(None)>
                        <Icon name="x" class="size-3.5"/>
                    </button>
                </p>
            </Show>
            <form
                class="flex items-end gap-2"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <textarea
                    class="input min-h-12 flex-1 resize-y"
                    rows="2"
                    aria-label="Message"
                    data-testid="composer"
                    placeholder=move || {
                        if !accepting() {
                            "This instance is not running. Resume it to continue."
                        } else if status() == InstanceStatus::Running {
                            "Claude is working; a message now waits its turn. (Enter sends, Shift+Enter breaks the line)"
                        } else {
                            "Message Claude… (Enter sends, Shift+Enter breaks the line)"
                        }
                    }
                    disabled=move || !accepting()
                    bind:value=text
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                <Show when=move || matches!(status(), InstanceStatus::Running | InstanceStatus::WaitingPermission)>
                    <button type="button" class="btn btn-secondary" title="Interrupt the running turn" data-testid="interrupt-button"
                        disabled=move || !connected() on:click=interrupt>
                        <Icon name="circle-stop" class="size-4"/>
                        <span>"Interrupt"</span>
                    </button>
                </Show>
                <button type="submit" class="btn btn-primary" aria-label="Send" data-testid="send-button"
                    disabled=move || !accepting() || !connected() || text.with(|t| t.trim().is_empty())>
                    <Icon name="send" class="size-4"/>
                    <span class="hidden sm:inline">"Send"</span>
                </button>
            </form>
        </div>
    }
}
