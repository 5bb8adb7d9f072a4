//! Lucide icons, served as one small SVG sprite.
//!
//! `scripts/vendor-assets.mjs` builds `public/vendor/icons.svg` from the npm package
//! `lucide-static` (pinned in package.json), keeping only the names in [`USED_ICONS`]; a test
//! checks that every `<Icon name=...>` in the source is in that list.

use leptos::prelude::*;

const SPRITE: &str = "/vendor/icons.svg";

/// Every icon the UI uses. Add a name here when you use a new icon.
pub const USED_ICONS: &[&str] = &[
    "arrow-down",
    "ban",
    "bot",
    "chart-line",
    "check",
    "chevron-down",
    "chevron-left",
    "chevron-right",
    "circle-check",
    "circle-stop",
    "clock",
    "copy",
    "cpu",
    "download",
    "file-pen",
    "file-text",
    "folder",
    "folder-git-2",
    "git-fork",
    "git-merge",
    "history",
    "info",
    "key-round",
    "layout-dashboard",
    "loader-circle",
    "lock",
    "log-in",
    "log-out",
    "memory-stick",
    "menu",
    "monitor",
    "moon",
    "play",
    "plug",
    "plus",
    "rotate-ccw",
    "rotate-cw",
    "sailboat",
    "search",
    "send",
    "settings",
    "shield-check",
    "shield-question",
    "skip-back",
    "square",
    "sun",
    "terminal",
    "trash-2",
    "triangle-alert",
    "upload",
    "user",
    "wifi-off",
    "wrench",
    "x",
];

/// An icon from the sprite. `name` is a Lucide icon name listed in [`USED_ICONS`].
#[component]
pub fn Icon(name: &'static str, #[prop(optional, into)] class: String) -> impl IntoView {
    debug_assert!(
        USED_ICONS.contains(&name),
        "icon {name} is not in USED_ICONS"
    );
    // `name` is a compile-time constant of ours, never user input, so building markup is safe.
    let inner = format!(r##"<use href="{SPRITE}#{name}"></use>"##);
    view! {
        <svg
            class=format!("lucide shrink-0 {class}")
            aria-hidden="true"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            inner_html=inner
        ></svg>
    }
}

#[cfg(test)]
mod tests {
    use super::USED_ICONS;

    /// Every `name="..."` passed to `<Icon>` in the source must be in the sprite list.
    #[test]
    fn every_icon_used_is_listed() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices("<Icon name=\"") {
                    let rest = &text[i + "<Icon name=\"".len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    if !USED_ICONS.contains(&name) {
                        missing.push(format!("{name} ({})", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "icons missing from USED_ICONS: {missing:?}"
        );
        let mut sorted = USED_ICONS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, USED_ICONS, "keep USED_ICONS sorted and unique");
    }
}
