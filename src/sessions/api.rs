//! Server functions the Sessions page calls: one call of the sessions service each, the same
//! call the REST route makes (`http.rs`).

use super::types::{SessionPage, SessionQuery};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "search_sessions", input = GetUrl)]
pub async fn search_sessions(query: SessionQuery) -> Result<SessionPage, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.sessions.list(&query).await)
}
