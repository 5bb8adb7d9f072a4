//! Server functions the project pages call; each is a thin call into the projects service.

use super::types::{ClaudeMd, CreateProject, EnvVar, Project, SetEnvVar, Template, UpdateProject};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
use crate::error::respond;

#[cfg(feature = "ssr")]
fn state() -> crate::server::state::AppState {
    expect_context::<crate::server::state::AppState>()
}

#[server(prefix = "/api/fn", endpoint = "list_projects", input = GetUrl)]
pub async fn list_projects() -> Result<Vec<Project>, AppError> {
    respond(state().projects.list().await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "get_project", input = GetUrl)]
pub async fn get_project(id: String) -> Result<Project, AppError> {
    respond(state().projects.get(&id).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "list_templates", input = GetUrl)]
pub async fn list_templates() -> Result<Vec<Template>, AppError> {
    Ok(state().projects.templates())
}

#[server(prefix = "/api/fn", endpoint = "add_project", input = Json)]
pub async fn add_project(request: CreateProject) -> Result<Project, AppError> {
    respond(
        state()
            .projects
            .create(request)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "save_project_settings", input = Json)]
pub async fn save_project_settings(
    id: String,
    changes: UpdateProject,
) -> Result<Project, AppError> {
    respond(
        state()
            .projects
            .update(&id, changes)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "forget_project", input = Json)]
pub async fn forget_project(
    id: String,
    delete_files: bool,
    confirm: Option<String>,
) -> Result<Project, AppError> {
    respond(super::http::forget(&state(), &id, delete_files, confirm.as_deref()).await)
}

#[server(prefix = "/api/fn", endpoint = "project_env", input = GetUrl)]
pub async fn project_env(id: String) -> Result<Vec<EnvVar>, AppError> {
    respond(state().projects.env_vars(&id).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "set_project_env", input = Json)]
pub async fn set_project_env(id: String, name: String, value: SetEnvVar) -> Result<(), AppError> {
    respond(
        state()
            .projects
            .set_env(&id, &name, value)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "delete_project_env", input = Json)]
pub async fn delete_project_env(id: String, name: String) -> Result<(), AppError> {
    respond(
        state()
            .projects
            .delete_env(&id, &name)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "project_claude_md", input = GetUrl)]
pub async fn project_claude_md(id: String) -> Result<ClaudeMd, AppError> {
    respond(
        state()
            .projects
            .claude_md(&id)
            .await
            .map(|content| ClaudeMd { content })
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "save_project_claude_md", input = Json)]
pub async fn save_project_claude_md(id: String, content: String) -> Result<(), AppError> {
    respond(
        state()
            .projects
            .set_claude_md(&id, &content)
            .await
            .map_err(AppError::from),
    )
}
