//! The HTML shell, the router and the list of pages.

use crate::ui::{AppLayout, NotFound, THEME_INIT_SCRIPT};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around the app. Rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy admits only inline scripts with this response's nonce.
    #[cfg(feature = "ssr")]
    crate::server::headers::set_page_policy();
    let nonce = leptos::nonce::use_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <script nonce=nonce inner_html=THEME_INIT_SCRIPT></script>
                <script src="/vendor/highlight.min.js" defer></script>
                <script src="/editor.js" defer></script>
                <script src="/charts.js" defer></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="app-body">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Every page is rendered whole before it is sent (SsrMode::Async): the content is in the
    // HTML itself, not streamed in by script, so it shows before (and without) the wasm.
    view! {
        <Stylesheet id="leptos" href="/pkg/flotilla.css"/>
        <Title formatter=|title: String| format!("{title} · Flotilla")/>
        <Router>
            <Routes fallback=|| view! { <AppLayout><NotFound/></AppLayout> }>
                // Sign-in and first-run setup stand alone, without the app's frame.
                <Route path=path!("/login") view=crate::auth::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=crate::auth::SetupPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppFrame ssr=SsrMode::Async>
                    <Route path=path!("/") view=crate::instances::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/instances/:id") view=crate::instances::ChatPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects") view=crate::projects::ProjectsPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/:id") view=crate::projects::ProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/worktrees/:id") view=crate::worktrees::WorktreePage ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view=crate::sessions::SessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:id") view=crate::sessions::SessionDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/mcp") view=crate::mcp::McpPage ssr=SsrMode::Async/>
                    <Route path=path!("/mcp/:id") view=crate::mcp::McpInspectorPage ssr=SsrMode::Async/>
                    <Route path=path!("/analytics") view=crate::analytics::AnalyticsPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=crate::settings::SettingsPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The sidebar and header around every page but sign-in.
#[component]
fn AppFrame() -> impl IntoView {
    view! { <AppLayout><Outlet/></AppLayout> }
}
