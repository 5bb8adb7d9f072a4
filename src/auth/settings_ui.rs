//! The Settings sections of the auth feature: the password and signed-in browsers, API tokens.
//! Access settings and the audit log are in `access_ui.rs`.

use super::api::{
    change_password, create_token, list_sessions, list_tokens, revoke_session, revoke_token,
    rotate_token,
};
use super::types::{CreateToken, NewToken, SessionInfo, TokenInfo, TokenScope};
use crate::error::AppError;
use crate::ui::{browser, Icon};
use leptos::prelude::*;

pub use super::access_ui::{AccessPanel, AuditPanel};

/// A short, readable time from an RFC 3339 timestamp (`2026-12-02 14:03`).
pub(super) fn short_time(ts: &str) -> String {
    ts.get(..16)
        .map(|t| t.replace('T', " "))
        .unwrap_or_else(|| ts.to_string())
}

#[component]
pub fn PasswordPanel() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let change = Action::new(|(c, n): &(String, String)| {
        let (c, n) = (c.clone(), n.clone());
        async move { change_password(c, n).await }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
            message.set(Some(Ok(
                "Password changed. Every other browser was signed out.".into(),
            )));
        }
        Some(Err(e)) => message.set(Some(Err(e.to_string()))),
        None => {}
    });
    let submit = move || {
        if new.get_untracked() != confirm.get_untracked() {
            message.set(Some(Err("The two new passwords differ.".into())));
            return;
        }
        message.set(None);
        change.dispatch((current.get_untracked(), new.get_untracked()));
    };
    view! {
        <form class="card grid gap-3" data-testid="password-form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <h2 class="text-lg font-semibold">"Password"</h2>
            <div>
                <label class="label" for="pw-current">"Current password"</label>
                <input id="pw-current" type="password" class="input" autocomplete="current-password" bind:value=current/>
            </div>
            <div class="grid gap-3 sm:grid-cols-2">
                <div>
                    <label class="label" for="pw-new">"New password"</label>
                    <input id="pw-new" type="password" class="input" autocomplete="new-password" minlength="10" bind:value=new/>
                </div>
                <div>
                    <label class="label" for="pw-confirm">"New password again"</label>
                    <input id="pw-confirm" type="password" class="input" autocomplete="new-password" bind:value=confirm/>
                </div>
            </div>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="text-sm text-emerald-700 dark:text-emerald-400" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="text-sm text-red-600" role="alert">{text}</p> }.into_any(),
            })}
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>"Change password"</button>
            </div>
        </form>
    }
}

#[component]
pub fn SessionsPanel() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| list_sessions());
    view! {
        <section class="card" data-testid="sessions-panel">
            <h2 class="text-lg font-semibold">"Signed-in browsers"</h2>
            <p class="mt-1 text-sm text-muted">"Sign a browser out if it is lost or not yours."</p>
            <Transition fallback=|| view! { <p class="mt-3 text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <p class="mt-3 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="mt-3 text-muted">"No browser is signed in (authentication is off)."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-3 divide-y divide-base">
                                {list.into_iter().map(|s| view! { <SessionRow session=s on_done=Callback::new(move |_| sessions.refetch())/> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(session: SessionInfo, on_done: Callback<()>) -> impl IntoView {
    let id = session.id.clone();
    let revoke = Action::new(move |_: &()| {
        let id = id.clone();
        async move { revoke_session(id).await }
    });
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => on_done.run(()),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let agent = session
        .user_agent
        .clone()
        .unwrap_or_else(|| "unknown browser".into());
    view! {
        <li class="flex flex-wrap items-center gap-2 py-2 text-sm">
            <Icon name="monitor" class="size-4 text-muted"/>
            <div class="min-w-0 flex-1">
                <p class="truncate" title=agent.clone()>{agent.clone()}</p>
                <p class="text-xs text-muted">
                    {session.client_ip.clone().unwrap_or_default()} " · signed in " {short_time(&session.created_at)}
                    " · last seen " {short_time(&session.last_seen_at)}
                </p>
                {move || error.get().map(|e| view! { <p class="text-xs text-red-600" role="alert">{e}</p> })}
            </div>
            {if session.current {
                view! { <span class="badge badge-info">"This browser"</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="btn btn-secondary" disabled=move || revoke.pending().get()
                        on:click=move |_| { revoke.dispatch(()); }>"Sign out"</button>
                }.into_any()
            }}
        </li>
    }
}

#[component]
pub fn TokensPanel() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_tokens());
    let fresh = RwSignal::new(None::<NewToken>);
    let refresh = Callback::new(move |t: Option<NewToken>| {
        if t.is_some() {
            fresh.set(t);
        }
        tokens.refetch();
    });
    view! {
        <section class="card grid gap-4" data-testid="tokens-panel">
            <div>
                <h2 class="text-lg font-semibold">"API tokens"</h2>
                <p class="mt-1 text-sm text-muted">
                    "For scripts and CI: send " <code class="font-mono">"Authorization: Bearer <token>"</code>
                    ". Only a hash is kept; the token is shown once."
                </p>
            </div>
            <NewTokenForm on_created=refresh/>
            {move || fresh.get().map(|t| view! { <FreshToken token=t on_close=Callback::new(move |_| fresh.set(None))/> })}
            <Transition fallback=|| view! { <p class="text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(e) => view! { <p class="text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="text-muted" data-testid="no-tokens">"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="divide-y divide-base" data-testid="token-list">
                                {list.into_iter().map(|t| view! { <TokenRow token=t on_change=refresh/> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NewTokenForm(on_created: Callback<Option<NewToken>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("full".to_string());
    let days = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = Action::new(|req: &CreateToken| {
        let req = req.clone();
        async move { create_token(req).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(token)) => {
            name.set(String::new());
            days.set(String::new());
            error.set(None);
            on_created.run(Some(token));
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let submit = move || {
        let expires_in_days = match days.get_untracked().trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    error.set(Some("Expiry must be a whole number of days.".into()));
                    return;
                }
            },
        };
        create.dispatch(CreateToken {
            name: name.get_untracked().trim().to_string(),
            scope: TokenScope::parse(&scope.get_untracked()).unwrap_or_default(),
            expires_in_days,
        });
    };
    view! {
        <form class="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end" data-testid="new-token-form"
            on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <div>
                <label class="label" for="token-name">"Name"</label>
                <input id="token-name" class="input" placeholder="ci-deploy" autocomplete="off" required
                    data-testid="token-name" bind:value=name/>
            </div>
            <div>
                <label class="label" for="token-scope">"Scope"</label>
                <select id="token-scope" class="input" data-testid="token-scope" bind:value=scope>
                    <option value="full">"Full"</option>
                    <option value="read">"Read only"</option>
                </select>
            </div>
            <div>
                <label class="label" for="token-days">"Expires in (days)"</label>
                <input id="token-days" class="input sm:w-32" inputmode="numeric" placeholder="never" bind:value=days/>
            </div>
            <button type="submit" class="btn btn-primary" data-testid="create-token" disabled=move || create.pending().get()>
                <Icon name="key-round" class="size-4"/>"Create token"
            </button>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600 sm:col-span-4" role="alert" data-testid="token-error">{move || error.get()}</p>
            </Show>
        </form>
    }
}

/// The secret of a token just created or rotated, shown this once.
#[component]
fn FreshToken(token: NewToken, on_close: Callback<()>) -> impl IntoView {
    let secret = token.token.clone();
    let (copied, set_copied) = signal(false);
    view! {
        <div class="rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm dark:bg-amber-900/20" role="status" data-testid="fresh-token">
            <p class="font-medium">"Token " {token.info.name.clone()} " — copy it now; it will not be shown again."</p>
            <div class="mt-2 flex flex-wrap items-center gap-2">
                <code class="min-w-0 flex-1 break-all rounded bg-white/70 px-2 py-1 font-mono text-xs dark:bg-black/30"
                    data-testid="fresh-token-value">{secret.clone()}</code>
                <button type="button" class="btn btn-secondary" on:click=move |_| { browser::copy_text(&secret); set_copied.set(true); }>
                    <Icon name="copy" class="size-4"/>{move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>"Done"</button>
            </div>
        </div>
    }
}

#[component]
fn TokenRow(token: TokenInfo, on_change: Callback<Option<NewToken>>) -> impl IntoView {
    let live = token.revoked_at.is_none() && !token.expired;
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = token.id.clone();
    let act = Action::new(move |what: &&'static str| {
        let (id, what) = (id.clone(), *what);
        async move {
            match what {
                "revoke" => revoke_token(id).await.map(|_| None),
                _ => rotate_token(id, None).await.map(Some),
            }
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(fresh)) => on_change.run(fresh),
        Some(Err(e)) => error.set(Some(AppError::to_string(&e))),
        None => {}
    });
    let state = if token.revoked_at.is_some() {
        view! { <span class="badge badge-muted">"Revoked"</span> }.into_any()
    } else if token.expired {
        view! { <span class="badge badge-warn">"Expired"</span> }.into_any()
    } else {
        view! { <span class="badge badge-ok">"Active"</span> }.into_any()
    };
    let used = match (&token.last_used_at, &token.last_used_ip) {
        (Some(at), Some(ip)) => format!("last used {} from {ip}", short_time(at)),
        (Some(at), None) => format!("last used {}", short_time(at)),
        _ => "never used".into(),
    };
    let expiry = token
        .expires_at
        .as_deref()
        .map(|e| format!(" · expires {}", short_time(e)))
        .unwrap_or_default();
    let overlap = token
        .previous_valid_until
        .as_deref()
        .map(|u| format!(" · old secret works until {}", short_time(u)))
        .unwrap_or_default();
    view! {
        <li class="flex flex-wrap items-center gap-2 py-2 text-sm" data-testid="token-row" data-name=token.name.clone()>
            <Icon name="key-round" class="size-4 text-muted"/>
            <div class="min-w-0 flex-1">
                <p class="flex flex-wrap items-center gap-2">
                    <span class="font-medium">{token.name.clone()}</span>
                    <span class="badge badge-info">{if token.scope == TokenScope::Read { "read" } else { "full" }}</span>
                    {state}
                </p>
                <p class="text-xs text-muted">"created " {short_time(&token.created_at)} " · " {used} {expiry} {overlap}</p>
                {move || error.get().map(|e| view! { <p class="text-xs text-red-600" role="alert">{e}</p> })}
            </div>
            <Show when=move || live>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="button" class="btn btn-secondary" title="A new secret; the old one works one more hour"
                        disabled=move || act.pending().get() on:click=move |_| { act.dispatch("rotate"); }>
                        <Icon name="rotate-cw" class="size-4"/>"Rotate"
                    </button>
                    <button type="button" class="btn btn-secondary" data-testid="revoke-token" on:click=move |_| confirming.set(true)>
                        <Icon name="trash-2" class="size-4"/>"Revoke"
                    </button>
                }>
                    <span class="text-xs text-muted">"Revoke? Scripts using it stop at once."</span>
                    <button type="button" class="btn btn-danger" data-testid="confirm-revoke-token"
                        disabled=move || act.pending().get() on:click=move |_| { act.dispatch("revoke"); }>"Revoke"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </Show>
            </Show>
        </li>
    }
}
