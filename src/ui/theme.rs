//! Light and dark themes. The choice lives in localStorage; an inline script in <head> applies it
//! before the first paint so the page never flashes the wrong theme.

use super::browser;
use super::Icon;
use leptos::prelude::*;

/// Runs in <head> before the body is parsed: explicit choice, else the system preference.
pub const THEME_INIT_SCRIPT: &str = "(function(){try{var t=localStorage.getItem('flotilla-theme');\
if(t==='dark'||(!t&&window.matchMedia('(prefers-color-scheme: dark)').matches))\
{document.documentElement.classList.add('dark')}}catch(e){}})();";

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| browser::set_dark_theme(!browser::is_dark_theme());
    // Both icons are rendered; CSS shows the one that fits, so the server needs no theme state.
    view! {
        <button
            type="button"
            class="btn-icon"
            on:click=toggle
            title="Switch light / dark theme"
            aria-label="Switch light / dark theme"
            data-testid="theme-toggle"
        >
            <span class="dark:hidden"><Icon name="moon" class="size-5"/></span>
            <span class="hidden dark:inline"><Icon name="sun" class="size-5"/></span>
        </button>
    }
}
