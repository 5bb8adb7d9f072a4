//! Instances: supervised Claude Code processes and their live streams.

pub mod codec;
mod dashboard;

pub use dashboard::DashboardPage;
