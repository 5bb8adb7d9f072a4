//! The HTTP surface: every route, and the one middleware stack they all sit behind.

use super::openapi;
use super::state::AppState;
use crate::app::{shell, App};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub fn build(state: AppState) -> Router {
    let pages = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let page_context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };

    Router::new()
        .route("/healthz", get(crate::health::http::healthz))
        .route("/readyz", get(crate::health::http::readyz))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .merge(crate::instances::http::routes())
        .merge(crate::projects::http::routes())
        .merge(crate::worktrees::http::routes())
        // Unknown API paths answer JSON, not the HTML 404 page.
        .route("/api/{*rest}", any(api_not_found))
        // Pages and server functions (under /api/fn/).
        .leptos_routes_with_context(&state, pages, page_context, move || {
            shell(leptos_options.clone())
        })
        .fallback(site_or_not_found)
        // The one middleware stack, outermost first. Authentication, CSRF and rate limits go
        // here, between tracing and the routes, when they come.
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
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
