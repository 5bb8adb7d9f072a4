//! Analytics: cost, tokens and activity over time.

mod page_ui;

pub use page_ui::AnalyticsPage;
