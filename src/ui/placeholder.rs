//! Pages that say what will live there, and the 404 page.

use super::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn ComingSoon(
    title: &'static str,
    icon: &'static str,
    summary: &'static str,
    plans: &'static [&'static str],
) -> impl IntoView {
    view! {
        <Title text=title/>
        <section class="mx-auto max-w-3xl">
            <h1 class="page-title flex items-center gap-2">
                <Icon name=icon class="size-6 text-accent"/>
                {title}
            </h1>
            <p class="mt-2 text-muted">{summary}</p>
            <div class="card mt-6">
                <h2 class="text-sm font-semibold uppercase tracking-wide text-muted">"Coming here"</h2>
                <ul class="mt-3 space-y-2">
                    {plans
                        .iter()
                        .map(|p| view! {
                            <li class="flex items-start gap-2">
                                <span class="mt-2 size-1.5 shrink-0 rounded-full bg-current text-muted" aria-hidden="true"></span>
                                <span>{*p}</span>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </div>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found"/>
        <section class="mx-auto max-w-xl py-16 text-center">
            <h1 class="page-title">"Page not found"</h1>
            <p class="mt-2 text-muted">"There is nothing at this address."</p>
            <A href="/" attr:class="btn btn-primary mt-6 inline-flex">"Back to the dashboard"</A>
        </section>
    }
}
