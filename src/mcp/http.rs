//! MCP routes: the servers in Claude Code's config files, the inspector's connections to them,
//! and new servers from a template.

use super::types::{
    CallRecord, ConnectionSummary, Inspection, LogEntry, McpServer, McpServerInput, McpServerList,
    McpServerQuery, PromptRequest, PromptResult, ReadRequest, ResourcePart, ScaffoldRequest,
    Scaffolded, TestResult, ToolCall,
};
use crate::error::AppError;
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(test))
        .routes(routes!(connect, inspect, disconnect))
        .routes(routes!(connections))
        .routes(routes!(log))
        .routes(routes!(call))
        .routes(routes!(read))
        .routes(routes!(prompt))
        .routes(routes!(rebuild))
        .routes(routes!(scaffold))
}

/// Every MCP server in Claude Code's config files (user and local scope in `.claude.json`,
/// project scope in each project's `.mcp.json`), secrets masked; malformed files are reported.
#[utoipa::path(get, path = "/api/mcp/servers", tag = "mcp", params(McpServerQuery),
    responses((status = 200, description = "The servers", body = McpServerList), (status = 404, description = "No such project")))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<McpServerQuery>,
) -> Result<Json<McpServerList>, AppError> {
    Ok(Json(state.mcp.list(&q).await?))
}

/// Adds a server where Claude Code reads it (`claude mcp list` shows it).
#[utoipa::path(post, path = "/api/mcp/servers", tag = "mcp", request_body = McpServerInput,
    responses((status = 201, description = "Added", body = McpServer),
        (status = 409, description = "The name is taken there, or the file is malformed"),
        (status = 422, description = "A bad name, command, URL or header")))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<McpServerInput>,
) -> Result<(StatusCode, Json<McpServer>), AppError> {
    Ok((StatusCode::CREATED, Json(state.mcp.create(input).await?)))
}

#[utoipa::path(get, path = "/api/mcp/servers/{id}", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "The server", body = McpServer), (status = 404, description = "No such server")))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<McpServer>, AppError> {
    Ok(Json(state.mcp.get(&id).await?))
}

/// Changes a server (masked values keep what is stored); its scope and folder stay.
#[utoipa::path(put, path = "/api/mcp/servers/{id}", tag = "mcp", request_body = McpServerInput,
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Changed (a rename gives it a new id)", body = McpServer),
        (status = 404, description = "No such server"), (status = 422, description = "Invalid")))]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<McpServerInput>,
) -> Result<Json<McpServer>, AppError> {
    Ok(Json(state.mcp.update(&id, input).await?))
}

#[utoipa::path(delete, path = "/api/mcp/servers/{id}", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Removed from its config file"), (status = 404, description = "No such server")))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    state.mcp.delete(&id).await?;
    Ok(Json(serde_json::json!({"removed": id})))
}

/// Connects, reads what the server offers, and disconnects: does it work?
#[utoipa::path(post, path = "/api/mcp/servers/{id}/test", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "The outcome (ok or why not)", body = TestResult), (status = 404, description = "No such server")))]
pub async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<TestResult>, AppError> {
    Ok(Json(state.mcp.test(&id).await?))
}

/// (Re)connects the inspector to the server and reads its tools, prompts, resources and
/// resource templates.
#[utoipa::path(post, path = "/api/mcp/servers/{id}/connection", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Connected, or why not", body = Inspection), (status = 404, description = "No such server")))]
pub async fn connect(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Inspection>, AppError> {
    Ok(Json(state.mcp.connect(&id).await?))
}

/// The inspector's state for the server: connection, what it offers, log, calls.
#[utoipa::path(get, path = "/api/mcp/servers/{id}/connection", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "The inspection", body = Inspection)))]
pub async fn inspect(State(state): State<AppState>, Path(id): Path<String>) -> Json<Inspection> {
    Json(state.mcp.inspector.inspection(&id))
}

/// The inspector's connections that are open or failed, one line each: several servers seen
/// side by side.
#[utoipa::path(get, path = "/api/mcp/connections", tag = "mcp",
    responses((status = 200, description = "The connections", body = Vec<ConnectionSummary>)))]
pub async fn connections(State(state): State<AppState>) -> Json<Vec<ConnectionSummary>> {
    Json(state.mcp.inspector.connections())
}

/// Closes the inspector's connection (a program is stopped).
#[utoipa::path(delete, path = "/api/mcp/servers/{id}/connection", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Closed", body = Inspection)))]
pub async fn disconnect(State(state): State<AppState>, Path(id): Path<String>) -> Json<Inspection> {
    state.mcp.inspector.disconnect(&id).await;
    Json(state.mcp.inspector.inspection(&id))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Entries after this one.
    #[serde(default)]
    pub since: u64,
}

/// The connection's log after `since`: JSON-RPC both ways, stderr, notes.
#[utoipa::path(get, path = "/api/mcp/servers/{id}/log", tag = "mcp",
    params(("id" = String, Path, description = "Server id"), LogQuery),
    responses((status = 200, description = "Log entries", body = Vec<LogEntry>)))]
pub async fn log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> Json<Vec<LogEntry>> {
    Json(state.mcp.inspector.log(&id, q.since))
}

/// Calls a tool on the connected server.
#[utoipa::path(post, path = "/api/mcp/servers/{id}/call", tag = "mcp", request_body = ToolCall,
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "The call and its result (or why it failed)", body = CallRecord),
        (status = 409, description = "Not connected")))]
pub async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ToolCall>,
) -> Result<Json<CallRecord>, AppError> {
    Ok(Json(
        state
            .mcp
            .inspector
            .call_tool(&id, &req.tool, req.arguments)
            .await?,
    ))
}

/// Reads a resource from the connected server.
#[utoipa::path(post, path = "/api/mcp/servers/{id}/read", tag = "mcp", request_body = ReadRequest,
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Its contents", body = Vec<ResourcePart>), (status = 409, description = "Not connected")))]
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReadRequest>,
) -> Result<Json<Vec<ResourcePart>>, AppError> {
    Ok(Json(
        state.mcp.inspector.read_resource(&id, &req.uri).await?,
    ))
}

/// Renders a prompt of the connected server.
#[utoipa::path(post, path = "/api/mcp/servers/{id}/prompt", tag = "mcp", request_body = PromptRequest,
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Its messages", body = PromptResult), (status = 409, description = "Not connected")))]
pub async fn prompt(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PromptRequest>,
) -> Result<Json<PromptResult>, AppError> {
    Ok(Json(
        state
            .mcp
            .inspector
            .get_prompt(&id, &req.name, &req.arguments)
            .await?,
    ))
}

/// Builds the server's folder again (cargo, pip or npm, by what is there) and reconnects; the
/// build's output goes into the log.
#[utoipa::path(post, path = "/api/mcp/servers/{id}/rebuild", tag = "mcp",
    params(("id" = String, Path, description = "Server id")),
    responses((status = 200, description = "Rebuilt and reconnected, or why not", body = Inspection),
        (status = 404, description = "No such server"), (status = 422, description = "Nothing to build")))]
pub async fn rebuild(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Inspection>, AppError> {
    Ok(Json(state.mcp.rebuild(&id).await?))
}

/// A new MCP server project from a template (`python` or `rust`), registered as a project and
/// as a local-scope server in its folder. Build it with the rebuild route.
#[utoipa::path(post, path = "/api/mcp/scaffold", tag = "mcp", request_body = ScaffoldRequest,
    responses((status = 201, description = "Made", body = Scaffolded), (status = 422, description = "A bad name or template")))]
pub async fn scaffold(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ScaffoldRequest>,
) -> Result<(StatusCode, Json<Scaffolded>), AppError> {
    Ok((StatusCode::CREATED, Json(state.mcp.scaffold(req).await?)))
}
