//! `GET /healthz` (the process answers) and `GET /readyz` (it can do its work).

use crate::base::db;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

/// The process is alive and serving requests.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is alive")))]
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// The database answers and is migrated; also says whether the `claude` binary was found.
/// 503 when the database is not usable. A missing `claude` does not make the server unready
/// (the UI still works and says how to install it), but it is reported here.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Ready"), (status = 503, description = "Not ready")))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match db::migration_status(&state.db).await {
        Ok((applied, known)) => json!({
            "ok": applied == known,
            "migrations_applied": applied,
            "migrations_known": known,
        }),
        Err(e) => json!({"ok": false, "error": e.to_string()}),
    };
    let db_ok = database["ok"].as_bool().unwrap_or(false);
    let claude = state.claude.status().await;
    let body = json!({
        "status": if db_ok { "ready" } else { "not_ready" },
        "database": database,
        "claude": {
            "found": claude.found,
            "version": claude.version,
            "path": claude.path,
            "error": claude.error,
            "hint": (!claude.found).then_some(crate::base::INSTALL_HINT),
        },
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
