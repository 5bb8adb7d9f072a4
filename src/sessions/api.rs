//! Server functions the Sessions page calls: one call of the sessions service each, the same
//! call the REST route makes (`http.rs`).

use super::types::{MergeRequest, SessionDetail, SessionPage, SessionQuery};
use crate::error::AppError;
use crate::instances::types::Instance;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[server(prefix = "/api/fn", endpoint = "search_sessions", input = GetUrl)]
pub async fn search_sessions(query: SessionQuery) -> Result<SessionPage, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.list(&query).await)
}

#[server(prefix = "/api/fn", endpoint = "read_session", input = GetUrl)]
pub async fn read_session(id: String) -> Result<SessionDetail, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.detail(&id).await)
}

#[server(prefix = "/api/fn", endpoint = "resume_session", input = Json)]
pub async fn resume_session(id: String) -> Result<Instance, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.resume(&id, state.auth.confined()).await)
}

#[server(prefix = "/api/fn", endpoint = "fork_session", input = Json)]
pub async fn fork_session(id: String, at: Option<String>) -> Result<Instance, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.fork(&id, at, state.auth.confined()).await)
}

#[server(prefix = "/api/fn", endpoint = "merge_sessions", input = Json)]
pub async fn merge_sessions(request: MergeRequest) -> Result<Instance, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.merge(request, state.auth.confined()).await)
}
