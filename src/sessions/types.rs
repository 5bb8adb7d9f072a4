//! The sessions API's shapes, shared by the server and the page.

use serde::{Deserialize, Serialize};

/// One session in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionItem {
    pub id: String,
    /// The first prompt's first line.
    pub title: Option<String>,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    /// The project whose folder holds `cwd` (the deepest, when projects nest).
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    /// The worktree `cwd` is, when it is one of Flotilla's, its branch and its pull request.
    pub worktree_id: Option<String>,
    pub worktree_branch: Option<String>,
    pub pull_request_url: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub prompts: u64,
    /// API messages, each counted once however many lines repeat it.
    pub api_messages: u64,
    pub models: Vec<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    pub cost_usd: f64,
    /// The cost is the CLI's own figure (as Flotilla's instance recorded it, or the transcript's
    /// `cost-state`); otherwise it is computed from the price table.
    pub cost_from_cli: bool,
    /// Messages of a model without a price (their cost is not in `cost_usd`).
    pub unpriced_messages: u64,
}

/// `GET /api/sessions` query. Every filter is optional; dates are `YYYY-MM-DD` (UTC, inclusive).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SessionQuery {
    /// Sessions in this project's folders.
    pub project: Option<String>,
    /// Sessions in this worktree.
    pub worktree: Option<String>,
    /// Words to find in the prompts, folder or branch (case-insensitive; all must be there).
    pub q: Option<String>,
    /// A model name or part of one.
    pub model: Option<String>,
    /// Active on or after this day.
    pub from: Option<String>,
    /// Active on or before this day.
    pub to: Option<String>,
    /// Cost at least / at most this many US dollars.
    pub min_cost: Option<f64>,
    pub max_cost: Option<f64>,
    pub offset: Option<u64>,
    /// At most 200; 50 when not given.
    pub limit: Option<u64>,
}

/// One page of sessions, newest activity first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionPage {
    pub items: Vec<SessionItem>,
    /// How many sessions match the filters.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    /// Cost and tokens of all the matching sessions (not only this page).
    pub total_cost_usd: f64,
    pub index: IndexStatus,
}

/// Where the transcript index is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IndexStatus {
    /// The first full scan has finished (until then the list is partial or empty).
    pub ready: bool,
    pub scanning: bool,
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// How long the running (or last) scan has taken.
    pub elapsed_ms: u64,
    pub sessions: u64,
    pub files: u64,
    /// Lines that were not JSON objects: skipped, counted.
    pub malformed_lines: u64,
    /// The folder read (`<claude home>/.claude/projects`).
    pub transcripts_dir: String,
    /// The last scan's error, if it failed (the folder unreadable, ...).
    pub error: Option<String>,
}

/// One message of a session's tree (a transcript line with a `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionMessage {
    pub uuid: String,
    pub parent_uuid: Option<String>,
    /// The line's `type`: `user`, `assistant`, `system`, `attachment`, ...
    pub kind: String,
    /// A sub-agent's message.
    pub sidechain: bool,
    pub timestamp: Option<String>,
    /// A prompt someone typed.
    pub prompt: bool,
    pub summary: String,
    /// Branches taken away from the first child on the way here (indent of the outline).
    pub level: u32,
    /// On the path `claude --resume` continues (root to the newest message).
    pub on_path: bool,
    /// The frame the chat components replay for it (kind, data), if it shows in the chat.
    pub frame_kind: Option<String>,
    pub frame_data: Option<String>,
}

/// `GET /api/sessions/{id}`: the session and its conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionDetail {
    pub session: SessionItem,
    /// In the order they were written; sub-agents' messages after the main ones.
    pub messages: Vec<SessionMessage>,
    /// The session has more messages than are shown.
    pub cut: bool,
    pub malformed_lines: u64,
    /// The sessions Flotilla made from one another around this one (forks and merges), oldest
    /// first; empty when it has none.
    pub family: Vec<FamilyMember>,
}

/// A session of a family tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FamilyMember {
    pub id: String,
    /// None when its transcript is gone.
    pub title: Option<String>,
    pub started_at: Option<String>,
    pub cost_usd: Option<f64>,
    /// Where it came from: one parent for a fork, two for a merge, none for the root.
    pub parents: Vec<FamilyLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FamilyLink {
    pub parent_id: String,
    /// `fork` or `merge`.
    pub kind: String,
    /// The parent's message a fork was made at.
    pub at_uuid: Option<String>,
}

/// `POST /api/sessions/merge`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The two sessions to merge (A, then B).
    pub sessions: Vec<String>,
    /// The folder the merged session works in; session A's when left out.
    #[serde(default)]
    pub cwd: Option<String>,
    /// What to do now, after the two summaries; a request to compare and propose when left out.
    #[serde(default)]
    pub instruction: Option<String>,
}

/// `POST /api/sessions/import` query: where the imported session will live.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// An absolute folder on this machine; the one the transcript names when left out (it must
    /// exist here).
    pub cwd: Option<String>,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedSession {
    pub session_id: String,
    /// The folder it now belongs to (`claude --resume` is run there).
    pub cwd: String,
    pub messages: u64,
}

/// `POST /api/sessions/{id}/fork`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForkRequest {
    /// The message to fork at (its `uuid`); the newest message when left out.
    #[serde(default)]
    pub at: Option<String>,
}
