//! The projects' REST routes.

use super::types::{ClaudeMd, CreateProject, EnvVar, Project, SetEnvVar, Template, UpdateProject};
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
        .routes(routes!(show, update, remove))
        .routes(routes!(templates))
        .routes(routes!(claude_md, set_claude_md))
        .routes(routes!(env))
        .routes(routes!(set_env, delete_env))
}

#[utoipa::path(get, path = "/api/projects", tag = "projects", responses((status = 200, description = "Every project", body = [serde_json::Value])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Project>>, AppError> {
    Ok(Json(state.projects.list().await?))
}

/// Registers an existing repository (`{"name", "path"}`) or scaffolds one from a template
/// (`{"name", "template", "path"?}`: git init and a first commit).
#[utoipa::path(post, path = "/api/projects", tag = "projects",
    request_body(content = serde_json::Value, description = "{\"name\", \"path\"} or {\"name\", \"template\", \"path\"?}, plus \"default_model\"?, \"default_permission_mode\"?"),
    responses((status = 201, description = "The project", body = serde_json::Value),
        (status = 409, description = "Name or path taken, or the folder is not empty"),
        (status = 422, description = "Not a repository, unknown template, invalid field")))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateProject>,
) -> Result<(StatusCode, Json<Project>), AppError> {
    Ok((StatusCode::CREATED, Json(state.projects.create(req).await?)))
}

#[utoipa::path(get, path = "/api/projects/{id}", tag = "projects", params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "The project", body = serde_json::Value), (status = 404, description = "No such project")))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Project>, AppError> {
    Ok(Json(state.projects.get(&id).await?))
}

/// Changes the settings given (an empty string clears an optional one).
#[utoipa::path(put, path = "/api/projects/{id}", tag = "projects", params(("id" = String, Path, description = "Project id")),
    request_body(content = serde_json::Value, description = "Any of name, default_model, default_permission_mode, worktree_root, setup_script, run_script, base_branch, github_api_url"),
    responses((status = 200, description = "The project", body = serde_json::Value), (status = 422, description = "Invalid value")))]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateProject>,
) -> Result<Json<Project>, AppError> {
    Ok(Json(state.projects.update(&id, req).await?))
}

#[derive(Debug, Deserialize)]
pub struct DeleteQuery {
    #[serde(default)]
    delete_files: bool,
    #[serde(default)]
    confirm: Option<String>,
}

/// Forgets the project (its files stay). `?delete_files=true&confirm=<name>` also deletes its
/// folder and its worktrees' folders.
#[utoipa::path(delete, path = "/api/projects/{id}", tag = "projects",
    params(("id" = String, Path, description = "Project id"), ("delete_files" = Option<bool>, Query, description = "Also delete the files"),
        ("confirm" = Option<String>, Query, description = "The project's name, required with delete_files")),
    responses((status = 200, description = "The project as it was", body = serde_json::Value), (status = 409, description = "Instances still run on it"),
        (status = 422, description = "delete_files without the right confirm")))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<Json<Project>, AppError> {
    Ok(Json(
        forget(&state, &id, q.delete_files, q.confirm.as_deref()).await?,
    ))
}

/// Removes a project from Flotilla — refused while instances run on it — and, when asked and
/// confirmed, its files and its worktrees' files.
pub async fn forget(
    state: &AppState,
    id: &str,
    delete_files: bool,
    confirm: Option<&str>,
) -> Result<Project, AppError> {
    let live = state
        .instances
        .list()
        .into_iter()
        .filter(|i| i.project_id.as_deref() == Some(id) && i.status.is_live())
        .count();
    if live > 0 {
        return Err(AppError::Conflict(format!(
            "{live} live instance(s) work on this project; stop them first"
        )));
    }
    let worktrees: Vec<String> = crate::worktrees::store::list(&state.db, Some(id))
        .await?
        .into_iter()
        .map(|w| w.path)
        .collect();
    Ok(state
        .projects
        .delete(id, delete_files, confirm, &worktrees)
        .await?)
}

#[utoipa::path(get, path = "/api/templates", tag = "projects", responses((status = 200, description = "Templates", body = [serde_json::Value])))]
pub async fn templates(State(state): State<AppState>) -> Json<Vec<Template>> {
    Json(state.projects.templates())
}

#[utoipa::path(get, path = "/api/projects/{id}/claude-md", tag = "projects", params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "{\"content\"}", body = serde_json::Value)))]
pub async fn claude_md(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ClaudeMd>, AppError> {
    Ok(Json(ClaudeMd {
        content: state.projects.claude_md(&id).await?,
    }))
}

#[utoipa::path(put, path = "/api/projects/{id}/claude-md", tag = "projects", params(("id" = String, Path, description = "Project id")),
    request_body(content = serde_json::Value, description = "{\"content\"}"), responses((status = 200, description = "Saved")))]
pub async fn set_claude_md(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClaudeMd>,
) -> Result<Json<ClaudeMd>, AppError> {
    state.projects.set_claude_md(&id, &body.content).await?;
    Ok(Json(body))
}

/// The project's environment variables; secret values are masked.
#[utoipa::path(get, path = "/api/projects/{id}/env", tag = "projects", params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "[{name, value, secret}]", body = [serde_json::Value])))]
pub async fn env(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<EnvVar>>, AppError> {
    Ok(Json(state.projects.env_vars(&id).await?))
}

/// Sets a variable; `secret: true` stores it encrypted and never shows it in full again.
#[utoipa::path(put, path = "/api/projects/{id}/env/{name}", tag = "projects",
    params(("id" = String, Path, description = "Project id"), ("name" = String, Path, description = "Variable name")),
    request_body(content = serde_json::Value, description = "{\"value\", \"secret\"?}"), responses((status = 204, description = "Saved")))]
pub async fn set_env(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<SetEnvVar>,
) -> Result<StatusCode, AppError> {
    state.projects.set_env(&id, &name, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/projects/{id}/env/{name}", tag = "projects",
    params(("id" = String, Path, description = "Project id"), ("name" = String, Path, description = "Variable name")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such variable")))]
pub async fn delete_env(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    state.projects.delete_env(&id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
