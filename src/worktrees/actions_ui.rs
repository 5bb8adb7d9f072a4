//! What can be started in a checkout: Claude (an instance) and the project's run script.

use super::api::get_script_run;
use super::types::{RunStatus, ScriptRun};
use crate::instances::new_instance_ui::launch_action;
use crate::instances::types::{CreateInstance, PERMISSION_MODES};
use crate::review::api::run_project_script;
use crate::review::types::CheckoutKind;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_router::components::A;

/// Starts an instance in a worktree or in a project's main checkout, with the project's defaults
/// (the permission mode can be chosen), and opens it.
#[component]
pub fn StartInstance(kind: CheckoutKind, id: String, live: Vec<String>) -> impl IntoView {
    let launch = launch_action();
    let prompt = RwSignal::new(String::new());
    let mode = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Err(e)) = launch.value().get() {
            error.set(Some(e.to_string()));
        }
    });
    let id = StoredValue::new(id);
    let submit = move || {
        error.set(None);
        let (worktree_id, project_id) = match kind {
            CheckoutKind::Worktree => (Some(id.get_value()), None),
            CheckoutKind::MainCheckout => (None, Some(id.get_value())),
        };
        launch.dispatch(CreateInstance {
            worktree_id,
            project_id,
            prompt: Some(prompt.get_untracked().trim().to_string()).filter(|p| !p.is_empty()),
            // Empty: the project's default applies.
            permission_mode: Some(mode.get_untracked()).filter(|m| !m.is_empty()),
            ..Default::default()
        });
    };
    let title = match kind {
        CheckoutKind::Worktree => "Claude in this worktree",
        CheckoutKind::MainCheckout => "Claude in the main checkout",
    };
    view! {
        <form class="card grid content-start gap-2" data-testid="start-instance-here" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <h2 class="font-semibold">{title}</h2>
            {(!live.is_empty()).then(|| view! {
                <ul class="text-sm">
                    {live.iter().map(|i| view! { <li><A href=format!("/instances/{i}") attr:class="text-accent hover:underline">"Open the live instance"</A></li> }).collect_view()}
                </ul>
            })}
            <textarea class="input min-h-20" aria-label="First prompt" placeholder="What should Claude do here? (Ctrl+Enter starts)" bind:value=prompt
                data-testid="worktree-prompt"
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        submit();
                    }
                }></textarea>
            <div class="flex gap-2">
                <select class="input" aria-label="Permissions" bind:value=mode>
                    <option value="">"Project default permissions"</option>
                    {PERMISSION_MODES.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
                </select>
                <button type="submit" class="btn btn-primary" disabled=move || launch.pending().get() data-testid="start-in-worktree">
                    <Icon name="play" class="size-4"/> "Start"
                </button>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
        </form>
    }
    .into_any()
}

/// Runs the project's run script in the checkout and shows its output as it comes.
#[component]
pub fn RunScript(kind: CheckoutKind, id: String) -> impl IntoView {
    let run = RwSignal::new(None::<ScriptRun>);
    let error = RwSignal::new(None::<String>);
    let start = Action::new(move |_: &()| {
        let id = id.clone();
        async move { run_project_script(kind, id).await }
    });
    Effect::new(move |_| match start.value().get() {
        Some(Ok(r)) => {
            error.set(None);
            run.set(Some(r));
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    // Poll while it runs: the output is kept by the server as it comes.
    let poll = Action::new(|id: &String| get_script_run(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(Some(r))) = poll.value().get() {
            run.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if let Some(r) = run.get().filter(|r| r.status == RunStatus::Running) {
            set_timeout(
                move || {
                    poll.dispatch(r.id.clone());
                },
                std::time::Duration::from_millis(700),
            );
        }
    });
    view! {
        <div class="card grid content-start gap-2" data-testid="run-script">
            <div class="flex items-center gap-2">
                <h2 class="flex-1 font-semibold">"Run script"</h2>
                <button type="button" class="btn btn-secondary" data-testid="run-script-button"
                    disabled=move || start.pending().get() || run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Running))
                    on:click=move |_| { start.dispatch(()); }>
                    <Icon name="play" class="size-4"/> "Run"
                </button>
            </div>
            <Show when=move || run.with(Option::is_none) && error.with(Option::is_none)>
                <p class="text-xs text-muted">"Runs the project's run script (set in the project's settings) here; its output shows below."</p>
            </Show>
            {move || run.get().map(|r| view! {
                <p class="text-xs text-muted">
                    <code>{r.command.clone()}</code> " · "
                    {match r.status { RunStatus::Running => "running…".to_string(), RunStatus::Succeeded => "succeeded".into(), RunStatus::Failed => format!("failed (exit {})", r.exit_code.unwrap_or(-1)) }}
                </p>
                <pre class="code-block max-h-64" data-testid="run-output">{r.output.clone()}</pre>
            })}
            <Show when=move || error.get().is_some()>
                <p class="text-sm text-red-600" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
    .into_any()
}
