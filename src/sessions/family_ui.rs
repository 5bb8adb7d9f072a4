//! A session's family tree: the sessions forked (here or with the CLI) and merged around it,
//! drawn as a nested list from the roots down (a merged session sits under both its parents).

use super::types::FamilyMember;
use crate::base::format::usd;
use leptos::prelude::*;
use leptos_router::components::A;

/// How deep the tree is drawn (a longer chain is cut, saying so).
const MAX_DEPTH: usize = 12;

#[component]
pub fn FamilyTree(family: Vec<FamilyMember>, current: String) -> impl IntoView {
    let ids: Vec<&str> = family.iter().map(|m| m.id.as_str()).collect();
    let mut roots: Vec<&FamilyMember> = family
        .iter()
        .filter(|m| {
            m.parents
                .iter()
                .all(|p| !ids.contains(&p.parent_id.as_str()))
        })
        .collect();
    // Oldest first; a session whose transcript is gone (no start) last.
    roots.sort_by_key(|m| (m.started_at.is_none(), m.started_at.clone()));
    let tree = roots
        .into_iter()
        .map(|r| node(&family, r, &current, 0))
        .collect_view();
    view! {
        <section class="card mt-4" data-testid="family-tree">
            <h2 class="font-medium">"Family"</h2>
            <p class="text-xs text-muted">"The sessions forked and merged from one another, oldest first: here, or with the CLI (a fork repeats its parent's messages)."</p>
            <ul class="mt-2 grid gap-1 text-sm">{tree}</ul>
        </section>
    }
}

fn node(family: &[FamilyMember], m: &FamilyMember, current: &str, depth: usize) -> AnyView {
    let children: Vec<&FamilyMember> = family
        .iter()
        .filter(|c| c.parents.iter().any(|p| p.parent_id == m.id))
        .collect();
    let how = m
        .parents
        .first()
        .map(|p| match (p.kind.as_str(), m.parents.len()) {
            ("merge", n) if n > 1 => "merge".to_string(),
            ("fork", _) if p.at_uuid.is_some() => "fork at a message".to_string(),
            (kind, _) => kind.to_string(),
        });
    let here = m.id == current;
    let title = m
        .title
        .clone()
        .unwrap_or_else(|| "(transcript gone)".to_string());
    let when = m
        .started_at
        .as_deref()
        .map(|t| t.get(..10).unwrap_or(t).to_string())
        .unwrap_or_default();
    let below = if depth >= MAX_DEPTH {
        (!children.is_empty())
            .then(|| view! { <li class="text-xs text-muted">"… and more"</li> }.into_any())
            .into_any()
    } else {
        children
            .into_iter()
            .map(|c| node(family, c, current, depth + 1))
            .collect_view()
            .into_any()
    };
    view! {
        <li data-testid="family-member" data-session=m.id.clone()>
            <div class="flex flex-wrap items-center gap-2" class:font-semibold=here>
                {how.map(|h| view! { <span class="badge badge-muted">{h}</span> })}
                {if here {
                    view! { <span aria-current="page" data-testid="family-current">{title}</span> }.into_any()
                } else if m.title.is_some() {
                    view! { <A href=format!("/sessions/{}", m.id) attr:class="hover:underline">{title}</A> }.into_any()
                } else {
                    view! { <span class="text-muted">{title}</span> }.into_any()
                }}
                <span class="text-xs text-muted tabular-nums">{when}</span>
                {m.cost_usd.map(|c| view! { <span class="text-xs tabular-nums">{usd(c)}</span> })}
            </div>
            <ul class="ml-4 mt-1 grid gap-1 border-l border-base pl-3">{below}</ul>
        </li>
    }
    .into_any()
}
