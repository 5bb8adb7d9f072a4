//! Sessions: Claude Code's own transcripts, indexed for history, replay and cost.

mod page_ui;

pub use page_ui::SessionsPage;
