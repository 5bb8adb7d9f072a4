//! The ground floor: what every feature may use, importing nothing from the features above it
//! (no `crate::` path in this folder but `crate::base`). The database handle, secrets, the clock,
//! process groups, the services' error vocabulary, and Claude Code's executable, files and one-shot runs.
//!
//! Only [`INSTALL_HINT`] and `format` (how sizes, money, durations and times are shown) are
//! shared with the browser build; the rest is server-only.

#[cfg(feature = "ssr")]
pub mod claude;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod error;
pub mod format;
#[cfg(feature = "ssr")]
pub mod process_group;
#[cfg(feature = "ssr")]
pub mod secrets;

/// What to do when the Claude Code CLI is missing (shown in the header badge, in `/readyz` and in
/// the error of a start that cannot find it).
pub const INSTALL_HINT: &str =
    "Install Claude Code with `npm install -g @anthropic-ai/claude-code`, \
     or start Flotilla with `--claude-bin /path/to/claude` (or FLOTILLA_CLAUDE_BIN).";
