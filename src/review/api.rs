//! Server functions the review panels call. Each is one call of the review service — the same
//! call the REST route makes (`http.rs`).

use super::types::{CheckoutKind, DirEntry, FileContent, PullRequest, SyncOutcome, SyncStrategy};
use crate::error::AppError;
use crate::git::types::{BranchInfo, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus};
use crate::worktrees::types::ScriptRun;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
use crate::error::respond;

#[cfg(feature = "ssr")]
fn state() -> crate::server::state::AppState {
    expect_context::<crate::server::state::AppState>()
}

#[server(prefix = "/api/fn", endpoint = "checkout_status", input = GetUrl)]
pub async fn checkout_status(kind: CheckoutKind, id: String) -> Result<WorkingStatus, AppError> {
    respond(state().review.status(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "changes_from_base", input = GetUrl)]
pub async fn changes_from_base(
    kind: CheckoutKind,
    id: String,
) -> Result<Vec<FileChange>, AppError> {
    respond(state().review.changes(kind, &id).await)
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
        state()
            .review
            .diff(kind, &id, &path, old_path.as_deref(), source, page)
            .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "stage_paths", input = Json)]
pub async fn stage_paths(
    kind: CheckoutKind,
    id: String,
    paths: Vec<String>,
) -> Result<WorkingStatus, AppError> {
    respond(state().review.stage(kind, &id, &paths).await)
}

#[server(prefix = "/api/fn", endpoint = "unstage_paths", input = Json)]
pub async fn unstage_paths(
    kind: CheckoutKind,
    id: String,
    paths: Vec<String>,
) -> Result<WorkingStatus, AppError> {
    respond(state().review.unstage(kind, &id, &paths).await)
}

#[server(prefix = "/api/fn", endpoint = "commit_staged", input = Json)]
pub async fn commit_staged(
    kind: CheckoutKind,
    id: String,
    message: String,
) -> Result<CommitInfo, AppError> {
    respond(state().review.commit(kind, &id, &message, &[]).await)
}

#[server(prefix = "/api/fn", endpoint = "draft_commit_message", input = Json)]
pub async fn draft_commit_message(kind: CheckoutKind, id: String) -> Result<String, AppError> {
    respond(state().review.draft_message(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "commit_log", input = GetUrl)]
pub async fn commit_log(kind: CheckoutKind, id: String) -> Result<Vec<CommitInfo>, AppError> {
    respond(state().review.log(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "sync_with_base", input = Json)]
pub async fn sync_with_base(
    kind: CheckoutKind,
    id: String,
    strategy: SyncStrategy,
) -> Result<SyncOutcome, AppError> {
    respond(state().review.sync(kind, &id, strategy).await)
}

#[server(prefix = "/api/fn", endpoint = "push_branch", input = Json)]
pub async fn push_branch(kind: CheckoutKind, id: String) -> Result<String, AppError> {
    respond(state().review.push(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "open_pull_request", input = Json)]
pub async fn open_pull_request(
    kind: CheckoutKind,
    id: String,
    title: String,
    body: String,
) -> Result<PullRequest, AppError> {
    respond(state().review.open_pr(kind, &id, &title, &body).await)
}

#[server(prefix = "/api/fn", endpoint = "refresh_pull_request", input = Json)]
pub async fn refresh_pull_request(kind: CheckoutKind, id: String) -> Result<PullRequest, AppError> {
    respond(state().review.refresh_pr(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "list_branches", input = GetUrl)]
pub async fn list_branches(kind: CheckoutKind, id: String) -> Result<Vec<BranchInfo>, AppError> {
    respond(state().review.branches(kind, &id).await)
}

#[server(prefix = "/api/fn", endpoint = "create_branch", input = Json)]
pub async fn create_branch(
    kind: CheckoutKind,
    id: String,
    name: String,
    base: Option<String>,
) -> Result<(), AppError> {
    respond(
        state()
            .review
            .create_branch(kind, &id, &name, base.as_deref())
            .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "delete_branch", input = Json)]
pub async fn delete_branch(kind: CheckoutKind, id: String, name: String) -> Result<(), AppError> {
    respond(state().review.delete_branch(kind, &id, &name).await)
}

#[server(prefix = "/api/fn", endpoint = "switch_branch", input = Json)]
pub async fn switch_branch(
    kind: CheckoutKind,
    id: String,
    branch: String,
) -> Result<WorkingStatus, AppError> {
    respond(state().review.switch(kind, &id, &branch).await)
}

#[server(prefix = "/api/fn", endpoint = "list_files", input = GetUrl)]
pub async fn list_files(
    kind: CheckoutKind,
    id: String,
    dir: String,
) -> Result<Vec<DirEntry>, AppError> {
    respond(state().review.files(kind, &id, &dir).await)
}

#[server(prefix = "/api/fn", endpoint = "read_checkout_file", input = GetUrl)]
pub async fn read_checkout_file(
    kind: CheckoutKind,
    id: String,
    path: String,
) -> Result<FileContent, AppError> {
    respond(state().review.read_file(kind, &id, path).await)
}

#[server(prefix = "/api/fn", endpoint = "write_checkout_file", input = Json)]
pub async fn write_checkout_file(
    kind: CheckoutKind,
    id: String,
    path: String,
    content: String,
) -> Result<(), AppError> {
    respond(state().review.write_file(kind, &id, path, content).await)
}

#[server(prefix = "/api/fn", endpoint = "run_project_script", input = Json)]
pub async fn run_project_script(kind: CheckoutKind, id: String) -> Result<ScriptRun, AppError> {
    respond(state().review.run_script(kind, &id).await)
}
