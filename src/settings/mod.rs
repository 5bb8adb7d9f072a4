//! Settings of this Flotilla installation: the account, API tokens, access, the audit log.

mod page_ui;

pub use page_ui::SettingsPage;
