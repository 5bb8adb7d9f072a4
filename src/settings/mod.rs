//! Settings of this Flotilla installation: the account, API tokens, access, the MCP servers
//! (the MCP feature's list), the audit log.

mod page_ui;

pub use page_ui::SettingsPage;
