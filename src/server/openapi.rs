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
    paths(crate::health::http::healthz, crate::health::http::readyz),
    tags((name = "health", description = "Liveness and readiness"))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
