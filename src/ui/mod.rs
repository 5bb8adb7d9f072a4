//! Components shared by every feature: layout, icons, theme, small widgets.

pub mod browser;
mod icon;
mod layout;
pub mod markdown;
mod placeholder;
pub mod route;
pub mod socket;
mod status;
mod theme;

pub use icon::{Icon, USED_ICONS};
pub use layout::AppLayout;
pub use placeholder::{ComingSoon, NotFound};
pub use status::StatusBadge;
pub use theme::{ThemeToggle, THEME_INIT_SCRIPT};
