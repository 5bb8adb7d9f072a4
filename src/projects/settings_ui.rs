//! A project's settings: defaults for new instances, scripts, environment (secrets masked) and
//! its CLAUDE.md.

use super::api::{
    delete_project_env, project_claude_md, project_env, save_project_claude_md,
    save_project_settings, set_project_env,
};
use super::types::{Project, SetEnvVar, UpdateProject};
use crate::instances::types::{MODEL_SUGGESTIONS, PERMISSION_MODES};
use crate::ui::Icon;
use leptos::prelude::*;

/// "Saved" or the error, under a form.
#[component]
fn Outcome(result: Signal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        result.get().map(|r| match r {
            Ok(m) => view! { <p class="text-sm text-emerald-700 dark:text-emerald-400" role="status">{m}</p> }.into_any(),
            Err(e) => view! { <p class="text-sm text-red-600" role="alert">{e}</p> }.into_any(),
        })
    }
}

#[component]
pub fn SettingsPanel(project: Project) -> impl IntoView {
    let field = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let name = RwSignal::new(project.name.clone());
    let model = field(&project.default_model);
    let mode = RwSignal::new(
        project
            .default_permission_mode
            .clone()
            .unwrap_or_else(|| "default".into()),
    );
    let root = RwSignal::new(project.worktree_root.clone());
    let base = field(&project.base_branch);
    let setup = field(&project.setup_script);
    let run = field(&project.run_script);
    let github = field(&project.github_api_url);
    let id = project.id.clone();
    let save = Action::new(move |changes: &UpdateProject| {
        let (id, changes) = (id.clone(), changes.clone());
        async move { save_project_settings(id, changes).await }
    });
    let outcome = Signal::derive(move || {
        save.value()
            .get()
            .map(|r| r.map(|_| "Saved.".to_string()).map_err(|e| e.to_string()))
    });
    let submit = move || {
        save.dispatch(UpdateProject {
            name: Some(name.get_untracked()),
            default_model: Some(model.get_untracked()),
            default_permission_mode: Some(mode.get_untracked()),
            worktree_root: Some(root.get_untracked()),
            setup_script: Some(setup.get_untracked()),
            run_script: Some(run.get_untracked()),
            base_branch: Some(base.get_untracked()),
            github_api_url: Some(github.get_untracked()),
        });
    };
    view! {
        <form class="card grid gap-3" data-testid="project-settings" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <h2 class="font-semibold">"Settings"</h2>
            <div>
                <label class="label" for="ps-name">"Name"</label>
                <input id="ps-name" class="input" bind:value=name/>
            </div>
            <div class="grid grid-cols-2 gap-3">
                <div>
                    <label class="label" for="ps-model">"Default model"</label>
                    <input id="ps-model" class="input" placeholder="Claude Code's default" list="ps-models" bind:value=model/>
                    <datalist id="ps-models">
                        {MODEL_SUGGESTIONS.iter().map(|m| view! { <option value=*m></option> }).collect_view()}
                    </datalist>
                </div>
                <div>
                    <label class="label" for="ps-mode">"Default permissions"</label>
                    <select id="ps-mode" class="input" bind:value=mode>
                        {PERMISSION_MODES.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="grid grid-cols-2 gap-3">
                <div>
                    <label class="label" for="ps-base">"Base branch"</label>
                    <input id="ps-base" class="input font-mono" placeholder="the current branch" bind:value=base/>
                </div>
                <div>
                    <label class="label" for="ps-root">"Worktrees folder"</label>
                    <input id="ps-root" class="input font-mono" bind:value=root/>
                </div>
            </div>
            <div>
                <label class="label" for="ps-setup">"Setup script " <span class="text-muted">"(runs in each new worktree)"</span></label>
                <textarea id="ps-setup" class="input min-h-16 font-mono" placeholder="npm ci" bind:value=setup></textarea>
            </div>
            <div>
                <label class="label" for="ps-run">"Run script"</label>
                <textarea id="ps-run" class="input min-h-16 font-mono" placeholder="cargo run" bind:value=run></textarea>
            </div>
            <div>
                <label class="label" for="ps-github">"GitHub API URL " <span class="text-muted">"(GitHub Enterprise)"</span></label>
                <input id="ps-github" class="input font-mono" placeholder="https://api.github.com" bind:value=github/>
            </div>
            <div class="flex items-center gap-3">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get() data-testid="save-settings">"Save"</button>
                <Outcome result=outcome/>
            </div>
        </form>
    }
    .into_any()
}

#[component]
pub fn EnvPanel(id: String) -> impl IntoView {
    let list_id = id.clone();
    let vars = Resource::new(move || list_id.clone(), project_env);
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let secret = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let set_id = id.clone();
    let set = Action::new(move |(n, v): &(String, SetEnvVar)| {
        let (id, n, v) = (set_id.clone(), n.clone(), v.clone());
        async move { set_project_env(id, n, v).await }
    });
    let del_id = id.clone();
    let remove = Action::new(move |n: &String| {
        let (id, n) = (del_id.clone(), n.clone());
        async move { delete_project_env(id, n).await }
    });
    Effect::new(move |_| {
        let results = [set.value().get(), remove.value().get()];
        for r in results.into_iter().flatten() {
            match r {
                Ok(()) => {
                    error.set(None);
                    vars.refetch();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = set.value().get() {
            name.set(String::new());
            value.set(String::new());
        }
    });
    view! {
        <div class="card" data-testid="env-panel">
            <h2 class="font-semibold">"Environment"</h2>
            <p class="mt-1 text-sm text-muted">"Given to this project's instances and scripts. Secret values are encrypted at rest and never shown in full."</p>
            <Transition fallback=|| view! { <p class="mt-2 text-sm text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = vars.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="mt-3 text-sm text-muted">"No variables yet."</p> }.into_any();
                    }
                    view! {
                        <ul class="mt-3 divide-y divide-[var(--border)] text-sm">
                            {list.into_iter().map(|v| {
                                let n = v.name.clone();
                                view! {
                                    <li class="flex items-center gap-2 py-1.5" data-testid="env-var">
                                        <code class="font-semibold">{v.name.clone()}</code>
                                        <span class="min-w-0 flex-1 truncate font-mono text-muted">{v.value.clone()}</span>
                                        {v.secret.then(|| view! { <span class="badge badge-muted">"secret"</span> })}
                                        <button type="button" class="btn-icon" title="Remove" aria-label=format!("Remove {}", v.name)
                                            on:click=move |_| { remove.dispatch(n.clone()); }>
                                            <Icon name="x" class="size-4"/>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
            <form class="mt-3 grid gap-2 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-center" on:submit=move |ev| {
                ev.prevent_default();
                set.dispatch((name.get_untracked().trim().to_string(), SetEnvVar { value: value.get_untracked(), secret: secret.get_untracked() }));
            }>
                <input class="input font-mono" placeholder="NAME" aria-label="Variable name" required bind:value=name/>
                <input class="input font-mono" placeholder="value" aria-label="Value" type=move || if secret.get() { "password" } else { "text" } bind:value=value/>
                <label class="flex items-center gap-1 text-sm"><input type="checkbox" bind:checked=secret/> "Secret"</label>
                <button type="submit" class="btn btn-secondary" disabled=move || set.pending().get()>"Set"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="mt-2 text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
    .into_any()
}

#[component]
pub fn ClaudeMdPanel(id: String) -> impl IntoView {
    let load_id = id.clone();
    let loaded = Resource::new(move || load_id.clone(), project_claude_md);
    let content = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(md)) = loaded.get() {
            content.set(md.content);
        }
    });
    let save = Action::new(move |text: &String| {
        let (id, text) = (id.clone(), text.clone());
        async move { save_project_claude_md(id, text).await }
    });
    let outcome = Signal::derive(move || {
        save.value().get().map(|r| {
            r.map(|_| "Saved to CLAUDE.md.".to_string())
                .map_err(|e| e.to_string())
        })
    });
    view! {
        <form class="card" data-testid="claude-md" on:submit=move |ev| { ev.prevent_default(); save.dispatch(content.get_untracked()); }>
            <h2 class="font-semibold">"CLAUDE.md"</h2>
            <p class="mt-1 text-sm text-muted">"What Claude Code reads first in this project: conventions, commands, what not to touch."</p>
            <textarea class="input mt-3 min-h-48 font-mono" aria-label="CLAUDE.md" bind:value=content
                placeholder="# Project notes for Claude"
                on:keydown=move |ev| {
                    if ev.key() == "s" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        save.dispatch(content.get_untracked());
                    }
                }></textarea>
            <div class="mt-2 flex items-center gap-3">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button>
                <span class="text-xs text-muted">"Ctrl+S"</span>
                <Outcome result=outcome/>
            </div>
        </form>
    }
    .into_any()
}
