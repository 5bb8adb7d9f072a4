//! The review routes of a checkout, written once and relative, mounted (and documented) twice:
//! for a worktree (`/api/worktrees/{id}/...`) and for a project's main checkout
//! (`/api/projects/{id}/...`). Each is one call of the review service.

use super::types::{CheckoutKind, DirEntry, FileContent, PullRequest, SyncOutcome, SyncStrategy};
use crate::error::AppError;
use crate::git::types::{BranchInfo, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus};
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use crate::worktrees::types::ScriptRun;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .nest(
            "/api/worktrees/{id}",
            checkout_routes().layer(Extension(CheckoutKind::Worktree)),
        )
        .nest(
            "/api/projects/{id}",
            checkout_routes().layer(Extension(CheckoutKind::MainCheckout)),
        )
}

fn checkout_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(changes))
        .routes(routes!(diff))
        .routes(routes!(stage))
        .routes(routes!(unstage))
        .routes(routes!(commit))
        .routes(routes!(draft_message))
        .routes(routes!(log))
        .routes(routes!(sync))
        .routes(routes!(push))
        .routes(routes!(open_pr, refresh_pr))
        .routes(routes!(branches, create_branch))
        .routes(routes!(delete_branch))
        .routes(routes!(switch))
        .routes(routes!(files))
        .routes(routes!(read_file, write_file))
        .routes(routes!(run_script))
}

type On = Extension<CheckoutKind>;

#[utoipa::path(get, path = "/status", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The working status: {branch, head, staged, unstaged, untracked}", body = serde_json::Value)))]
pub async fn status(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<WorkingStatus>, AppError> {
    Ok(Json(s.review.status(k, &id).await?))
}

#[utoipa::path(get, path = "/changes", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "Files changed since the merge base with the base branch", body = serde_json::Value)))]
pub async fn changes(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<FileChange>>, AppError> {
    Ok(Json(s.review.changes(k, &id).await?))
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    path: String,
    #[serde(default)]
    old_path: Option<String>,
    source: DiffSource,
    #[serde(default)]
    page: usize,
}

#[utoipa::path(get, path = "/diff", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)"), ("path" = String, Query, description = "File path"), ("old_path" = Option<String>, Query, description = "Old path of a rename"), ("source" = String, Query, description = "staged, unstaged or base"), ("page" = Option<usize>, Query, description = "Page of 200 hunks")),
    responses((status = 200, description = "One file's diff: {path, old_path, binary, added, removed, hunks, total_hunks, first_hunk}", body = serde_json::Value)))]
pub async fn diff(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Json<FileDiff>, AppError> {
    Ok(Json(
        s.review
            .diff(k, &id, &q.path, q.old_path.as_deref(), q.source, q.page)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    paths: Vec<String>,
}

#[utoipa::path(post, path = "/stage", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"paths\": [...]}"),
    responses((status = 200, description = "The status after staging", body = serde_json::Value)))]
pub async fn stage(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Paths>,
) -> Result<Json<WorkingStatus>, AppError> {
    Ok(Json(s.review.stage(k, &id, &b.paths).await?))
}

#[utoipa::path(post, path = "/unstage", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"paths\": [...]}"),
    responses((status = 200, description = "The status after unstaging", body = serde_json::Value)))]
pub async fn unstage(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Paths>,
) -> Result<Json<WorkingStatus>, AppError> {
    Ok(Json(s.review.unstage(k, &id, &b.paths).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitBody {
    message: String,
    /// Stage these first.
    #[serde(default)]
    paths: Vec<String>,
}

#[utoipa::path(post, path = "/commit", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"message\", \"paths\"?: [...] (staged first)}"),
    responses((status = 200, description = "The commit made (201)", body = serde_json::Value)))]
pub async fn commit(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommitBody>,
) -> Result<(StatusCode, Json<CommitInfo>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(s.review.commit(k, &id, &b.message, &b.paths).await?),
    ))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Draft {
    pub message: String,
}

/// A commit message for what is staged, drafted by Claude (a one-shot `claude -p`).
#[utoipa::path(post, path = "/draft-message", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "{message}: Claude's draft (claude -p) from the staged diff", body = serde_json::Value)))]
pub async fn draft_message(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Draft>, AppError> {
    Ok(Json(Draft {
        message: s.review.draft_message(k, &id).await?,
    }))
}

#[utoipa::path(get, path = "/log", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The newest 50 commits", body = serde_json::Value)))]
pub async fn log(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommitInfo>>, AppError> {
    Ok(Json(s.review.log(k, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    strategy: SyncStrategy,
}

/// Rebases or merges onto the base; a conflict is reported (409, with the files) and undone.
#[utoipa::path(post, path = "/sync", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"strategy\": \"rebase\"|\"merge\"}"),
    responses((status = 200, description = "{result, head}; 409 with the conflicting files (the rebase/merge is aborted)", body = serde_json::Value)))]
pub async fn sync(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SyncBody>,
) -> Result<Json<SyncOutcome>, AppError> {
    Ok(Json(s.review.sync(k, &id, b.strategy).await?))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Pushed {
    pub branch: String,
}

#[utoipa::path(post, path = "/push", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "{branch} pushed to origin", body = serde_json::Value)))]
pub async fn push(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Pushed>, AppError> {
    Ok(Json(Pushed {
        branch: s.review.push(k, &id).await?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrBody {
    title: String,
    #[serde(default)]
    body: String,
}

/// Pushes the branch and opens a pull request into the base; the link is kept with the worktree.
#[utoipa::path(post, path = "/pr", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"title\", \"body\"?}"),
    responses((status = 200, description = "The pull request (201) {url, number, state}, kept with the worktree", body = serde_json::Value)))]
pub async fn open_pr(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PrBody>,
) -> Result<(StatusCode, Json<PullRequest>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(s.review.open_pr(k, &id, &b.title, &b.body).await?),
    ))
}

/// The worktree's pull request with its state as GitHub has it now.
#[utoipa::path(get, path = "/pr", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The pull request with its state from GitHub", body = serde_json::Value)))]
pub async fn refresh_pr(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<PullRequest>, AppError> {
    Ok(Json(s.review.refresh_pr(k, &id).await?))
}

#[utoipa::path(get, path = "/branches", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "[{name, head, current}]", body = serde_json::Value)))]
pub async fn branches(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<BranchInfo>>, AppError> {
    Ok(Json(s.review.branches(k, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBranch {
    name: String,
    #[serde(default)]
    base: Option<String>,
}

#[utoipa::path(post, path = "/branches", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"name\", \"base\"?}"),
    responses((status = 200, description = "Created (201)", body = serde_json::Value)))]
pub async fn create_branch(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewBranch>,
) -> Result<StatusCode, AppError> {
    s.review
        .create_branch(k, &id, &b.name, b.base.as_deref())
        .await?;
    Ok(StatusCode::CREATED)
}

/// Deletes a merged branch (an unmerged one is refused).
#[utoipa::path(delete, path = "/branches/{name}", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)"), ("name" = String, Path, description = "Branch")),
    responses((status = 200, description = "Deleted (204); an unmerged branch is refused (409)", body = serde_json::Value)))]
pub async fn delete_branch(
    State(s): State<AppState>,
    Extension(k): On,
    Path((id, name)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    s.review.delete_branch(k, &id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    branch: String,
}

#[utoipa::path(post, path = "/switch", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    request_body(content = serde_json::Value, description = "{\"branch\"}"),
    responses((status = 200, description = "The status after switching", body = serde_json::Value)))]
pub async fn switch(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SwitchBody>,
) -> Result<Json<WorkingStatus>, AppError> {
    Ok(Json(s.review.switch(k, &id, &b.branch).await?))
}

#[derive(Debug, Deserialize)]
pub struct DirQuery {
    #[serde(default)]
    dir: String,
}

#[utoipa::path(get, path = "/files", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)"), ("dir" = Option<String>, Query, description = "Folder, relative")),
    responses((status = 200, description = "One folder's entries [{name, path, dir, size}] (ignored files left out)", body = serde_json::Value)))]
pub async fn files(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DirQuery>,
) -> Result<Json<Vec<DirEntry>>, AppError> {
    Ok(Json(s.review.files(k, &id, &q.dir).await?))
}

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    path: String,
}

#[utoipa::path(get, path = "/file", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)"), ("path" = String, Query, description = "File, relative")),
    responses((status = 200, description = "{path, content, size, binary}; paths leaving the checkout are refused (422)", body = serde_json::Value)))]
pub async fn read_file(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<FileQuery>,
) -> Result<Json<FileContent>, AppError> {
    Ok(Json(s.review.read_file(k, &id, q.path).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteBody {
    content: String,
}

#[utoipa::path(put, path = "/file", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)"), ("path" = String, Query, description = "File, relative")),
    request_body(content = serde_json::Value, description = "{\"content\"}"),
    responses((status = 200, description = "Saved (204); paths leaving the checkout are refused (422)", body = serde_json::Value)))]
pub async fn write_file(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<FileQuery>,
    ApiJson(b): ApiJson<WriteBody>,
) -> Result<StatusCode, AppError> {
    s.review.write_file(k, &id, q.path, b.content).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts the project's run script in this checkout; its output is kept (see the run).
#[utoipa::path(post, path = "/run", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The run (202) of the project's run script; see /api/script-runs/{id}", body = serde_json::Value)))]
pub async fn run_script(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ScriptRun>), AppError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(s.review.run_script(k, &id).await?),
    ))
}
