//! The HTTP surface: every route, and the one middleware stack they all sit behind.

use super::state::AppState;
use super::{api_errors, headers, openapi};
use crate::app::{shell, App};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn build(state: AppState) -> Router {
    let pages = generate_route_list(App);
    let max_body =
        usize::try_from(state.config.access.max_body_mb.max(1) * 1024 * 1024).unwrap_or(usize::MAX);
    let body_timeout = std::time::Duration::from_secs(state.config.access.body_timeout_secs.max(1));
    let leptos_options = state.leptos_options.clone();
    let page_context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };

    let (api, document) = api_routes().split_for_parts();
    let document = std::sync::Arc::new(document);
    api.route(
        "/api/openapi.json",
        get(move || {
            let document = document.clone();
            async move { axum::Json(document) }
        }),
    )
    // Unknown API paths answer JSON, not the HTML 404 page.
    .route("/api/{*rest}", any(api_not_found))
    // Pages and server functions (under /api/fn/).
    .leptos_routes_with_context(&state, pages, page_context, move || {
        shell(leptos_options.clone())
    })
    .fallback(site_or_not_found)
    // The one middleware stack, outermost first: tracing, response headers, compression,
    // JSON errors, body size and time limits, then the guard (host, rate, origin, content
    // type, who is asking) and the audit log right before the routes.
    .layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(axum::middleware::from_fn_with_state(
                state.auth.config().tls,
                headers::apply,
            ))
            .layer(CompressionLayer::new())
            .layer(axum::middleware::from_fn(api_errors::normalize))
            .layer(DefaultBodyLimit::disable())
            .layer(RequestBodyLimitLayer::new(max_body))
            .layer(RequestBodyTimeoutLayer::new(body_timeout))
            // The limits wrap the body in their own types; axum's middleware and routes
            // take its `Body`, which the wrapped one converts into (errors included).
            .map_request(|request: Request<_>| request.map(Body::new))
            .layer(axum::middleware::from_fn_with_state(
                state.auth.clone(),
                crate::auth::guard::guard,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.auth.clone(),
                crate::auth::audit::record_changes,
            )),
    )
    .with_state(state)
}

/// Every REST route with its OpenAPI description, and the WebSockets (see each feature's
/// `http::routes`).
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(crate::health::http::healthz))
        .routes(routes!(crate::health::http::readyz))
        .merge(crate::instances::http::routes())
        .merge(crate::projects::http::routes())
        .merge(crate::worktrees::http::routes())
        .merge(crate::review::http::routes())
        .merge(crate::sessions::http::routes())
        .merge(crate::analytics::http::routes())
        .merge(crate::mcp::http::routes())
        .merge(crate::auth::http::routes())
}

async fn api_not_found(req: Request<Body>) -> AppError {
    AppError::NotFound(format!(
        "No API route {} {}",
        req.method(),
        req.uri().path()
    ))
}

/// Static files of the site, else the app's 404 page.
async fn site_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    if let Some(response) = state
        .site
        .serve(req.method(), req.uri().path(), req.headers())
        .await
    {
        return response;
    }
    let uri = req.uri().clone();
    let render = leptos_axum::file_and_error_handler::<AppState, _>(shell);
    render(uri, State(state), req).await.into_response()
}

#[cfg(test)]
mod tests {
    /// Routes mounted with a bare `.route(...)` skip the OpenAPI document. Only these may: the
    /// WebSockets (described in the `instances` tag), the document itself and the JSON 404.
    const UNDOCUMENTED: [&str; 5] = [
        "\"/api/openapi.json\"",
        "\"/api/{*rest}\"",
        "\"/ws/instances\"",
        "\"/ws/instances/{id}/stream\"",
        "\"/ws/instances/{id}/interact\"",
    ];

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_rest_route_bypasses_the_document() {
        let mut files = Vec::new();
        rust_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut bare = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // The route's path is on the same line as `.route(` or the next one.
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let code = line.trim_start();
                if !(code.starts_with(".route(") || code.starts_with("api.route(")) {
                    continue;
                }
                let path_line = format!("{line} {}", lines.get(i + 1).unwrap_or(&""));
                if !UNDOCUMENTED.iter().any(|p| path_line.contains(p)) {
                    bare.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            bare.is_empty(),
            "register these with `routes!` so they are documented:\n{}",
            bare.join("\n")
        );
    }

    #[test]
    fn server_function_endpoints_are_unique() {
        // Two server functions with one endpoint: the second silently answers for both (the
        // Sessions page once received the signed-in browsers list).
        let mut files = Vec::new();
        rust_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut seen = std::collections::HashMap::new();
        let mut twice = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for part in text.split("endpoint = \"").skip(1) {
                let name = part.split('"').next().unwrap_or("").to_string();
                if let Some(first) = seen.insert(name.clone(), file.display().to_string()) {
                    twice.push(format!("{name}: {first} and {}", file.display()));
                }
            }
        }
        assert!(seen.len() > 10, "found the server functions");
        assert!(
            twice.is_empty(),
            "endpoints used twice:\n{}",
            twice.join("\n")
        );
    }
}
