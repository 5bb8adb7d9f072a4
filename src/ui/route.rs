//! Reading a page's route: the `:id` parameter and the `?tab=` of pages with tabs.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The route's `id` and its `tab` query parameter (`default` when absent).
pub fn id_and_tab(default: &'static str) -> (Signal<String>, Signal<String>) {
    let params = use_params_map();
    let query = use_query_map();
    (
        Signal::derive(move || params.with(|p| p.get("id").unwrap_or_default())),
        Signal::derive(move || {
            query
                .with(|q| q.get("tab"))
                .unwrap_or_else(|| default.into())
        }),
    )
}
