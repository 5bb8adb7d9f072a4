//! Server functions the worktree and review pages call. Each is one call into `ops` or the
//! worktrees service — the same calls the REST routes make.

use super::types::{
    CheckoutKind, Cleanup, CreateWorktree, DirEntry, FileContent, PullRequest, ScriptRun,
    SyncOutcome, SyncStrategy, Worktree,
};
use crate::error::AppError;
use crate::git::types::{BranchInfo, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
use super::ops;
#[cfg(feature = "ssr")]
use crate::error::respond;

#[cfg(feature = "ssr")]
fn state() -> crate::server::state::AppState {
    expect_context::<crate::server::state::AppState>()
}

#[server(prefix = "/api/fn", endpoint = "list_worktrees", input = GetUrl)]
pub async fn list_worktrees(project_id: Option<String>) -> Result<Vec<Worktree>, AppError> {
    let s = state();
    let used = ops::instance_use(&s);
    respond(
        s.worktrees
            .list(project_id.as_deref(), &used)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "get_worktree", input = GetUrl)]
pub async fn get_worktree(id: String) -> Result<Worktree, AppError> {
    let s = state();
    let used = ops::instance_use(&s);
    respond(s.worktrees.get(&id, &used).await.map_err(AppError::from))
}

#[server(prefix = "/api/fn", endpoint = "add_worktree", input = Json)]
pub async fn add_worktree(request: CreateWorktree) -> Result<Worktree, AppError> {
    respond(
        state()
            .worktrees
            .create(request)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "remove_worktree", input = Json)]
pub async fn remove_worktree(id: String, force: bool) -> Result<Worktree, AppError> {
    let s = state();
    let used = ops::instance_use(&s);
    respond(
        s.worktrees
            .remove(&id, force, &used)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "project_cleanup", input = GetUrl)]
pub async fn project_cleanup(project_id: String) -> Result<Cleanup, AppError> {
    let s = state();
    let used = ops::instance_use(&s);
    let day = 24 * 3600 * 1000;
    respond(
        s.worktrees
            .cleanup(&project_id, &used, day)
            .await
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "get_script_run", input = GetUrl)]
pub async fn get_script_run(id: String) -> Result<Option<ScriptRun>, AppError> {
    let watched = state().worktrees.scripts().watch(&id).await;
    respond(
        watched
            .map(|w| w.map(|(run, _)| run))
            .map_err(AppError::from),
    )
}

#[server(prefix = "/api/fn", endpoint = "checkout_status", input = GetUrl)]
pub async fn checkout_status(kind: CheckoutKind, id: String) -> Result<WorkingStatus, AppError> {
    respond(ops::status(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "changes_from_base", input = GetUrl)]
pub async fn changes_from_base(
    kind: CheckoutKind,
    id: String,
) -> Result<Vec<FileChange>, AppError> {
    respond(ops::changes(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "load_file_diff", input = GetUrl)]
pub async fn load_file_diff(
    kind: CheckoutKind,
    id: String,
    path: String,
    old_path: Option<String>,
    source: DiffSource,
    page: usize,
) -> Result<FileDiff, AppError> {
    respond(
        ops::diff(
            &state(),
            kind,
            &id,
            &path,
            old_path.as_deref(),
            source,
            page,
        )
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "stage_paths", input = Json)]
pub async fn stage_paths(
    kind: CheckoutKind,
    id: String,
    paths: Vec<String>,
) -> Result<WorkingStatus, AppError> {
    respond(ops::stage(&state(), kind, &id, &paths).await)
}

#[server(prefix = "/api/fn", endpoint = "unstage_paths", input = Json)]
pub async fn unstage_paths(
    kind: CheckoutKind,
    id: String,
    paths: Vec<String>,
) -> Result<WorkingStatus, AppError> {
    respond(ops::unstage(&state(), kind, &id, &paths).await)
}

#[server(prefix = "/api/fn", endpoint = "commit_staged", input = Json)]
pub async fn commit_staged(
    kind: CheckoutKind,
    id: String,
    message: String,
) -> Result<CommitInfo, AppError> {
    respond(ops::commit(&state(), kind, &id, &message, &[]).await)
}

#[server(prefix = "/api/fn", endpoint = "draft_commit_message", input = Json)]
pub async fn draft_commit_message(kind: CheckoutKind, id: String) -> Result<String, AppError> {
    respond(ops::draft_message(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "commit_log", input = GetUrl)]
pub async fn commit_log(kind: CheckoutKind, id: String) -> Result<Vec<CommitInfo>, AppError> {
    respond(ops::log(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "sync_with_base", input = Json)]
pub async fn sync_with_base(
    kind: CheckoutKind,
    id: String,
    strategy: SyncStrategy,
) -> Result<SyncOutcome, AppError> {
    respond(ops::sync(&state(), kind, &id, strategy).await)
}

#[server(prefix = "/api/fn", endpoint = "push_branch", input = Json)]
pub async fn push_branch(kind: CheckoutKind, id: String) -> Result<String, AppError> {
    respond(ops::push(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "open_pull_request", input = Json)]
pub async fn open_pull_request(
    kind: CheckoutKind,
    id: String,
    title: String,
    body: String,
) -> Result<PullRequest, AppError> {
    respond(ops::open_pr(&state(), kind, &id, &title, &body).await)
}

#[server(prefix = "/api/fn", endpoint = "refresh_pull_request", input = Json)]
pub async fn refresh_pull_request(kind: CheckoutKind, id: String) -> Result<PullRequest, AppError> {
    respond(ops::refresh_pr(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "list_branches", input = GetUrl)]
pub async fn list_branches(kind: CheckoutKind, id: String) -> Result<Vec<BranchInfo>, AppError> {
    respond(ops::branches(&state(), kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "create_branch", input = Json)]
pub async fn create_branch(
    kind: CheckoutKind,
    id: String,
    name: String,
    base: Option<String>,
) -> Result<(), AppError> {
    respond(ops::create_branch(&state(), kind, &id, &name, base.as_deref()).await)
}

#[server(prefix = "/api/fn", endpoint = "delete_branch", input = Json)]
pub async fn delete_branch(kind: CheckoutKind, id: String, name: String) -> Result<(), AppError> {
    respond(ops::delete_branch(&state(), kind, &id, &name).await)
}

#[server(prefix = "/api/fn", endpoint = "switch_branch", input = Json)]
pub async fn switch_branch(
    kind: CheckoutKind,
    id: String,
    branch: String,
) -> Result<WorkingStatus, AppError> {
    respond(ops::switch(&state(), kind, &id, &branch).await)
}

#[server(prefix = "/api/fn", endpoint = "list_files", input = GetUrl)]
pub async fn list_files(
    kind: CheckoutKind,
    id: String,
    dir: String,
) -> Result<Vec<DirEntry>, AppError> {
    respond(ops::files(&state(), kind, &id, dir).await)
}

#[server(prefix = "/api/fn", endpoint = "read_checkout_file", input = GetUrl)]
pub async fn read_checkout_file(
    kind: CheckoutKind,
    id: String,
    path: String,
) -> Result<FileContent, AppError> {
    respond(ops::read_file(&state(), kind, &id, path).await)
}

#[server(prefix = "/api/fn", endpoint = "write_checkout_file", input = Json)]
pub async fn write_checkout_file(
    kind: CheckoutKind,
    id: String,
    path: String,
    content: String,
) -> Result<(), AppError> {
    respond(ops::write_file(&state(), kind, &id, path, content).await)
}

#[server(prefix = "/api/fn", endpoint = "run_project_script", input = Json)]
pub async fn run_project_script(kind: CheckoutKind, id: String) -> Result<ScriptRun, AppError> {
    respond(ops::run_script(&state(), kind, &id).await)
}
