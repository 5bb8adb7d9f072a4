//! How each chat item looks. Everything Claude wrote is shown as text (escaped by Leptos) or as
//! Markdown through the safe renderer; nothing from the stream becomes markup any other way.

use super::model::wording::{stderr_sentence, turn_outcome};
use super::model::{ChatItem, ItemBody, Level, PermissionState};
use super::tools::{ToolCard, ToolPreview};
use super::ChatContext;
use crate::base::format::{duration_ms, usd};
use crate::ui::markdown::render_markdown;
use crate::ui::Icon;
use leptos::prelude::*;

/// One item, looked up by key. Re-created when the item's version changes.
#[component]
pub fn ItemView(key: u64) -> impl IntoView {
    let ctx = expect_context::<ChatContext>();
    let Some(item) = ctx.chat.with_untracked(|m| m.item(key).cloned()) else {
        return ().into_any();
    };
    render_item(item)
}

fn render_item(item: ChatItem) -> AnyView {
    match item.body {
        ItemBody::User { text } => view! {
            <div class="flex justify-end" data-testid="user-message">
                <div class="max-w-[85%] whitespace-pre-wrap rounded-2xl rounded-br-sm bg-accent px-4 py-2 text-white">{text}</div>
            </div>
        }
        .into_any(),
        ItemBody::Text { text, streaming } => view! { <MarkdownText text streaming/> }.into_any(),
        ItemBody::Thinking { text, streaming } => view! {
            <details class="text-sm text-muted" open=streaming>
                <summary class="cursor-pointer">{if streaming { "Thinking…" } else { "Thought" }}</summary>
                <p class="mt-1 whitespace-pre-wrap">{text}</p>
            </details>
        }
        .into_any(),
        ItemBody::Tool { id, name, input, result, permission } => {
            view! { <ToolCard id name input result permission/> }.into_any()
        }
        // Answered, and shown in its tool call's card.
        ItemBody::Permission { merged: true, .. } => ().into_any(),
        ItemBody::Permission { request_id, tool_name, input, reason, state, .. } => {
            view! { <PermissionCard request_id tool_name input reason state/> }.into_any()
        }
        ItemBody::TurnEnd { cost_usd, duration_ms: ms, input_tokens, output_tokens, is_error, terminal_reason, message } => {
            let facts = format!(
                "{} · {} in / {} out tokens · {}",
                usd(cost_usd),
                input_tokens,
                output_tokens,
                duration_ms(ms)
            );
            let outcome = turn_outcome(is_error, terminal_reason.as_deref(), message.as_deref());
            let icon = if outcome.is_error {
                view! { <Icon name="triangle-alert" class="size-3.5 text-amber-600"/> }.into_any()
            } else if outcome.title == "Turn interrupted" {
                view! { <Icon name="circle-stop" class="size-3.5"/> }.into_any()
            } else {
                view! { <Icon name="circle-check" class="size-3.5 text-emerald-600"/> }.into_any()
            };
            let tone = if outcome.is_error { "w-full text-red-600" } else { "w-full" };
            // The CLI's own words stay one click away when the sentence replaced them.
            let raw = message.filter(|m| outcome.sentence.as_deref() != Some(m.as_str()));
            view! {
                <div class="flex flex-wrap items-center gap-2 border-t border-dashed border-base pt-2 text-xs text-muted" data-testid="turn-end">
                    {icon}
                    <span class="font-medium">{outcome.title}</span>
                    <span class="tabular-nums">{facts}</span>
                    {outcome.sentence.map(|m| view! { <span class=tone data-testid="turn-message">{m}</span> })}
                    {raw.map(|r| view! {
                        <details class="w-full" data-testid="turn-details">
                            <summary class="cursor-pointer">"Details"</summary>
                            <pre class="mt-1 overflow-x-auto whitespace-pre-wrap break-all">{r}</pre>
                        </details>
                    })}
                </div>
            }
            .into_any()
        }
        ItemBody::Notice { level, text } => {
            let (icon, tone) = match level {
                Level::Info => ("info", "text-muted"),
                Level::Warning => ("triangle-alert", "text-amber-700 dark:text-amber-400"),
                Level::Error => ("triangle-alert", "text-red-600"),
            };
            view! {
                <p class=format!("flex items-start gap-2 text-xs {tone}") data-testid="notice">
                    <Icon name=icon class="mt-0.5 size-3.5"/>
                    <span class="whitespace-pre-wrap">{text}</span>
                </p>
            }
            .into_any()
        }
        ItemBody::Stderr { text } => match stderr_sentence(&text) {
            Some(sentence) => view! {
                <div class="text-xs" data-testid="stderr">
                    <p class="flex items-start gap-2 text-amber-700 dark:text-amber-400">
                        <Icon name="triangle-alert" class="mt-0.5 size-3.5"/>
                        <span>{sentence}</span>
                    </p>
                    <details class="ml-5 text-muted">
                        <summary class="cursor-pointer">"Details"</summary>
                        <pre class="mt-1 overflow-x-auto whitespace-pre-wrap break-all">{text}</pre>
                    </details>
                </div>
            }
            .into_any(),
            None => view! {
                <pre class="overflow-x-auto text-xs text-muted" data-testid="stderr"><span class="select-none">"stderr: "</span>{text}</pre>
            }
            .into_any(),
        },
        ItemBody::Raw { kind, text } => {
            let kind_attr = kind.clone();
            view! {
            <details class="text-xs text-muted" data-testid="raw-line" data-kind=kind_attr>
                <summary class="cursor-pointer">"Unrecognised output: " <code>{kind}</code></summary>
                <pre class="mt-1 overflow-x-auto whitespace-pre-wrap break-all">{text}</pre>
            </details>
        }
        .into_any()
        }
    }
}

/// Assistant text as Markdown; code blocks are highlighted once on screen.
#[component]
fn MarkdownText(text: String, streaming: bool) -> impl IntoView {
    let html = render_markdown(&text);
    let node = NodeRef::<leptos::html::Div>::new();
    node.on_load(move |el| {
        let el: web_sys::Element = el.into();
        crate::ui::browser::highlight_code_in(&el);
    });
    view! {
        <div class="prose-chat" class:streaming=streaming node_ref=node data-testid="assistant-text" inner_html=html></div>
    }
}

#[component]
fn PermissionCard(
    request_id: String,
    tool_name: String,
    input: serde_json::Value,
    reason: Option<String>,
    state: PermissionState,
) -> impl IntoView {
    let ctx = expect_context::<ChatContext>();
    let deny_reason = RwSignal::new(String::new());
    let answer = {
        let request_id = request_id.clone();
        move |allow: bool| {
            let mut message = serde_json::json!({
                "type": "permission",
                "request_id": request_id,
                "behavior": if allow { "allow" } else { "deny" },
            });
            let why = deny_reason.get_untracked();
            if !allow && !why.trim().is_empty() {
                message["message"] = why.into();
            }
            ctx.send(message);
        }
    };
    let allow = answer.clone();
    let outcome = permission_outcome(&state);
    let pending = outcome.is_none();
    view! {
        <div
            class=if pending { "card border-amber-400 bg-amber-50/50 dark:bg-amber-950/20" } else { "card" }
            data-testid="permission-card"
            data-state=if pending { "pending" } else { "answered" }
        >
            <p class="flex items-center gap-2 font-medium">
                <Icon name="shield-question" class="size-4 text-amber-600"/>
                "Claude wants to use " <code>{tool_name.clone()}</code>
            </p>
            {reason.map(|r| view! { <p class="mt-1 text-sm text-muted">{r}</p> })}
            <div class="mt-2">
                <ToolPreview name=tool_name input/>
            </div>
            {match outcome {
                Some(outcome) => view! { <div class="mt-3"><PermissionOutcome outcome/></div> }.into_any(),
                None => view! {
                    <div class="mt-3 flex flex-wrap items-center gap-2">
                        <button type="button" class="btn btn-primary" data-testid="allow-button" on:click=move |_| allow(true)>
                            <Icon name="check" class="size-4"/>
                            "Allow"
                        </button>
                        <button type="button" class="btn btn-secondary" data-testid="deny-button" on:click=move |_| answer(false)>
                            <Icon name="ban" class="size-4"/>
                            "Deny"
                        </button>
                        <input class="input min-w-40 flex-1 py-1.5" placeholder="Reason for denying (optional)" aria-label="Reason for denying" bind:value=deny_reason/>
                    </div>
                }
                .into_any(),
            }}
        </div>
    }
}

/// How a permission question ended, as (icon, words, colour); None while it waits.
pub type Outcome = (&'static str, String, &'static str);

pub fn permission_outcome(state: &PermissionState) -> Option<Outcome> {
    match state {
        PermissionState::Pending => None,
        PermissionState::Allowed => Some((
            "check",
            "Allowed".to_string(),
            "text-emerald-700 dark:text-emerald-400",
        )),
        PermissionState::Denied(m) if m.is_empty() => {
            Some(("ban", "Denied".into(), "text-red-600"))
        }
        PermissionState::Denied(m) => Some(("ban", format!("Denied: {m}"), "text-red-600")),
        PermissionState::TimedOut => {
            Some(("clock", "No answer in time — denied".into(), "text-red-600"))
        }
        PermissionState::Expired => Some((
            "clock",
            "The turn ended before an answer".into(),
            "text-muted",
        )),
    }
}

/// The answer line, in a permission card or in the tool card it moved into.
#[component]
pub fn PermissionOutcome(outcome: Outcome) -> impl IntoView {
    let (icon, text, tone) = outcome;
    view! {
        <p class=format!("flex items-center gap-2 text-sm {tone}") data-testid="permission-outcome">
            <Icon name=icon class="size-4"/>
            {text}
        </p>
    }
}
