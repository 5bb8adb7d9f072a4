//! Every error the API answers is `{"error": code, "message": text}` with a status that says
//! whose fault it was, whichever layer produced it: axum's own rejections (405, a failed
//! WebSocket upgrade), the body limit (413), the body timeout (408), and Leptos server functions
//! (which answer every error with 500, even a malformed body). API answers are never cached.

use crate::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are small; anything longer is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn normalize(request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") || path.starts_with("/ws/");
    let is_server_fn = path.starts_with("/api/fn/");
    let mut response = next.run(request).await;
    if !is_api {
        return response;
    }
    // API answers are about this moment and may be private: never from a cache.
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json && !(is_server_fn && status == StatusCode::INTERNAL_SERVER_ERROR) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
    if is_json {
        // A server function's error: give it the status its code stands for.
        if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
            parts.status = error.status();
        }
        return Response::from_parts(parts, Body::from(bytes));
    }
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let (code, fallback) = describe(status);
    let message = if text.is_empty() {
        fallback.to_string()
    } else {
        text
    };
    let body = serde_json::json!({"error": code, "message": message}).to_string();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Why a request body could not be read: over the size limit (413), too slow (408), or else
/// broken (400).
pub fn body_read_error(e: &(dyn std::error::Error + 'static)) -> AppError {
    let mut source = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return AppError::PayloadTooLarge("the request body is too large".into());
        }
        if err.is::<tower_http::timeout::TimeoutError>() {
            return AppError::RequestTimeout("the request body came too slowly".into());
        }
        source = err.source();
    }
    AppError::BadRequest(format!("the request body could not be read: {e}"))
}

/// The error code and a default message for a status.
fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "the request is malformed"),
        401 => ("unauthorized", "sign in or send an API token"),
        403 => ("forbidden", "not allowed"),
        404 => ("not_found", "nothing here"),
        405 => ("method_not_allowed", "this method is not allowed here"),
        408 => ("timeout", "the request body came too slowly"),
        413 => ("payload_too_large", "the request body is too large"),
        415 => ("unsupported_media_type", "send JSON"),
        422 => ("unprocessable", "the request cannot be processed"),
        429 => ("rate_limited", "too many requests; retry later"),
        503 => ("unavailable", "not available now"),
        s if s < 500 => ("bad_request", "the request was refused"),
        _ => (
            "internal",
            "internal error; the details are in the server log",
        ),
    }
}
