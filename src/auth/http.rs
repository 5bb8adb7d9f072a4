//! The auth feature's REST routes: who am I, browser sessions, API tokens, the audit log, the
//! access settings. Managing tokens, sessions and settings takes a signed-in owner (a browser);
//! scripts create tokens with `flotilla token create` on the server.

use super::audit::AuditId;
use super::types::{
    AuditPage, AuditQuery, AuthStatus, CreateToken, NewToken, RotateToken, SecuritySettings,
    SessionInfo, TokenInfo, UpdateSecuritySettings,
};
use super::{Auth, Identity, Principal};
use crate::error::AppError;
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Every route here is registered with its OpenAPI description (`routes!` reads the
/// `#[utoipa::path]` of each handler), so the router and the document cannot drift apart.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(rotate_token))
        .routes(routes!(audit))
        .routes(routes!(audit_export))
        .routes(routes!(security_settings, save_security_settings))
}

fn audit_id(id: Option<Extension<AuditId>>) -> Option<AuditId> {
    id.map(|Extension(id)| id)
}

/// The audit log is for the owner and full-scope tokens.
fn may_read_audit(identity: &Identity) -> Result<(), AppError> {
    match &identity.principal {
        Principal::Token { scope, .. } if *scope != super::types::TokenScope::Full => Err(
            AppError::Forbidden("reading the audit log takes a full-scope token".into()),
        ),
        _ => Ok(()),
    }
}

/// Who this request comes from.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, description = "Auth status: enabled, owner exists, signed-in name", body = serde_json::Value),
        (status = 401, description = "No session or token")))]
pub async fn me(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
) -> Result<Json<AuthStatus>, AppError> {
    Ok(Json(auth.status(Some(&identity)).await?))
}

/// The owner's signed-in browsers.
#[utoipa::path(get, path = "/api/auth/sessions", tag = "auth",
    responses((status = 200, description = "Sessions", body = [serde_json::Value]),
        (status = 403, description = "Not a signed-in owner")))]
pub async fn sessions(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
) -> Result<Json<Vec<SessionInfo>>, AppError> {
    Ok(Json(auth.sessions(&identity).await?))
}

/// Signs one browser out.
#[utoipa::path(delete, path = "/api/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 204, description = "Signed out"), (status = 404, description = "No such session")))]
pub async fn revoke_session(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    id_of_audit: Option<Extension<AuditId>>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    auth.revoke_session(&identity, &id, audit_id(id_of_audit))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// API tokens (never their secrets), newest first.
#[utoipa::path(get, path = "/api/tokens", tag = "auth",
    responses((status = 200, description = "Tokens with last use", body = [serde_json::Value])))]
pub async fn tokens(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
) -> Result<Json<Vec<TokenInfo>>, AppError> {
    Ok(Json(auth.tokens(Some(&identity)).await?))
}

/// Creates a token; its secret is in this answer and nowhere else.
#[utoipa::path(post, path = "/api/tokens", tag = "auth",
    request_body(content = serde_json::Value, description = "{\"name\", \"scope\"?: \"read\"|\"full\", \"expires_in_days\"?}"),
    responses((status = 201, description = "{\"token\", \"info\"}", body = serde_json::Value),
        (status = 409, description = "A live token has that name"), (status = 422, description = "Invalid name or expiry")))]
pub async fn create_token(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    id_of_audit: Option<Extension<AuditId>>,
    ApiJson(request): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<NewToken>), AppError> {
    let token = auth
        .create_token(Some(&identity), request, audit_id(id_of_audit))
        .await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// Revokes a token (by id or name); it is refused from the next request on.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "auth",
    params(("id" = String, Path, description = "Token id or name")),
    responses((status = 200, description = "The revoked token", body = serde_json::Value), (status = 404, description = "No such token")))]
pub async fn revoke_token(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    id_of_audit: Option<Extension<AuditId>>,
    Path(id): Path<String>,
) -> Result<Json<TokenInfo>, AppError> {
    Ok(Json(
        auth.revoke_token(Some(&identity), &id, audit_id(id_of_audit))
            .await?,
    ))
}

/// A new secret for the token; the old one works for `overlap_secs` more (default 3600).
#[utoipa::path(post, path = "/api/tokens/{id}/rotate", tag = "auth",
    params(("id" = String, Path, description = "Token id or name")),
    request_body(content = serde_json::Value, description = "{\"overlap_secs\"?}"),
    responses((status = 200, description = "{\"token\", \"info\"}", body = serde_json::Value), (status = 404, description = "No such token")))]
pub async fn rotate_token(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    id_of_audit: Option<Extension<AuditId>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<NewToken>, AppError> {
    // The body is optional.
    let overlap = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RotateToken>(&body)
            .map_err(|e| AppError::Unprocessable(format!("the request body does not fit: {e}")))?
            .overlap_secs
    };
    Ok(Json(
        auth.rotate_token(Some(&identity), &id, overlap, audit_id(id_of_audit))
            .await?,
    ))
}

/// The audit log, newest first (`before` pages back).
#[utoipa::path(get, path = "/api/audit", tag = "auth",
    params(("actor" = Option<String>, Query, description = "Text in the actor"),
        ("text" = Option<String>, Query, description = "Text in the action or target"),
        ("result" = Option<String>, Query, description = "ok, error or pending"),
        ("before" = Option<i64>, Query, description = "Entries older than this id"),
        ("limit" = Option<u32>, Query, description = "At most this many (default 100, max 1000)")),
    responses((status = 200, description = "{\"entries\", \"next_before\"}", body = serde_json::Value)))]
pub async fn audit(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    may_read_audit(&identity)?;
    Ok(Json(auth.audit().list(&query).await?))
}

/// The audit log as JSON lines, oldest first (same filters as /api/audit).
#[utoipa::path(get, path = "/api/audit/export", tag = "auth",
    responses((status = 200, description = "application/x-ndjson", content_type = "application/x-ndjson")))]
pub async fn audit_export(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<impl IntoResponse, AppError> {
    may_read_audit(&identity)?;
    let body = auth.audit().export_jsonl(&query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"flotilla-audit.jsonl\"",
            ),
        ],
        body,
    ))
}

/// Allowed origins, public host names, free paths; and what the command line fixed.
#[utoipa::path(get, path = "/api/settings/security", tag = "auth",
    responses((status = 200, description = "Access settings", body = serde_json::Value)))]
pub async fn security_settings(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
) -> Result<Json<SecuritySettings>, AppError> {
    auth.require_owner(&identity)?;
    Ok(Json(auth.security_settings().await?))
}

/// Saves the access settings; they apply at once.
#[utoipa::path(put, path = "/api/settings/security", tag = "auth",
    request_body(content = serde_json::Value, description = "{\"allowed_origins\": [..], \"public_hosts\": [..], \"allow_free_paths\": bool}"),
    responses((status = 200, description = "The settings now", body = serde_json::Value),
        (status = 403, description = "Not a signed-in owner"), (status = 422, description = "An origin or host is malformed")))]
pub async fn save_security_settings(
    State(auth): State<Auth>,
    Extension(identity): Extension<Identity>,
    id_of_audit: Option<Extension<AuditId>>,
    ApiJson(update): ApiJson<UpdateSecuritySettings>,
) -> Result<Json<SecuritySettings>, AppError> {
    Ok(Json(
        auth.save_security_settings(&identity, update, audit_id(id_of_audit))
            .await?,
    ))
}
