//! Server functions the worktree pages call. Each is one call of the worktrees service — the
//! same call the REST route makes.

use super::types::{Cleanup, CreateWorktree, ScriptRun, Worktree};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
use super::http::instance_use;
#[cfg(feature = "ssr")]
use crate::error::respond;

#[cfg(feature = "ssr")]
fn state() -> crate::server::state::AppState {
    expect_context::<crate::server::state::AppState>()
}

#[server(prefix = "/api/fn", endpoint = "list_worktrees", input = GetUrl)]
pub async fn list_worktrees(project_id: Option<String>) -> Result<Vec<Worktree>, AppError> {
    let s = state();
    let used = instance_use(&s);
    respond(
        s.worktrees
            .list(project_id.as_deref(), &used)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "get_worktree", input = GetUrl)]
pub async fn get_worktree(id: String) -> Result<Worktree, AppError> {
    let s = state();
    let used = instance_use(&s);
    respond(s.worktrees.get(&id, &used).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "add_worktree", input = Json)]
pub async fn add_worktree(request: CreateWorktree) -> Result<Worktree, AppError> {
    respond(
        state()
            .worktrees
            .create(request)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "remove_worktree", input = Json)]
pub async fn remove_worktree(id: String, force: bool) -> Result<Worktree, AppError> {
    let s = state();
    let used = instance_use(&s);
    respond(
        s.worktrees
            .remove(&id, force, &used)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "project_cleanup", input = GetUrl)]
pub async fn project_cleanup(project_id: String) -> Result<Cleanup, AppError> {
    let s = state();
    let used = instance_use(&s);
    let day = 24 * 3600 * 1000;
    respond(
        s.worktrees
            .cleanup(&project_id, &used, day)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "get_script_run", input = GetUrl)]
pub async fn get_script_run(id: String) -> Result<Option<ScriptRun>, AppError> {
    let watched = state().worktrees.scripts().watch(&id).await;
    respond(
        watched
            .map(|w| w.map(|(run, _)| run))
            .map_err(AppError::from),
    )
}
