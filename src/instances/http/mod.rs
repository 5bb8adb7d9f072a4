//! The instances' REST routes (`/api/instances...`) and WebSocket routes (`/ws/instances...`).

mod ws;

use crate::error::AppError;
use crate::instances::codec::PermissionDecision;
use crate::instances::types::{CreateInstance, Instance, PermissionBehavior, QueryRequest};
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The REST routes are registered with their OpenAPI descriptions (see `auth::http::routes`);
/// the WebSockets, which OpenAPI cannot describe, are in the document's `instances` tag.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(query))
        .routes(routes!(interrupt))
        .routes(routes!(stop))
        .routes(routes!(resume))
        .routes(routes!(permission))
        .routes(routes!(events))
        .route("/ws/instances", get(ws::list_feed))
        .route("/ws/instances/{id}/stream", get(ws::stream))
        .route("/ws/instances/{id}/interact", get(ws::interact))
}

/// All instances, oldest first.
#[utoipa::path(get, path = "/api/instances", tag = "instances",
    responses((status = 200, description = "Every instance", body = [serde_json::Value])))]
pub async fn list(State(state): State<AppState>) -> Json<Vec<Instance>> {
    Json(state.instances.list())
}

/// Starts a Claude Code process in `cwd`; `prompt` is its first turn.
#[utoipa::path(post, path = "/api/instances", tag = "instances",
    request_body(content = serde_json::Value, description = "{\"cwd\": \"/abs/dir\", \"name\"?, \"model\"?, \"permission_mode\"?, \"prompt\"?, \"env\"?, \"mcp_config\"?, \"append_system_prompt\"?}"),
    responses(
        (status = 201, description = "The new instance", body = serde_json::Value),
        (status = 400, description = "Body is not JSON"),
        (status = 422, description = "A field is missing or invalid (e.g. cwd is not a directory)"),
        (status = 429, description = "The maximum of live instances is reached"),
        (status = 503, description = "The claude executable was not found")))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateInstance>,
) -> Result<(StatusCode, Json<Instance>), AppError> {
    let req = state
        .worktrees
        .resolve_instance(req, state.auth.confined())
        .await?;
    let instance = state.instances.create(req).await?;
    Ok((StatusCode::CREATED, Json(instance)))
}

/// One instance.
#[utoipa::path(get, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance", body = serde_json::Value), (status = 404, description = "No such instance")))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Instance>, AppError> {
    Ok(Json(state.instances.get(&id)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInstance {
    model: Option<String>,
    permission_mode: Option<String>,
}

/// Switches the model and/or permission mode (a control request to the live process).
#[utoipa::path(patch, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    request_body(content = serde_json::Value, description = "{\"model\"?, \"permission_mode\"?}"),
    responses((status = 200, description = "The instance", body = serde_json::Value),
        (status = 404, description = "No such instance"), (status = 409, description = "Claude Code refused"),
        (status = 422, description = "Invalid value")))]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateInstance>,
) -> Result<Json<Instance>, AppError> {
    if let Some(model) = req.model {
        state.instances.set_model(&id, model).await?;
    }
    if let Some(mode) = req.permission_mode {
        state.instances.set_permission_mode(&id, mode).await?;
    }
    Ok(Json(state.instances.get(&id)?))
}

/// Stops the instance's process group and removes the instance and its recorded events.
#[utoipa::path(delete, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance as it was when removed", body = serde_json::Value),
        (status = 404, description = "No such instance")))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Instance>, AppError> {
    Ok(Json(state.instances.delete(&id).await?))
}

/// Sends a user turn; queued if a turn is running.
#[utoipa::path(post, path = "/api/instances/{id}/query", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    request_body(content = serde_json::Value, description = "{\"prompt\": \"...\"}"),
    responses((status = 202, description = "Accepted (sent or queued)", body = serde_json::Value),
        (status = 404, description = "No such instance"), (status = 409, description = "The instance is stopped"),
        (status = 422, description = "Empty prompt")))]
pub async fn query(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<QueryRequest>,
) -> Result<(StatusCode, Json<Instance>), AppError> {
    state.instances.query(&id, req.prompt).await?;
    Ok((StatusCode::ACCEPTED, Json(state.instances.get(&id)?)))
}

/// Interrupts the running turn; the process stays alive.
#[utoipa::path(post, path = "/api/instances/{id}/interrupt", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 202, description = "Interrupt sent"), (status = 409, description = "No turn is running")))]
pub async fn interrupt(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state.instances.interrupt(&id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Stops the process; the instance stays and can be resumed.
#[utoipa::path(post, path = "/api/instances/{id}/stop", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The stopped instance", body = serde_json::Value)))]
pub async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Instance>, AppError> {
    Ok(Json(state.instances.stop(&id).await?))
}

/// Starts a stopped or failed instance again (`--resume` with its session id).
#[utoipa::path(post, path = "/api/instances/{id}/resume", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance", body = serde_json::Value),
        (status = 409, description = "Already running"), (status = 429, description = "Quota reached")))]
pub async fn resume(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Instance>, AppError> {
    Ok(Json(state.instances.resume(&id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionAnswer {
    behavior: PermissionBehavior,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    updated_input: Option<Value>,
}

impl PermissionAnswer {
    pub fn decision(
        behavior: PermissionBehavior,
        message: Option<String>,
        updated_input: Option<Value>,
    ) -> PermissionDecision {
        match behavior {
            PermissionBehavior::Allow => PermissionDecision::Allow {
                updated_input: updated_input.unwrap_or(Value::Null),
            },
            PermissionBehavior::Deny => PermissionDecision::Deny {
                message: message
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| "The user denied this.".into()),
            },
        }
    }
}

/// Answers a permission question (`control_request` `can_use_tool`).
#[utoipa::path(post, path = "/api/instances/{id}/permissions/{request_id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id"), ("request_id" = String, Path, description = "The question's request_id")),
    request_body(content = serde_json::Value, description = "{\"behavior\": \"allow\"|\"deny\", \"message\"?, \"updated_input\"?}"),
    responses((status = 200, description = "Answered"), (status = 404, description = "No such question waiting")))]
pub async fn permission(
    State(state): State<AppState>,
    Path((id, request_id)): Path<(String, String)>,
    ApiJson(answer): ApiJson<PermissionAnswer>,
) -> Result<StatusCode, AppError> {
    let decision =
        PermissionAnswer::decision(answer.behavior, answer.message, answer.updated_input);
    state
        .instances
        .answer_permission(&id, request_id, decision)
        .await?;
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    since: u64,
    #[serde(default)]
    limit: Option<u32>,
}

/// Recorded events with `seq > since` (oldest first, at most `limit`, default 1000, max 5000),
/// the same frames the WebSockets send.
#[utoipa::path(get, path = "/api/instances/{id}/events", tag = "instances",
    params(("id" = String, Path, description = "Instance id"), ("since" = Option<u64>, Query, description = "Only events after this seq"),
        ("limit" = Option<u32>, Query, description = "At most this many (default 1000, max 5000)")),
    responses((status = 200, description = "Frames {seq, ts, kind, data}", body = [serde_json::Value])))]
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<axum::response::Response, AppError> {
    state.instances.get(&id)?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 5000);
    let frames = state
        .instances
        .events()
        .read_after(&id, q.since, limit)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // The frames are JSON already: join them rather than parse and re-serialise.
    let mut body = Vec::with_capacity(frames.iter().map(|f| f.json.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, frame) in frames.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&frame.json);
    }
    body.push(b']');
    axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body))
        .map_err(|e| AppError::Internal(e.to_string()))
}
