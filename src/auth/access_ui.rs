//! Settings sections: who may reach Flotilla (origins, host names, free paths) and the audit log.

use super::api::{audit_log, save_security_settings, security_settings};
use super::settings_ui::short_time;
use super::types::{AuditEntry, SecuritySettings, UpdateSecuritySettings};
use crate::ui::Icon;
use leptos::prelude::*;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub fn AccessPanel() -> impl IntoView {
    let settings = Resource::new(|| (), |_| security_settings());
    view! {
        <section class="card" data-testid="access-panel">
            <h2 class="text-lg font-semibold">"Access"</h2>
            <p class="mt-1 text-sm text-muted">
                "Requests are accepted only from this server's own pages, sent to a name it answers to. "
                "Add the origins and host names you reach it by (behind a proxy, say)."
            </p>
            <Transition fallback=|| view! { <p class="mt-3 text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(e) => view! { <p class="mt-3 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(s) => view! { <AccessForm settings=s/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AccessForm(settings: SecuritySettings) -> impl IntoView {
    let origins = RwSignal::new(settings.allowed_origins.join("\n"));
    let hosts = RwSignal::new(settings.public_hosts.join("\n"));
    let free = RwSignal::new(settings.allow_free_paths);
    let message = RwSignal::new(None::<Result<String, String>>);
    let save = Action::new(|u: &UpdateSecuritySettings| {
        let u = u.clone();
        async move { save_security_settings(u).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            origins.set(saved.allowed_origins.join("\n"));
            hosts.set(saved.public_hosts.join("\n"));
            message.set(Some(Ok("Saved; in force now.".into())));
        }
        Some(Err(e)) => message.set(Some(Err(e.to_string()))),
        None => {}
    });
    let fixed = |label: &'static str, list: Vec<String>| {
        (!list.is_empty()).then(|| view! {
            <p class="mt-1 text-xs text-muted">{label} <span class="font-mono">{list.join(", ")}</span></p>
        })
    };
    let forced = settings.free_paths_forced;
    view! {
        <form class="mt-3 grid gap-3" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(UpdateSecuritySettings {
                allowed_origins: lines(&origins.get_untracked()),
                public_hosts: lines(&hosts.get_untracked()),
                allow_free_paths: free.get_untracked(),
            });
        }>
            <div class="grid gap-3 md:grid-cols-2">
                <div>
                    <label class="label" for="allowed-origins">"Allowed origins (one per line)"</label>
                    <textarea id="allowed-origins" class="input font-mono" rows="3" placeholder="https://flotilla.example.com"
                        prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
                    {fixed("From the command line:", settings.configured_origins.clone())}
                </div>
                <div>
                    <label class="label" for="public-hosts">"Public host names (one per line)"</label>
                    <textarea id="public-hosts" class="input font-mono" rows="3" placeholder="flotilla.example.com"
                        prop:value=move || hosts.get() on:input=move |ev| hosts.set(event_target_value(&ev))></textarea>
                    {fixed("From the command line:", settings.configured_hosts.clone())}
                </div>
            </div>
            <label class="flex items-start gap-2 text-sm">
                <input type="checkbox" class="mt-1" bind:checked=free disabled=forced/>
                <span>
                    "Allow agents to start in any folder"
                    <span class="block text-xs text-muted">
                        {if forced {
                            "On, set by --allow-free-paths."
                        } else {
                            "Off: agents work only inside registered projects, their worktrees and worktree folders."
                        }}
                    </span>
                </span>
            </label>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="text-sm text-emerald-700 dark:text-emerald-400" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="text-sm text-red-600" role="alert">{text}</p> }.into_any(),
            })}
            <div><button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save access settings"</button></div>
        </form>
    }
}

#[component]
pub fn AuditPanel() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    // The filters applied (on submit), and the pages loaded so far.
    let applied = RwSignal::new((String::new(), String::new(), String::new()));
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let load = Action::new(move |before: &Option<i64>| {
        let (a, t, r) = applied.get_untracked();
        let before = *before;
        let opt = |s: String| Some(s).filter(|s| !s.is_empty());
        async move { (before, audit_log(opt(a), opt(t), opt(r), before).await) }
    });
    Effect::new(move |_| match load.value().get() {
        Some((before, Ok(page))) => {
            error.set(None);
            if before.is_none() {
                entries.set(page.entries);
            } else {
                entries.update(|e| e.extend(page.entries));
            }
            next.set(page.next_before);
        }
        Some((_, Err(e))) => error.set(Some(e.to_string())),
        None => {}
    });
    // The first page, after hydration (the log changes with every action; no need for SSR).
    Effect::new(move |_| {
        load.dispatch(None);
    });
    let export_href = move || {
        let (a, t, r) = applied.get();
        let mut q: Vec<String> = Vec::new();
        for (k, v) in [("actor", a), ("text", t), ("result", r)] {
            if !v.is_empty() {
                q.push(format!("{k}={}", crate::base::format::query_value(&v)));
            }
        }
        format!(
            "/api/audit/export{}",
            if q.is_empty() {
                String::new()
            } else {
                format!("?{}", q.join("&"))
            }
        )
    };
    view! {
        <section class="card" data-testid="audit-panel">
            <div class="flex flex-wrap items-center gap-2">
                <h2 class="flex-1 text-lg font-semibold">"Audit log"</h2>
                <a class="btn btn-secondary" href=export_href download="flotilla-audit.jsonl" data-testid="audit-export">
                    <Icon name="download" class="size-4"/>"Export JSONL"
                </a>
            </div>
            <p class="mt-1 text-sm text-muted">"Every change: who, what, on what, from where, and how it ended. Append-only."</p>
            <form class="mt-3 grid gap-2 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end" on:submit=move |ev| {
                ev.prevent_default();
                applied.set((actor.get_untracked(), text.get_untracked(), result.get_untracked()));
                load.dispatch(None);
            }>
                <input class="input" placeholder="Actor (owner, token:ci…)" aria-label="Actor" bind:value=actor/>
                <input class="input" placeholder="Action or target" aria-label="Action or target" data-testid="audit-text" bind:value=text/>
                <select class="input" aria-label="Result" bind:value=result>
                    <option value="">"Any result"</option>
                    <option value="ok">"OK"</option>
                    <option value="error">"Error"</option>
                    <option value="pending">"No outcome"</option>
                </select>
                <button type="submit" class="btn btn-secondary" data-testid="audit-filter">"Filter"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="mt-2 text-sm text-red-600" role="alert">{e}</p> })}
            <div class="mt-3 overflow-x-auto">
                <table class="w-full min-w-[40rem] text-left text-sm" data-testid="audit-table">
                    <thead class="text-xs uppercase text-muted">
                        <tr><th class="py-1 pr-2">"When"</th><th class="pr-2">"Who"</th><th class="pr-2">"What"</th><th class="pr-2">"From"</th><th>"Result"</th></tr>
                    </thead>
                    <tbody class="divide-y divide-base">
                        <For each=move || entries.get() key=|e| e.id let:e>
                            <AuditRow entry=e/>
                        </For>
                    </tbody>
                </table>
                <Show when=move || entries.with(Vec::is_empty) && !load.pending().get()>
                    <p class="py-3 text-muted">"Nothing recorded that matches."</p>
                </Show>
            </div>
            <Show when=move || next.get().is_some()>
                <button type="button" class="btn btn-secondary mt-3" disabled=move || load.pending().get()
                    on:click=move |_| { load.dispatch(next.get_untracked()); }>"Load older"</button>
            </Show>
        </section>
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let badge = match entry.result.as_str() {
        "ok" => "badge badge-ok",
        "error" => "badge badge-error",
        _ => "badge badge-warn",
    };
    let outcome = match entry.status {
        Some(s) => format!("{} {s}", entry.result),
        None => entry.result.clone(),
    };
    view! {
        <tr class="align-top" data-testid="audit-row">
            <td class="whitespace-nowrap py-1 pr-2 text-xs text-muted">{short_time(&entry.ts)}</td>
            <td class="pr-2">{entry.actor.clone()}</td>
            <td class="pr-2">
                <span class="font-mono text-xs">{entry.action.clone()}</span>
                {entry.target.clone().map(|t| view! { <span class="block break-all text-xs text-muted">{t}</span> })}
                {entry.detail.clone().map(|d| view! { <span class="block text-xs text-red-600">{d}</span> })}
            </td>
            <td class="pr-2 text-xs text-muted">{entry.client_ip.clone().unwrap_or_default()}</td>
            <td><span class=badge>{outcome}</span></td>
        </tr>
    }
}
