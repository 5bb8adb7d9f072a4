//! Worktree routes, and the review routes of a checkout — mounted for a worktree
//! (`/api/worktrees/{id}/...`) and for a project's main checkout (`/api/projects/{id}/...`).

use super::ops::{self, instance_use};
use super::types::{
    CheckoutKind, Cleanup, CreateWorktree, DirEntry, FileContent, PullRequest, ScriptRun,
    SyncOutcome, SyncStrategy, Worktree,
};
use crate::error::AppError;
use crate::git::types::{BranchInfo, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus};
use crate::server::extract::{ApiJson, ApiQuery};
use crate::server::state::AppState;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`). The review routes are
/// written once, relative, and documented under both prefixes they are mounted at.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, remove))
        .routes(routes!(cleanup))
        .routes(routes!(script_run))
        .nest(
            "/api/worktrees/{id}",
            review_routes().layer(Extension(CheckoutKind::Worktree)),
        )
        .nest(
            "/api/projects/{id}",
            review_routes().layer(Extension(CheckoutKind::MainCheckout)),
        )
}

fn review_routes() -> OpenApiRouter<AppState> {
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

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    project_id: Option<String>,
}

#[utoipa::path(get, path = "/api/worktrees", tag = "worktrees", params(("project_id" = Option<String>, Query, description = "Only this project's")),
    responses((status = 200, description = "[{id, project_id, branch, base, path, head, ahead, behind, dirty, disk_bytes, instances, drift, merged, pr, setup, created_at}]", body = [serde_json::Value])))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Worktree>>, AppError> {
    Ok(Json(
        state
            .worktrees
            .list(q.project_id.as_deref(), &instance_use(&state))
            .await?,
    ))
}

/// Creates a worktree for a new branch (from `base`, default the project's base branch) or an
/// existing one, then runs the project's setup script in it (see `setup` in the answer).
#[utoipa::path(post, path = "/api/worktrees", tag = "worktrees",
    request_body(content = serde_json::Value, description = "{\"project_id\", \"branch\", \"base\"?, \"fetch\"?}"),
    responses((status = 201, description = "The worktree", body = serde_json::Value), (status = 404, description = "No such project"),
        (status = 409, description = "The branch is checked out elsewhere"), (status = 422, description = "Invalid branch or base")))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateWorktree>,
) -> Result<(StatusCode, Json<Worktree>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(state.worktrees.create(req).await?),
    ))
}

#[utoipa::path(get, path = "/api/worktrees/{id}", tag = "worktrees", params(("id" = String, Path, description = "Worktree id")),
    responses((status = 200, description = "The worktree", body = serde_json::Value), (status = 404, description = "No such worktree")))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Worktree>, AppError> {
    Ok(Json(state.worktrees.get(&id, &instance_use(&state)).await?))
}

#[derive(Debug, Deserialize)]
pub struct RemoveQuery {
    #[serde(default)]
    force: bool,
}

/// Removes the worktree (its branch stays). Refused with 409 — saying what would be lost — when
/// it has uncommitted changes or unpushed commits, unless `force=true`.
#[utoipa::path(delete, path = "/api/worktrees/{id}", tag = "worktrees",
    params(("id" = String, Path, description = "Worktree id"), ("force" = Option<bool>, Query, description = "Remove even with unsaved work")),
    responses((status = 200, description = "The worktree as it was", body = serde_json::Value), (status = 409, description = "Work would be lost, or instances run in it")))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> Result<Json<Worktree>, AppError> {
    Ok(Json(
        state
            .worktrees
            .remove(&id, q.force, &instance_use(&state))
            .await?,
    ))
}

/// Merged, idle and drifted worktrees with their disk use, and git worktrees Flotilla does not
/// manage. Prunes stale worktree metadata first.
#[utoipa::path(get, path = "/api/projects/{id}/cleanup", tag = "worktrees", params(("id" = String, Path, description = "Project id")),
    responses((status = 200, description = "{candidates, external, total_disk_bytes}", body = serde_json::Value)))]
pub async fn cleanup(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Cleanup>, AppError> {
    let day = 24 * 3600 * 1000;
    Ok(Json(
        state
            .worktrees
            .cleanup(&id, &instance_use(&state), day)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/script-runs/{id}", tag = "worktrees", params(("id" = String, Path, description = "Run id")),
    responses((status = 200, description = "{id, kind, command, status, exit_code, output, started_at, finished_at}", body = serde_json::Value)))]
pub async fn script_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ScriptRun>, AppError> {
    match state.worktrees.scripts().watch(&id).await? {
        Some((run, _)) => Ok(Json(run)),
        None => Err(AppError::NotFound(format!("no script run {id}"))),
    }
}

type On = Extension<CheckoutKind>;

#[utoipa::path(get, path = "/status", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The working status: {branch, head, staged, unstaged, untracked}", body = serde_json::Value)))]
pub async fn status(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<WorkingStatus>, AppError> {
    Ok(Json(ops::status(&s, k, &id).await?))
}

#[utoipa::path(get, path = "/changes", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "Files changed since the merge base with the base branch", body = serde_json::Value)))]
pub async fn changes(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<FileChange>>, AppError> {
    Ok(Json(ops::changes(&s, k, &id).await?))
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
        ops::diff(&s, k, &id, &q.path, q.old_path.as_deref(), q.source, q.page).await?,
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
    Ok(Json(ops::stage(&s, k, &id, &b.paths).await?))
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
    Ok(Json(ops::unstage(&s, k, &id, &b.paths).await?))
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
        Json(ops::commit(&s, k, &id, &b.message, &b.paths).await?),
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
        message: ops::draft_message(&s, k, &id).await?,
    }))
}

#[utoipa::path(get, path = "/log", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "The newest 50 commits", body = serde_json::Value)))]
pub async fn log(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommitInfo>>, AppError> {
    Ok(Json(ops::log(&s, k, &id).await?))
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
    Ok(Json(ops::sync(&s, k, &id, b.strategy).await?))
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
        branch: ops::push(&s, k, &id).await?,
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
        Json(ops::open_pr(&s, k, &id, &b.title, &b.body).await?),
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
    Ok(Json(ops::refresh_pr(&s, k, &id).await?))
}

#[utoipa::path(get, path = "/branches", tag = "review", params(("id" = String, Path, description = "Worktree id (or project id under /api/projects/{id}/...)")),
    responses((status = 200, description = "[{name, head, current}]", body = serde_json::Value)))]
pub async fn branches(
    State(s): State<AppState>,
    Extension(k): On,
    Path(id): Path<String>,
) -> Result<Json<Vec<BranchInfo>>, AppError> {
    Ok(Json(ops::branches(&s, k, &id).await?))
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
    ops::create_branch(&s, k, &id, &b.name, b.base.as_deref()).await?;
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
    ops::delete_branch(&s, k, &id, &name).await?;
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
    Ok(Json(ops::switch(&s, k, &id, &b.branch).await?))
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
    Ok(Json(ops::files(&s, k, &id, q.dir).await?))
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
    Ok(Json(ops::read_file(&s, k, &id, q.path).await?))
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
    ops::write_file(&s, k, &id, q.path, b.content).await?;
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
        Json(ops::run_script(&s, k, &id).await?),
    ))
}
