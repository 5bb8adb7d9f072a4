//! What the Sessions page does besides listing: import a session exported as JSONL, and merge two
//! selected sessions into a new one.

use super::api::merge_sessions;
use super::types::{ImportedSession, MergeRequest};
use crate::error::AppError;
use crate::instances::types::Instance;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// A form to import a transcript: the file, and the folder it will belong to here.
#[component]
pub fn ImportPanel(on_close: Callback<()>) -> impl IntoView {
    let file = NodeRef::<leptos::html::Input>::new();
    let cwd = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(input) = file.get() else { return };
        let folder = cwd.get_untracked().trim().to_string();
        let url = if folder.is_empty() {
            "/api/sessions/import".to_string()
        } else {
            format!(
                "/api/sessions/import?cwd={}",
                crate::base::format::query_value(&folder)
            )
        };
        let navigate = navigate.clone();
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = crate::ui::browser::post_file(&url, &input, "application/x-ndjson").await;
            busy.set(false);
            match answer {
                Ok((201, body)) => match serde_json::from_str::<ImportedSession>(&body) {
                    Ok(s) => navigate(&format!("/sessions/{}", s.session_id), Default::default()),
                    Err(_) => error.set(Some("imported, but the answer could not be read".into())),
                },
                Ok((status, body)) => {
                    error.set(Some(match serde_json::from_str::<AppError>(&body) {
                        Ok(e) => e.to_string(),
                        Err(_) => format!("the server answered {status}"),
                    }))
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card mt-4 grid gap-3" data-testid="import-panel" on:submit=submit>
            <div class="flex items-center gap-2">
                <h2 class="font-medium">"Import a session"</h2>
                <button type="button" class="btn btn-secondary ml-auto px-2 py-1" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <p class="text-sm text-muted">
                "A transcript exported as JSONL (from Flotilla, or a "<code>"~/.claude/projects"</code>" file). It is checked line by line first; nothing is written if anything is wrong. Afterwards "<code>"claude --resume"</code>" continues it in its folder."
            </p>
            <label class="grid gap-1 text-sm">
                <span class="text-muted">"Transcript (.jsonl)"</span>
                <input class="input" type="file" accept=".jsonl,application/x-ndjson,application/json" required node_ref=file data-testid="import-file"/>
            </label>
            <label class="grid gap-1 text-sm">
                <span class="text-muted">"Folder on this machine (empty: the one it ran in)"</span>
                <input class="input font-mono" placeholder="/home/you/project" bind:value=cwd data-testid="import-cwd"/>
            </label>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert" data-testid="import-error">{e}</p> })}
            <div>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get() data-testid="import-submit">
                    <Icon name="upload" class="size-4"/>{move || if busy.get() { "Importing…" } else { "Import" }}
                </button>
            </div>
        </form>
    }
}

/// Shown once a session is selected: pick a second, then start the merged session.
#[component]
pub fn MergeBar(selected: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    let instruction = RwSignal::new(String::new());
    let navigate = use_navigate();
    let merge = Action::new(move |req: &MergeRequest| merge_sessions(req.clone()));
    Effect::new(move |_| {
        if let Some(Ok(instance)) = merge.value().get() {
            let instance: Instance = instance;
            selected.set(Vec::new());
            navigate(&format!("/instances/{}", instance.id), Default::default());
        }
    });
    let start = move |_| {
        let picked = selected.get_untracked();
        let text = instruction.get_untracked();
        merge.dispatch(MergeRequest {
            sessions: picked.into_iter().map(|(id, _)| id).collect(),
            cwd: None,
            instruction: Some(text).filter(|t| !t.trim().is_empty()),
        });
    };
    view! {
        <Show when=move || !selected.with(Vec::is_empty)>
            <div class="card sticky bottom-2 z-10 mt-3 grid gap-2 shadow-lg" role="region" aria-label="Merge" data-testid="merge-bar">
                <p class="text-sm">
                    {move || selected.with(|s| match s.as_slice() {
                        [(_, a)] => format!("Merge “{a}” with… pick a second session."),
                        [(_, a), (_, b)] => format!("Merge A “{a}” and B “{b}” into a new session."),
                        _ => String::new(),
                    })}
                </p>
                <Show when=move || selected.with(|s| s.len() == 2)>
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"What to do next (empty: compare the two and propose how to combine them)"</span>
                        <textarea class="input min-h-16" bind:value=instruction data-testid="merge-instruction"></textarea>
                    </label>
                    <p class="text-xs text-muted">"The new session starts in A's folder with a summary of both as its first prompt (docs/SESSIONS.md says exactly what it holds)."</p>
                </Show>
                {move || merge.value().get().and_then(Result::err).map(|e| view! {
                    <p class="alert alert-error" role="alert" data-testid="merge-error">{e.to_string()}</p>
                })}
                <div class="flex flex-wrap gap-2">
                    <button type="button" class="btn btn-primary" data-testid="merge-start"
                        disabled=move || selected.with(|s| s.len() != 2) || merge.pending().get() on:click=start>
                        <Icon name="git-merge" class="size-4"/>"Start merged session"
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                </div>
            </div>
        </Show>
    }
}
