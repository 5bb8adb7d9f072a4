//! The form that starts an instance.

use super::api::launch_instance;
use super::types::{
    validate_create, CreateInstance, Instance, MODEL_SUGGESTIONS, PERMISSION_MODES,
};
use crate::error::AppError;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Starting an instance, and opening its page once it started. It belongs to the page, not to
/// the form: the form may go away (the list it shows instead of an empty state gains the new
/// instance) before the answer arrives.
pub fn launch_action() -> Action<CreateInstance, Result<Instance, AppError>> {
    let launch = Action::new(|request: &CreateInstance| {
        let request = request.clone();
        async move { launch_instance(request).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(instance)) = launch.value().get() {
            navigate(&format!("/instances/{}", instance.id), Default::default());
        }
    });
    launch
}

#[component]
pub fn NewInstanceForm(
    /// Directories of existing instances, offered as suggestions.
    known_dirs: Signal<Vec<String>>,
    launch: Action<CreateInstance, Result<Instance, AppError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let cwd = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let mode = RwSignal::new("default".to_string());
    let prompt = RwSignal::new(String::new());
    let mcp_config = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Err(e)) = launch.value().get() {
            error.set(Some(e.to_string()));
        }
    });

    let submit = move || {
        let optional = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let request = CreateInstance {
            cwd: cwd.get_untracked().trim().to_string(),
            name: optional(name.get_untracked()),
            model: optional(model.get_untracked()),
            permission_mode: Some(mode.get_untracked()),
            prompt: optional(prompt.get_untracked()),
            mcp_config: optional(mcp_config.get_untracked()),
            ..Default::default()
        };
        if let Some(config) = &request.mcp_config {
            let servers = serde_json::from_str::<serde_json::Value>(config)
                .ok()
                .filter(|v| v["mcpServers"].is_object());
            if servers.is_none() {
                error.set(Some(
                    "Extra MCP servers: write {\"mcpServers\": {\"name\": {...}}} as JSON".into(),
                ));
                return;
            }
        }
        // The server checks again; checking here answers at once.
        match validate_create(&request) {
            Ok(()) => {
                error.set(None);
                launch.dispatch(request);
            }
            Err(message) => error.set(Some(message)),
        }
    };

    view! {
        <form
            class="card mt-6 grid gap-4 md:grid-cols-2"
            data-testid="new-instance-form"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <h2 class="text-lg font-semibold md:col-span-2">"Start an instance"</h2>
            <div class="md:col-span-2">
                <label class="label" for="new-cwd">"Directory"</label>
                <input
                    id="new-cwd"
                    name="cwd"
                    class="input font-mono"
                    placeholder="/home/you/project"
                    required
                    autocomplete="off"
                    list="known-dirs"
                    bind:value=cwd
                />
                <datalist id="known-dirs">
                    <For each=move || known_dirs.get() key=|d| d.clone() let(dir)>
                        <option value=dir></option>
                    </For>
                </datalist>
                <p class="mt-1 text-xs text-muted">"An absolute path on the server; Claude Code works in it."</p>
            </div>
            <div>
                <label class="label" for="new-name">"Name " <span class="text-muted">"(optional)"</span></label>
                <input id="new-name" name="name" class="input" placeholder="from the directory" bind:value=name/>
            </div>
            <div class="grid grid-cols-2 gap-3">
                <div>
                    <label class="label" for="new-model">"Model"</label>
                    <input id="new-model" name="model" class="input" placeholder="default" list="model-suggestions" bind:value=model/>
                    <datalist id="model-suggestions">
                        {MODEL_SUGGESTIONS.iter().map(|m| view! { <option value=*m></option> }).collect_view()}
                    </datalist>
                </div>
                <div>
                    <label class="label" for="new-mode">"Permissions"</label>
                    <select id="new-mode" name="permission_mode" class="input" bind:value=mode>
                        {PERMISSION_MODES.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="md:col-span-2">
                <label class="label" for="new-prompt">"First prompt " <span class="text-muted">"(optional)"</span></label>
                <textarea
                    id="new-prompt"
                    name="prompt"
                    class="input min-h-24"
                    placeholder="What should Claude do? (Ctrl+Enter starts)"
                    bind:value=prompt
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            submit();
                        }
                    }
                ></textarea>
            </div>
            <details class="md:col-span-2">
                <summary class="cursor-pointer text-sm text-muted">"Extra MCP servers for this instance only"</summary>
                <label class="label mt-2" for="new-mcp">"As JSON, passed with --mcp-config (the servers Claude Code already reads come too; "
                    <a href="/mcp" class="underline">"configure those"</a>")"</label>
                <textarea id="new-mcp" name="mcp_config" class="input min-h-20 font-mono text-xs" data-testid="new-mcp-config"
                    placeholder=r#"{"mcpServers": {"fs": {"type": "stdio", "command": "npx", "args": ["-y", "some-server"]}}}"#
                    bind:value=mcp_config></textarea>
            </details>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600 md:col-span-2" role="alert" data-testid="form-error">{move || error.get()}</p>
            </Show>
            <div class="flex items-center gap-2 md:col-span-2">
                <button type="submit" class="btn btn-primary" disabled=move || launch.pending().get() data-testid="start-instance">
                    <Show when=move || launch.pending().get() fallback=|| view! { <Icon name="play" class="size-4"/> }>
                        <Icon name="loader-circle" class="size-4 animate-spin"/>
                    </Show>
                    "Start"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
