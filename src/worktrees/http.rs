//! Worktree routes: list, create, show, remove, cleanup, script runs. (The review routes of a
//! worktree's checkout are in `review::http`.)

use super::service::InstanceUse;
use super::types::{Cleanup, CreateWorktree, ScriptRun, Worktree};
use crate::error::AppError;
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, remove))
        .routes(routes!(cleanup))
        .routes(routes!(script_run))
}

/// Which instance works where, for the worktree views.
pub(crate) fn instance_use(state: &AppState) -> InstanceUse {
    state
        .instances
        .list()
        .into_iter()
        .map(|i| (i.id, i.worktree_id, i.status.is_live()))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/api/worktrees", tag = "worktrees", params(("project_id" = Option<String>, Query, description = "Only this project's")),
    responses((status = 200, description = "[{id, project_id, branch, base, path, head, ahead, behind, dirty, disk_bytes, instances, drift, merged, pr, setup, created_at}]", body = [serde_json::Value])))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Worktree>>, AppError> {
    Ok(Json(
        state
            .worktrees
            .list(q.project_id.as_deref(), &instance_use(&state))
            .await?,
    ))
}

/// Creates a worktree for a new branch (from `base`, default the project's base branch) or an
/// existing one, then runs the project's setup script in it (see `setup` in the answer).
#[utoipa::path(post, path = "/api/worktrees", tag = "worktrees",
    request_body(content = serde_json::Value, description = "{\"project_id\", \"branch\", \"base\"?, \"fetch\"?}"),
    responses((status = 201, description = "The worktree", body = serde_json::Value), (status = 404, description = "No such project"),
        (status = 409, description = "The branch is checked out elsewhere"), (status = 422, description = "Invalid branch or base")))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateWorktree>,
) -> Result<(StatusCode, Json<Worktree>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(state.worktrees.create(req).await?),
    ))
}

#[utoipa::path(get, path = "/api/worktrees/{id}", tag = "worktrees", params(("id" = String, Path, description = "Worktree id")),
    responses((status = 200, description = "The worktree", body = serde_json::Value), (status = 404, description = "No such worktree")))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Worktree>, AppError> {
    Ok(Json(state.worktrees.get(&id, &instance_use(&state)).await?))
}

#[derive(Debug, Deserialize)]
pub struct RemoveQuery {
    #[serde(default)]
    force: bool,
}

/// Removes the worktree (its branch stays). Refused with 409 — saying what would be lost — when
/// it has uncommitted changes or unpushed commits, unless `force=true`.
#[utoipa::path(delete, path = "/api/worktrees/{id}", tag = "worktrees",
    params(("id" = String, Path, description = "Worktree id"), ("force" = Option<bool>, Query, description = "Remove even with unsaved work")),
    responses((status = 200, description = "The worktree as it was", body = serde_json::Value), (status = 409, description = "Work would be lost, or instances run in it")))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> Result<Json<Worktree>, AppError> {
    Ok(Json(
        state
            .worktrees
            .remove(&id, q.force, &instance_use(&state))
            .await?,
    ))
}

/// Merged, idle and drifted worktrees with their disk use, and git worktrees Flotilla does not
/// manage. Prunes stale worktree metadata first.
#[utoipa::path(get, path = "/api/projects/{id}/cleanup", tag = "worktrees", params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "{candidates, external, total_disk_bytes}", body = serde_json::Value)))]
pub async fn cleanup(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Cleanup>, AppError> {
    let day = 24 * 3600 * 1000;
    Ok(Json(
        state
            .worktrees
            .cleanup(&id, &instance_use(&state), day)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/script-runs/{id}", tag = "worktrees", params(("id" = String, Path, description = "Run id")),
    responses((status = 200, description = "{id, kind, command, status, exit_code, output, started_at, finished_at}", body = serde_json::Value)))]
pub async fn script_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ScriptRun>, AppError> {
    match state.worktrees.scripts().watch(&id).await? {
        Some((run, _)) => Ok(Json(run)),
        None => Err(AppError::NotFound(format!("no script run {id}"))),
    }
}
