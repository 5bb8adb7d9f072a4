//! Session routes: the list (with filters) and the index's progress.

use super::types::{IndexStatus, SessionPage, SessionQuery};
use crate::error::AppError;
use crate::server::extract::ApiQuery;
use crate::server::state::AppState;
use axum::extract::State;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(index_status))
}

/// Every session in Claude Code's transcripts (Flotilla's and those run in a terminal), newest
/// activity first, with what each cost. Answers from the last finished scan of the transcripts.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions", params(SessionQuery),
    responses((status = 200, description = "A page of sessions", body = SessionPage),
        (status = 422, description = "A bad filter (limit, date)"), (status = 404, description = "No such project")))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SessionQuery>,
) -> Result<Json<SessionPage>, AppError> {
    Ok(Json(state.sessions.list(&q).await?))
}

/// How far the transcript index is (files and bytes read), for a progress bar.
#[utoipa::path(get, path = "/api/sessions/index", tag = "sessions",
    responses((status = 200, description = "The index's progress", body = IndexStatus)))]
pub async fn index_status(State(state): State<AppState>) -> Json<IndexStatus> {
    Json(state.sessions.index_status())
}
