//! The OpenAPI document of the REST routes, served at `/api/openapi.json`.

use axum::Json;
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
        crate::projects::http::list,
        crate::projects::http::create,
        crate::projects::http::show,
        crate::projects::http::update,
        crate::projects::http::remove,
        crate::projects::http::templates,
        crate::projects::http::claude_md,
        crate::projects::http::set_claude_md,
        crate::projects::http::env,
        crate::projects::http::set_env,
        crate::projects::http::delete_env,
        crate::worktrees::http::list,
        crate::worktrees::http::create,
        crate::worktrees::http::show,
        crate::worktrees::http::remove,
        crate::worktrees::http::cleanup,
        crate::worktrees::http::script_run,
        crate::worktrees::http::status,
        crate::worktrees::http::changes,
        crate::worktrees::http::diff,
        crate::worktrees::http::stage,
        crate::worktrees::http::unstage,
        crate::worktrees::http::commit,
        crate::worktrees::http::draft_message,
        crate::worktrees::http::log,
        crate::worktrees::http::sync,
        crate::worktrees::http::push,
        crate::worktrees::http::open_pr,
        crate::worktrees::http::refresh_pr,
        crate::worktrees::http::branches,
        crate::worktrees::http::create_branch,
        crate::worktrees::http::delete_branch,
        crate::worktrees::http::switch,
        crate::worktrees::http::files,
        crate::worktrees::http::read_file,
        crate::worktrees::http::write_file,
        crate::worktrees::http::run_script,
        crate::auth::http::me,
        crate::auth::http::sessions,
        crate::auth::http::revoke_session,
        crate::auth::http::tokens,
        crate::auth::http::create_token,
        crate::auth::http::revoke_token,
        crate::auth::http::rotate_token,
        crate::auth::http::audit,
        crate::auth::http::audit_export,
        crate::auth::http::security_settings,
        crate::auth::http::save_security_settings,
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

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
