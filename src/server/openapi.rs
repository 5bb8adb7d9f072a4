//! The OpenAPI document of the REST routes, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Flotilla API",
        description = "REST and WebSocket API of Flotilla. Errors are JSON \
            `{\"error\": code, \"message\": text}` with a 4xx/5xx status."
    ),
    paths(
        crate::health::http::healthz,
        crate::health::http::readyz,
        crate::instances::http::list,
        crate::instances::http::create,
        crate::instances::http::show,
        crate::instances::http::update,
        crate::instances::http::remove,
        crate::instances::http::query,
        crate::instances::http::interrupt,
        crate::instances::http::stop,
        crate::instances::http::resume,
        crate::instances::http::permission,
        crate::instances::http::events,
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "instances", description = "Supervised Claude Code processes. Live events: \
            WS /ws/instances/{id}/stream?since=SEQ (read-only) and /ws/instances/{id}/interact?since=SEQ \
            (also takes {\"type\":\"query\"|\"interrupt\"|\"permission\"|\"set_model\"|\"set_permission_mode\"}); \
            WS /ws/instances streams the list.")
    )
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
