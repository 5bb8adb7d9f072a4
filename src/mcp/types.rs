//! The MCP API's shapes, shared by the server and the pages.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a secret value (an environment variable, a header) is shown as. Sent back unchanged in
/// an update, it keeps the stored value.
pub const MASK: &str = "••••••••";

/// Where a server is configured, as Claude Code has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every folder: top-level `mcpServers` in `<claude home>/.claude.json`.
    User,
    /// One folder, for you only: `projects["<folder>"].mcpServers` in the same file.
    Local,
    /// One folder, shared with everyone who checks it out: `<folder>/.mcp.json`.
    Project,
}

impl Scope {
    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Local => "local",
            Scope::Project => "project",
        }
    }
}

/// How Claude Code talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A program Claude Code starts, speaking on its standard input and output.
    #[default]
    Stdio,
    /// Streamable HTTP at a URL.
    Http,
    /// Server-sent events at a URL (the older remote transport).
    Sse,
}

/// A configured MCP server. Environment and header values are masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct McpServer {
    /// Stable for a (scope, folder, name): the same server keeps its id across edits of others.
    pub id: String,
    pub name: String,
    pub scope: Scope,
    /// The folder a local or project server belongs to.
    pub folder: Option<String>,
    /// The registered project whose folder that is.
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    #[serde(rename = "type")]
    pub transport: Transport,
    pub command: Option<String>,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub url: Option<String>,
    pub headers: BTreeMap<String, String>,
    /// The file it is written in.
    pub file: String,
}

/// `POST /api/mcp/servers` and `PUT /api/mcp/servers/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct McpServerInput {
    pub name: String,
    pub scope: Option<Scope>,
    /// For local and project servers: the project whose folder it belongs to...
    #[serde(default)]
    pub project_id: Option<String>,
    /// ...or any folder (local servers).
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(rename = "type", default)]
    pub transport: Transport,
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    /// A value equal to [`MASK`] keeps the stored one.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub url: Option<String>,
    /// A value equal to [`MASK`] keeps the stored one.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// Every configured server, and the files that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct McpServerList {
    pub servers: Vec<McpServer>,
    /// A malformed config file: reported, never overwritten.
    pub problems: Vec<ConfigProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConfigProblem {
    pub file: String,
    pub message: String,
}

/// `GET /api/mcp/servers` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct McpServerQuery {
    /// Only the servers a session in this project's folder gets (user, its local and its
    /// project servers).
    pub project: Option<String>,
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Connected,
    Failed,
    Closed,
}

/// A tool, as the server describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ToolInfo {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// JSON Schema of its arguments.
    pub input_schema: serde_json::Value,
    pub output_schema: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromptArgument {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromptInfo {
    pub name: String,
    pub description: Option<String>,
    pub arguments: Vec<PromptArgument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResourceInfo {
    pub uri: String,
    pub name: String,
    pub description: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateInfo {
    pub uri_template: String,
    pub name: String,
    pub description: Option<String>,
    pub mime_type: Option<String>,
}

/// What a connected server offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Discovery {
    pub server_name: Option<String>,
    pub server_version: Option<String>,
    pub protocol_version: Option<String>,
    pub instructions: Option<String>,
    pub tools: Vec<ToolInfo>,
    pub prompts: Vec<PromptInfo>,
    pub resources: Vec<ResourceInfo>,
    pub templates: Vec<TemplateInfo>,
    /// A list the server offers but that could not be read (capability -> why).
    pub errors: BTreeMap<String, String>,
}

/// One line of the inspector's log: a JSON-RPC message either way, a line of the server's
/// stderr, or a note (connected, closed, a line that is not JSON-RPC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    /// `sent`, `received`, `stderr` or `note`.
    pub kind: String,
    pub text: String,
}

/// The inspector's view of one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub server_id: String,
    pub state: ConnectionState,
    pub error: Option<String>,
    pub connected_at: Option<String>,
    pub discovery: Option<Discovery>,
    /// The newest log entries (the log is also read by `since`).
    pub log: Vec<LogEntry>,
    pub calls: Vec<CallRecord>,
}

/// One server's inspector connection, in brief (`GET /api/mcp/connections`): what the MCP page
/// shows on each server's card, so several servers are seen side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectionSummary {
    pub server_id: String,
    pub state: ConnectionState,
    pub error: Option<String>,
    pub connected_at: Option<String>,
    pub server_name: Option<String>,
    pub tools: u64,
    pub calls: u64,
}

/// `POST /api/mcp/servers/{id}/call`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    pub tool: String,
    #[serde(default)]
    pub arguments: serde_json::Map<String, serde_json::Value>,
}

/// A tool call and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallRecord {
    pub tool: String,
    pub arguments: serde_json::Value,
    pub at: String,
    pub duration_ms: u64,
    /// The result as the server sent it (`content`, `structuredContent`, `isError`).
    pub result: Option<serde_json::Value>,
    /// The tool said it failed (`isError`), or the call did not complete (`error`).
    pub is_error: bool,
    pub error: Option<String>,
}

/// `POST /api/mcp/servers/{id}/read`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub uri: String,
}

/// One part of a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResourcePart {
    pub uri: String,
    pub mime_type: Option<String>,
    /// Text content, when it is text.
    pub text: Option<String>,
    /// Base64 content, when it is binary.
    pub blob: Option<String>,
}

/// `POST /api/mcp/servers/{id}/prompt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromptRequest {
    pub name: String,
    #[serde(default)]
    pub arguments: BTreeMap<String, String>,
}

/// A prompt, rendered: its messages as the server gave them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromptResult {
    pub description: Option<String>,
    pub messages: serde_json::Value,
}

/// `POST /api/mcp/servers/{id}/test`: a connection made and closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TestResult {
    pub ok: bool,
    pub error: Option<String>,
    pub server_name: Option<String>,
    pub tools: u64,
    pub duration_ms: u64,
    /// The last lines the server wrote to stderr.
    pub stderr: Vec<String>,
}

/// `POST /api/mcp/scaffold`: a new MCP server project from a template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScaffoldRequest {
    /// The server's name (also the project's and the folder's).
    pub name: String,
    /// `rust` (rmcp) or `python` (the official `mcp` package).
    pub template: String,
    /// The folder to create; `<data dir>/mcp-servers/<name>` when left out.
    #[serde(default)]
    pub path: Option<String>,
}

/// What scaffolding made: the project, and the server (local scope, in that folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scaffolded {
    pub project_id: String,
    pub server: McpServer,
    /// The command that builds it (run by "Rebuild").
    pub build: String,
}

/// The templates `POST /api/mcp/scaffold` offers.
pub const TEMPLATES: [(&str, &str); 2] = [
    ("python", "Python, with the official mcp package (FastMCP)"),
    ("rust", "Rust, with rmcp (the official Rust SDK)"),
];
