//! Session routes: the list (with filters), the index's progress, one session, resume, fork,
//! merge, export and import.

use super::service::ExportFormat;
use super::types::{
    ForkRequest, ImportQuery, ImportedSession, IndexStatus, MergeRequest, SessionDetail,
    SessionPage, SessionQuery,
};
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
        .routes(routes!(export))
        .routes(routes!(show))
        .routes(routes!(resume))
        .routes(routes!(fork))
        .routes(routes!(merge))
        .routes(routes!(import))
}

/// A new session whose first prompt carries a summary of two sessions (definition in
/// docs/SESSIONS.md), continued in a new instance.
#[utoipa::path(post, path = "/api/sessions/merge", tag = "sessions", request_body = MergeRequest,
    responses((status = 201, description = "The new instance (its session_id is the merged session's)", body = serde_json::Value),
        (status = 404, description = "No such session"), (status = 422, description = "Not two distinct sessions, or a bad folder")))]
pub async fn merge(
    State(state): State<AppState>,
    crate::server::extract::ApiJson(req): crate::server::extract::ApiJson<MergeRequest>,
) -> Result<
    (
        axum::http::StatusCode,
        Json<crate::instances::types::Instance>,
    ),
    AppError,
> {
    let instance = state.sessions.merge(req, state.auth.confined()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(instance)))
}

/// Imports a session exported as JSONL (the body, `Content-Type: application/x-ndjson`): checked
/// line by line first, nothing written when it is refused. `claude --resume` continues it in
/// its folder afterwards.
#[utoipa::path(post, path = "/api/sessions/import", tag = "sessions", params(ImportQuery),
    request_body(content = String, content_type = "application/x-ndjson", description = "The transcript"),
    responses((status = 201, description = "Imported", body = ImportedSession),
        (status = 409, description = "The session is already here"),
        (status = 413, description = "Larger than the server takes (--max-body-mb)"),
        (status = 422, description = "Not a Claude Code transcript, or no folder to put it in")))]
pub async fn import(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(axum::http::StatusCode, Json<ImportedSession>), AppError> {
    let ndjson = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-ndjson")
        });
    if !ndjson {
        return Err(AppError::BadRequest(
            "send the transcript as the body with Content-Type: application/x-ndjson".into(),
        ));
    }
    let imported = state.sessions.import(body.to_vec(), q).await?;
    Ok((axum::http::StatusCode::CREATED, Json(imported)))
}

/// One session: what it cost and its conversation as a tree of messages (`parentUuid` links,
/// sub-agents' sidechains), each with the frame the chat replays.
#[utoipa::path(get, path = "/api/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, description = "The session and its messages", body = SessionDetail),
        (status = 404, description = "No such session")))]
pub async fn show(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<SessionDetail>, AppError> {
    Ok(Json(state.sessions.detail(&id).await?))
}

/// Continues the session in an instance in its folder (`claude --resume`): the instance already
/// on it, or a new one.
#[utoipa::path(post, path = "/api/sessions/{id}/resume", tag = "sessions",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, description = "The instance continuing it", body = serde_json::Value),
        (status = 404, description = "No such session"), (status = 403, description = "Its folder is outside the projects"),
        (status = 429, description = "The maximum of live instances is reached")))]
pub async fn resume(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<crate::instances::types::Instance>, AppError> {
    Ok(Json(
        state.sessions.resume(&id, state.auth.confined()).await?,
    ))
}

/// A new session with this one's conversation up to a message, continued in a new instance.
#[utoipa::path(post, path = "/api/sessions/{id}/fork", tag = "sessions",
    params(("id" = String, Path, description = "Session id")), request_body = ForkRequest,
    responses((status = 201, description = "The new instance (its session_id is the fork's)", body = serde_json::Value),
        (status = 404, description = "No such session or message")))]
pub async fn fork(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    crate::server::extract::ApiJson(req): crate::server::extract::ApiJson<ForkRequest>,
) -> Result<
    (
        axum::http::StatusCode,
        Json<crate::instances::types::Instance>,
    ),
    AppError,
> {
    let instance = state
        .sessions
        .fork(&id, req.at, state.auth.confined())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(instance)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `jsonl` (Claude Code's own format, resumable after import) or `markdown`.
    pub format: String,
}

/// A session as a file to download: its transcript (JSONL) or readable Markdown.
#[utoipa::path(get, path = "/api/sessions/{id}/export", tag = "sessions",
    params(("id" = String, Path, description = "Session id"), ExportQuery),
    responses((status = 200, description = "The file, as an attachment"),
        (status = 404, description = "No such session"), (status = 422, description = "An unknown format")))]
pub async fn export(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let format = match q.format.as_str() {
        "jsonl" => ExportFormat::Jsonl,
        "markdown" | "md" => ExportFormat::Markdown,
        other => {
            return Err(crate::base::error::DomainError::Invalid(format!(
                "format must be jsonl or markdown, not {other:?}"
            ))
            .into())
        }
    };
    let (name, content_type, bytes) = state.sessions.export(&id, format).await?;
    // The name is the session id (checked to be in the index) and a fixed extension.
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
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
