//! MCP: the Model Context Protocol servers Claude Code is configured with.

mod page_ui;

pub use page_ui::McpPage;
