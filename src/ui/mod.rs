//! Components shared by every feature: layout, icons, theme, small widgets.

pub mod browser;
mod icon;
mod layout;
mod placeholder;
mod theme;

pub use icon::{Icon, USED_ICONS};
pub use layout::AppLayout;
pub use placeholder::{ComingSoon, NotFound};
pub use theme::{ThemeToggle, THEME_INIT_SCRIPT};
