//! The sign-in page, the first-run page that creates the owner, and the header's user menu.

use super::api::{auth_status, login, logout, setup_owner};
use crate::ui::{browser, Icon};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where to go after signing in: a path of this site, never another site (`//evil`, `/\evil`).
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/".into())
}

/// True once the wasm has taken over the page. The forms stay disabled until then, so that a
/// click before hydration cannot submit a password as an ordinary form (into the URL).
fn hydrated() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    ready
}

/// The centred card the sign-in and setup pages share.
#[component]
fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main class="flex min-h-dvh items-center justify-center p-4">
            <section class="card w-full max-w-sm">
                <div class="mb-4 flex items-center gap-2 text-lg font-semibold">
                    <Icon name="sailboat" class="size-6 text-accent"/>
                    "Flotilla"
                </div>
                <h1 class="page-title">{title}</h1>
                <p class="mt-1 text-sm text-muted">{subtitle}</p>
                {children()}
            </section>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let ready = hydrated();
    // Already signed in (a link from another site arrives without the cookie), auth off, or no
    // owner yet: go where this visit belongs.
    let status = Resource::new(|| (), |_| auth_status());
    Effect::new(move |_| {
        if let Some(Ok(s)) = status.get() {
            if s.username.is_some() || !s.auth_enabled {
                browser::go_to(&next());
            } else if !s.owner_exists {
                browser::go_to("/setup");
            }
        }
    });
    let sign_in = Action::new(|(u, p): &(String, String)| {
        let (u, p) = (u.clone(), p.clone());
        async move { login(u, p).await }
    });
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(())) => browser::go_to(&next()),
        Some(Err(e)) => {
            password.set(String::new());
            error.set(Some(e.to_string()));
        }
        None => {}
    });
    let submit = move || {
        if username.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
            error.set(Some("Enter your username and password.".into()));
            return;
        }
        error.set(None);
        sign_in.dispatch((username.get_untracked(), password.get_untracked()));
    };
    view! {
        <AuthCard title="Sign in" subtitle="Flotilla runs agents on this machine; only its owner may drive them.">
            <form class="mt-4 grid gap-3" data-testid="login-form"
                on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div>
                    <label class="label" for="login-username">"Username"</label>
                    <input id="login-username" class="input" autocomplete="username" autofocus
                        data-testid="login-username" bind:value=username/>
                </div>
                <div>
                    <label class="label" for="login-password">"Password"</label>
                    <input id="login-password" type="password" class="input" autocomplete="current-password"
                        data-testid="login-password" bind:value=password/>
                </div>
                <Show when=move || error.get().is_some()>
                    <p class="text-sm text-red-600" role="alert" data-testid="login-error">{move || error.get()}</p>
                </Show>
                <button type="submit" class="btn btn-primary" data-testid="login-submit"
                    disabled=move || !ready.get() || sign_in.pending().get()>
                    <Show when=move || sign_in.pending().get() fallback=|| view! { <Icon name="log-in" class="size-4"/> }>
                        <Icon name="loader-circle" class="size-4 animate-spin"/>
                    </Show>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="text-xs text-muted">
                    "Forgot the password? On the server, run "
                    <code class="font-mono">"flotilla user set-password"</code>"."
                </p>
            </form>
        </AuthCard>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| auth_status());
    let username = RwSignal::new("owner".to_string());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let ready = hydrated();
    let create = Action::new(|(u, p): &(String, String)| {
        let (u, p) = (u.clone(), p.clone());
        async move { setup_owner(u, p).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(())) => browser::go_to("/"),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let submit = move || {
        let p = password.get_untracked();
        if p.chars().count() < 10 {
            error.set(Some("Choose a password of at least 10 characters.".into()));
            return;
        }
        if p != confirm.get_untracked() {
            error.set(Some("The two passwords differ.".into()));
            return;
        }
        error.set(None);
        create.dispatch((username.get_untracked().trim().to_string(), p));
    };
    let form = move || {
        view! {
            <form class="mt-4 grid gap-3" data-testid="setup-form"
                on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div>
                    <label class="label" for="setup-username">"Username"</label>
                    <input id="setup-username" class="input" autocomplete="username"
                        data-testid="setup-username" bind:value=username/>
                </div>
                <div>
                    <label class="label" for="setup-password">"Password"</label>
                    <input id="setup-password" type="password" class="input" autocomplete="new-password"
                        minlength="10" data-testid="setup-password" bind:value=password/>
                    <p class="mt-1 text-xs text-muted">"At least 10 characters. Stored as an argon2id hash."</p>
                </div>
                <div>
                    <label class="label" for="setup-confirm">"Password again"</label>
                    <input id="setup-confirm" type="password" class="input" autocomplete="new-password"
                        data-testid="setup-confirm" bind:value=confirm/>
                </div>
                <Show when=move || error.get().is_some()>
                    <p class="text-sm text-red-600" role="alert" data-testid="setup-error">{move || error.get()}</p>
                </Show>
                <button type="submit" class="btn btn-primary" data-testid="setup-submit"
                    disabled=move || !ready.get() || create.pending().get()>
                    <Icon name="shield-check" class="size-4"/>
                    {move || if create.pending().get() { "Creating…" } else { "Create the owner" }}
                </button>
            </form>
        }
    };
    view! {
        <AuthCard title="Welcome" subtitle="Create the owner: the one account that may drive the agents on this machine.">
            <Suspense fallback=|| view! { <p class="mt-4 text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <p class="mt-4 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(s) if s.owner_exists || !s.auth_enabled => view! {
                            <p class="mt-4">"The owner exists already."</p>
                            <a href="/login" class="btn btn-primary mt-4">"Sign in"</a>
                        }.into_any(),
                        Ok(s) if !s.setup_allowed_here => view! {
                            <div class="mt-4 space-y-2 text-sm" data-testid="setup-remote">
                                <p>"For safety, the owner can only be created from the machine Flotilla runs on."</p>
                                <p>"Open this page there, or run on the server:"</p>
                                <pre class="code-block">"flotilla user set-password"</pre>
                            </div>
                        }.into_any(),
                        Ok(_) => form().into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

/// Who is signed in, and the way out. Nothing while auth is off but a warning.
#[component]
pub fn UserMenu() -> impl IntoView {
    let status = Resource::new(|| (), |_| auth_status());
    let sign_out = Action::new(|_: &()| async move { logout().await });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            browser::go_to("/login");
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if !s.auth_enabled => view! {
                        <span class="badge badge-warn" title="Started with --auth off: anyone on this machine can drive the agents"
                            data-testid="auth-off">"Auth off"</span>
                    }.into_any(),
                    Ok(s) => match s.username {
                        Some(name) => view! {
                            <span class="hidden items-center gap-1 text-sm text-muted sm:inline-flex" data-testid="signed-in-as">
                                <Icon name="user" class="size-4"/>{name}
                            </span>
                            <button type="button" class="btn-icon" title="Sign out" aria-label="Sign out"
                                data-testid="sign-out" on:click=move |_| { sign_out.dispatch(()); }>
                                <Icon name="log-out" class="size-5"/>
                            </button>
                        }.into_any(),
                        None => ().into_any(),
                    },
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        use super::safe_next;
        assert_eq!(
            safe_next(Some("/projects/x?tab=files".into())),
            "/projects/x?tab=files"
        );
        assert_eq!(safe_next(Some("//evil.example/".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
