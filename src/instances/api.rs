//! Server functions the instance pages call. Each is a thin call into the engine.

use crate::error::AppError;
use crate::instances::types::{CreateInstance, Instance};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
fn supervisor() -> crate::instances::engine::Supervisor {
    expect_context::<crate::server::state::AppState>().instances
}

#[cfg(feature = "ssr")]
use crate::error::respond;

#[server(prefix = "/api/fn", endpoint = "list_instances", input = GetUrl)]
pub async fn list_instances() -> Result<Vec<Instance>, AppError> {
    Ok(supervisor().list())
}

#[server(prefix = "/api/fn", endpoint = "get_instance", input = GetUrl)]
pub async fn get_instance(id: String) -> Result<Instance, AppError> {
    respond(supervisor().get(&id).map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "launch_instance", input = Json)]
pub async fn launch_instance(request: CreateInstance) -> Result<Instance, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let request = respond(
        state
            .worktrees
            .resolve_instance(request, state.auth.confined())
            .await
            .map_err(AppError::from),
    )?;
    respond(supervisor().create(request).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "stop_instance", input = Json)]
pub async fn stop_instance(id: String) -> Result<Instance, AppError> {
    respond(supervisor().stop(&id).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "resume_instance", input = Json)]
pub async fn resume_instance(id: String) -> Result<Instance, AppError> {
    respond(supervisor().resume(&id).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "delete_instance", input = Json)]
pub async fn delete_instance(id: String) -> Result<Instance, AppError> {
    respond(supervisor().delete(&id).await.map_err(AppError::from))
}
