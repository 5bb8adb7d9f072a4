//! The few places the UI talks to browser APIs directly, gathered here. On the server these are
//! no-ops: they are only ever called from event handlers and effects, which run in the browser.

/// Where the chosen theme is remembered.
const THEME_KEY: &str = "flotilla-theme";

/// Switches between the light and dark theme and remembers the choice.
pub fn set_dark_theme(dark: bool) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.class_list().toggle_with_force("dark", dark);
        }
        if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
            let _ = storage.set_item(THEME_KEY, if dark { "dark" } else { "light" });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dark, THEME_KEY);
}

/// Whether the dark theme is showing now.
pub fn is_dark_theme() -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document()
            .document_element()
            .is_some_and(|root| root.class_list().contains("dark"))
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Marks the page as hydrated (`<body data-hydrated="true">`), so tests and styles can tell
/// when the page became interactive.
pub fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
