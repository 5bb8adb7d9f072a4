//! The OpenAPI document's header (title, description, tags), served at `/api/openapi.json`.
//!
//! Its paths are not listed here: each feature's `http.rs` registers its routes with
//! `utoipa_axum::routes!`, which adds each handler's `#[utoipa::path]` as it mounts it, and
//! [`super::router::build`] merges them into this header.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Flotilla API",
        description = "REST and WebSocket API of Flotilla. Errors are JSON \
            `{\"error\": code, \"message\": text}` with a 4xx/5xx status. Every route but \
            /healthz and /readyz needs `Authorization: Bearer <token>` (create one with \
            `flotilla token create --name NAME` or in Settings) or a signed-in browser; requests \
            that change state must come from the server's own origin (or no browser at all) and \
            carry JSON."
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "instances", description = "Supervised Claude Code processes. Live events: \
            WS /ws/instances/{id}/stream?since=SEQ (read-only) and /ws/instances/{id}/interact?since=SEQ \
            (also takes {\"type\":\"query\"|\"interrupt\"|\"permission\"|\"set_model\"|\"set_permission_mode\"}); \
            WS /ws/instances streams the list."),
        (name = "projects", description = "Git repositories: register or scaffold, settings, environment (secrets masked), CLAUDE.md"),
        (name = "worktrees", description = "One worktree per agent: create (runs the setup script), list, remove, cleanup"),
        (name = "auth", description = "Who is signed in, browser sessions, API tokens, the audit log, access settings"),
        (name = "review", description = "Review and ship a checkout. Every route exists for a worktree \
            (/api/worktrees/{id}/...) and for a project's main checkout (/api/projects/{id}/...).")
    )
)]
pub struct ApiDoc;
