//! The sessions of one project or worktree, on its page: the newest, what they cost, and a link
//! to all of them on the Sessions page.

use super::api::search_sessions;
use super::types::SessionQuery;
use crate::base::format::usd;
use leptos::prelude::*;
use leptos_router::components::A;

const SHOWN: u64 = 8;

/// Either `project` or `worktree` names what to list.
#[component]
pub fn SessionsPanel(
    #[prop(optional, into)] project: Option<String>,
    #[prop(optional, into)] worktree: Option<String>,
) -> impl IntoView {
    let query = SessionQuery {
        project: project.clone(),
        worktree: worktree.clone(),
        limit: Some(SHOWN),
        ..Default::default()
    };
    // Loaded in the browser: the page does not wait for it.
    let sessions = LocalResource::new(move || search_sessions(query.clone()));
    let all = match (&worktree, &project) {
        (Some(w), _) => format!("/sessions?worktree={w}"),
        (None, Some(p)) => format!("/sessions?project={p}"),
        _ => "/sessions".to_string(),
    };
    view! {
        <section class="card min-w-0" data-testid="sessions-panel">
            <div class="flex items-center gap-2">
                <h2 class="font-medium">"Sessions"</h2>
                <A href=all attr:class="ml-auto text-sm hover:underline" attr:data-testid="all-sessions">"All sessions →"</A>
            </div>
            {move || match sessions.get() {
                None => view! { <p class="mt-2 text-sm text-muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="mt-2 text-sm text-red-600" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="mt-2 text-sm text-muted">"No Claude Code session has run here yet."</p>
                }.into_any(),
                Some(Ok(page)) => view! {
                    <p class="mt-1 text-xs text-muted tabular-nums">
                        {format!("{} session(s), {} in all", page.total, usd(page.total_cost_usd))}
                    </p>
                    <ul class="mt-2 divide-y divide-base text-sm">
                        {page.items.into_iter().map(|s| {
                            let title = s.title.clone().unwrap_or_else(|| "Untitled session".into());
                            let when = s.ended_at.as_deref().map(|t| t.get(..16).unwrap_or(t).replace('T', " ")).unwrap_or_default();
                            view! {
                                <li class="flex flex-wrap items-baseline gap-x-3 py-1" data-testid="panel-session">
                                    <A href=format!("/sessions/{}", s.id) attr:class="min-w-0 flex-1 basis-40 truncate hover:underline">{title}</A>
                                    {s.git_branch.clone().map(|b| view! { <span class="font-mono text-xs text-muted">{b}</span> })}
                                    <span class="text-xs text-muted tabular-nums">{when}</span>
                                    <span class="tabular-nums">{usd(s.cost_usd)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
