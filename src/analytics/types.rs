//! The analytics API's shapes, shared by the server and the page.

use serde::{Deserialize, Serialize};

/// `GET /api/analytics` query. Days are `YYYY-MM-DD`, UTC, inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// Only the sessions in this project's folders.
    pub project: Option<String>,
    /// The first day; the first day with any usage when left out.
    pub from: Option<String>,
    /// The last day; today when left out.
    pub to: Option<String>,
    /// The last this many days, today included (instead of `from` and `to`).
    pub days: Option<u32>,
}

/// What some API messages used and cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Usage {
    pub cost_usd: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    /// API messages, each counted once.
    pub messages: u64,
}

impl Usage {
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens + self.cache_creation_tokens + self.cache_read_tokens
    }

    pub fn add(&mut self, other: &Usage) {
        self.cost_usd += other.cost_usd;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_tokens += other.cache_creation_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.messages += other.messages;
    }
}

/// One UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelRow {
    pub model: String,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectRow {
    /// None for the sessions outside every project.
    pub project_id: Option<String>,
    pub name: String,
    pub sessions: u64,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorktreeRow {
    pub worktree_id: String,
    pub project_id: String,
    pub project_name: String,
    /// The worktree's branch.
    pub branch: String,
    pub sessions: u64,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionRow {
    pub id: String,
    pub title: Option<String>,
    pub project_name: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: Option<String>,
    /// In the range asked for.
    pub usage: Usage,
}

/// A plan-usage window: subscriptions are limited per rolling window that begins with the first
/// message after the previous window ended (on the hour) and lasts `hours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanWindow {
    /// `5h` or `7d`.
    pub name: String,
    pub hours: u32,
    /// A window is open now (else the next message opens one).
    pub active: bool,
    /// RFC 3339, UTC: when the open window began and when it resets.
    pub started_at: Option<String>,
    pub resets_at: Option<String>,
    /// Milliseconds from `generated_at` to `resets_at`.
    pub resets_in_ms: Option<u64>,
    /// What the open window holds (all projects: a plan's limit is the account's).
    pub usage: Usage,
}

/// `GET /api/analytics`: where the money and the tokens went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnalyticsReport {
    /// The range reported, `YYYY-MM-DD` (empty when there is no usage at all).
    pub from: String,
    pub to: String,
    pub project: Option<String>,
    pub totals: Usage,
    /// Sessions with usage in the range.
    pub sessions: u64,
    /// Of those, how many cost what the CLI reported (the rest: the dated price table).
    pub sessions_cost_from_cli: u64,
    /// Messages of a model without a price and no CLI figure: not in any cost.
    pub unpriced_messages: u64,
    /// The date of the price table used where the CLI reported no cost.
    pub price_table_date: String,
    /// Every day of the range, also those without usage.
    pub daily: Vec<DayRow>,
    /// Most expensive first.
    pub models: Vec<ModelRow>,
    pub projects: Vec<ProjectRow>,
    pub worktrees: Vec<WorktreeRow>,
    /// The most expensive sessions in the range (at most 10).
    pub top_sessions: Vec<SessionRow>,
    pub windows: Vec<PlanWindow>,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// The transcript index is still reading its first scan: figures are partial.
    pub partial: bool,
}

/// The tables a report can be downloaded as (CSV).
pub const CSV_TABLES: [&str; 5] = ["daily", "models", "projects", "worktrees", "sessions"];
