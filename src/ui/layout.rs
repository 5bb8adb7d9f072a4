//! The page frame: a sidebar with the sections, a header with status and theme, the content.
//! On a phone width the sidebar slides in over the page from a menu button.

use super::{Icon, ThemeToggle};
use crate::auth::UserMenu;
use crate::health::ClaudeBadge;
use leptos::prelude::*;
use leptos_router::components::A;

/// The sections of the app, in sidebar order: (path, label, icon).
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("/", "Dashboard", "layout-dashboard"),
    ("/projects", "Projects", "folder-git-2"),
    ("/sessions", "Sessions", "history"),
    ("/mcp", "MCP", "plug"),
    ("/analytics", "Analytics", "chart-line"),
    ("/settings", "Settings", "settings"),
];

#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    let (nav_open, set_nav_open) = signal(false);

    view! {
        <div class="flex h-dvh overflow-hidden">
            <div
                class="fixed inset-0 z-30 bg-black/40 lg:hidden"
                class:hidden=move || !nav_open.get()
                on:click=move |_| set_nav_open.set(false)
                aria-hidden="true"
            ></div>
            <aside
                id="sidebar"
                class="sidebar"
                class:sidebar-open=move || nav_open.get()
                data-testid="sidebar"
                aria-label="Sections"
            >
                <div class="flex h-14 items-center justify-between px-4">
                    <A href="/" attr:class="flex items-center gap-2 text-lg font-semibold">
                        <Icon name="sailboat" class="size-6 text-accent"/>
                        "Flotilla"
                    </A>
                    <button
                        type="button"
                        class="btn-icon lg:hidden"
                        aria-label="Close menu"
                        on:click=move |_| set_nav_open.set(false)
                    >
                        <Icon name="x" class="size-5"/>
                    </button>
                </div>
                <nav class="flex flex-col gap-1 px-2">
                    {SECTIONS
                        .iter()
                        .map(|(href, label, icon)| {
                            view! {
                                <A
                                    href=*href
                                    exact=true
                                    attr:class="nav-link"
                                    attr:data-testid=format!("nav-{}", label.to_lowercase())
                                    // Following a link closes the phone sidebar.
                                    on:click=move |_| set_nav_open.set(false)
                                >
                                    <Icon name=icon class="size-5"/>
                                    <span>{*label}</span>
                                </A>
                            }
                        })
                        .collect_view()}
                </nav>
            </aside>
            <div class="flex min-w-0 flex-1 flex-col">
                <header class="app-header">
                    <button
                        type="button"
                        class="btn-icon lg:hidden"
                        aria-label="Open menu"
                        aria-controls="sidebar"
                        aria-expanded=move || nav_open.get().to_string()
                        data-testid="menu-button"
                        on:click=move |_| set_nav_open.set(true)
                    >
                        <Icon name="menu" class="size-5"/>
                    </button>
                    <div class="flex-1"></div>
                    <ClaudeBadge/>
                    <ThemeToggle/>
                    <UserMenu/>
                </header>
                <main class="flex-1 overflow-y-auto p-4 lg:p-6">{children()}</main>
            </div>
        </div>
    }
}
