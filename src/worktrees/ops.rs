//! The review operations on a checkout, as the REST routes and the server functions both call
//! them: each finds the checkout (a worktree, or a project's main checkout), then asks the
//! services. Keeping them here means the two doors never differ.

use super::explorer;
use super::review::Checkout;
use super::service::InstanceUse;
use super::store::WorktreeRecord;
use super::types::{
    CheckoutKind, DirEntry, FileContent, PullRequest, ScriptRun, SyncOutcome, SyncStrategy,
};
use crate::error::AppError;
use crate::git::types::{BranchInfo, CommitInfo, DiffSource, FileChange, FileDiff, WorkingStatus};
use crate::projects::store::ProjectRecord;
use crate::server::state::AppState;

/// Which instance works where, for the worktree views.
pub fn instance_use(state: &AppState) -> InstanceUse {
    state
        .instances
        .list()
        .into_iter()
        .map(|i| (i.id, i.worktree_id, i.status.is_live()))
        .collect()
}

/// The checkout an operation is about, its project, and (for a worktree) its record. Its `env`
/// is left empty: most operations are git reads (polled by the pages), and the environment means
/// decrypting the project's secrets — [`checkout_with_env`] is for the few that hand it on.
pub async fn checkout(
    state: &AppState,
    kind: CheckoutKind,
    id: &str,
) -> Result<(Checkout, ProjectRecord, Option<WorktreeRecord>), AppError> {
    let (project, worktree) = match kind {
        CheckoutKind::Worktree => {
            let w = state.worktrees.record(id).await?;
            (state.projects.record(&w.project_id).await?, Some(w))
        }
        CheckoutKind::MainCheckout => (state.projects.record(id).await?, None),
    };
    let checkout = Checkout {
        path: worktree
            .as_ref()
            .map(|w| w.path.clone())
            .unwrap_or_else(|| project.path.clone())
            .into(),
        base: worktree
            .as_ref()
            .map(|w| w.base.clone())
            .or_else(|| project.base_branch.clone()),
        env: Default::default(),
    };
    if !checkout.path.is_dir() {
        return Err(AppError::Conflict(format!(
            "the checkout {} is missing on disk",
            checkout.path.display()
        )));
    }
    Ok((checkout, project, worktree))
}

/// [`checkout`] with the project's environment, for what runs Claude, scripts or GitHub calls.
async fn checkout_with_env(
    state: &AppState,
    kind: CheckoutKind,
    id: &str,
) -> Result<(Checkout, ProjectRecord, Option<WorktreeRecord>), AppError> {
    let (mut c, project, worktree) = checkout(state, kind, id).await?;
    c.env = state.projects.env_plain(&project.id).await?;
    Ok((c, project, worktree))
}

/// Runs blocking reads (gix, the file system) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn status(s: &AppState, kind: CheckoutKind, id: &str) -> Result<WorkingStatus, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.status(&c).await?)
}

pub async fn changes(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
) -> Result<Vec<FileChange>, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.changes_from_base(&c).await?)
}

pub async fn diff(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    path: &str,
    old_path: Option<&str>,
    source: DiffSource,
    page: usize,
) -> Result<FileDiff, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.diff(&c, path, old_path, source, page).await?)
}

pub async fn stage(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    paths: &[String],
) -> Result<WorkingStatus, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    s.review.stage(&c, paths).await?;
    Ok(s.review.status(&c).await?)
}

pub async fn unstage(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    paths: &[String],
) -> Result<WorkingStatus, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    s.review.unstage(&c, paths).await?;
    Ok(s.review.status(&c).await?)
}

pub async fn commit(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    message: &str,
    paths: &[String],
) -> Result<CommitInfo, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.commit(&c, message, paths).await?)
}

pub async fn draft_message(s: &AppState, kind: CheckoutKind, id: &str) -> Result<String, AppError> {
    let (c, _, _) = checkout_with_env(s, kind, id).await?;
    Ok(s.review.draft_message(&c).await?)
}

pub async fn log(s: &AppState, kind: CheckoutKind, id: &str) -> Result<Vec<CommitInfo>, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.log(&c, 50).await?)
}

pub async fn sync(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    strategy: SyncStrategy,
) -> Result<SyncOutcome, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.sync(&c, strategy).await?)
}

pub async fn push(s: &AppState, kind: CheckoutKind, id: &str) -> Result<String, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.push(&c, None).await?)
}

/// Pushes the branch and opens a pull request into the base; the link is kept with the worktree.
pub async fn open_pr(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    title: &str,
    body: &str,
) -> Result<PullRequest, AppError> {
    let (c, project, worktree) = checkout_with_env(s, kind, id).await?;
    if title.trim().is_empty() {
        return Err(AppError::Unprocessable(
            "a pull request needs a title".into(),
        ));
    }
    let base = c
        .base
        .clone()
        .ok_or_else(|| AppError::Unprocessable("a pull request needs a base branch".into()))?;
    let branch = s.review.push(&c, None).await?;
    let api = project
        .github_api_url
        .clone()
        .unwrap_or_else(|| super::pr::DEFAULT_API.into());
    let pr = super::pr::open(
        s.projects.git(),
        &s.http,
        super::pr::PrRequest {
            checkout: &c.path,
            branch: &branch,
            base: &base,
            title,
            body,
            api: &api,
            env: &c.env,
        },
    )
    .await?;
    if let Some(w) = worktree {
        super::store::set_pr(&s.db, &w.id, &pr.url, pr.number as i64, &pr.state).await?;
    }
    Ok(pr)
}

/// The worktree's pull request with its state as GitHub has it now.
pub async fn refresh_pr(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
) -> Result<PullRequest, AppError> {
    let (c, project, worktree) = checkout_with_env(s, kind, id).await?;
    let Some(w) = worktree.filter(|w| w.pr_url.is_some()) else {
        return Err(AppError::NotFound(
            "no pull request was opened from this checkout".into(),
        ));
    };
    let api = project
        .github_api_url
        .clone()
        .unwrap_or_else(|| super::pr::DEFAULT_API.into());
    let number = w.pr_number.unwrap_or(0) as u64;
    let state =
        super::pr::refresh(s.projects.git(), &s.http, &c.path, &api, number, &c.env).await?;
    let url = w.pr_url.clone().unwrap_or_default();
    super::store::set_pr(&s.db, &w.id, &url, number as i64, &state).await?;
    Ok(PullRequest { url, number, state })
}

pub async fn branches(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
) -> Result<Vec<BranchInfo>, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    blocking(move || Ok(crate::git::read::branches(&c.path)?)).await
}

pub async fn create_branch(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    name: &str,
    base: Option<&str>,
) -> Result<(), AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.create_branch(&c, name, base).await?)
}

/// Deletes a merged branch (an unmerged one is refused).
pub async fn delete_branch(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    name: &str,
) -> Result<(), AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    Ok(s.review.delete_merged_branch(&c, name).await?)
}

/// Switches this checkout to another branch (a worktree keeps following its new branch).
pub async fn switch(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    branch: &str,
) -> Result<WorkingStatus, AppError> {
    let (c, _, worktree) = checkout(s, kind, id).await?;
    s.review.switch(&c, branch).await?;
    if let Some(w) = worktree {
        super::store::set_branch(&s.db, &w.id, branch).await?;
    }
    Ok(s.review.status(&c).await?)
}

pub async fn files(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    dir: String,
) -> Result<Vec<DirEntry>, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    blocking(move || Ok(explorer::list_dir(&c.path, &dir)?)).await
}

pub async fn read_file(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    path: String,
) -> Result<FileContent, AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    blocking(move || Ok(explorer::read_file(&c.path, &path)?)).await
}

pub async fn write_file(
    s: &AppState,
    kind: CheckoutKind,
    id: &str,
    path: String,
    content: String,
) -> Result<(), AppError> {
    let (c, _, _) = checkout(s, kind, id).await?;
    blocking(move || Ok(explorer::write_file(&c.path, &path, &content)?)).await
}

/// Starts the project's run script in this checkout; its output is kept (see the run).
pub async fn run_script(s: &AppState, kind: CheckoutKind, id: &str) -> Result<ScriptRun, AppError> {
    let (c, project, worktree) = checkout_with_env(s, kind, id).await?;
    let Some(script) = project.run_script.clone().filter(|s| !s.trim().is_empty()) else {
        return Err(AppError::Unprocessable(
            "the project has no run script; set one in its settings".into(),
        ));
    };
    let mut env = c.env.clone();
    env.insert("FLOTILLA_PROJECT".into(), project.name.clone());
    Ok(s.worktrees
        .scripts()
        .start(
            &project.id,
            worktree.as_ref().map(|w| w.id.as_str()),
            "run",
            &script,
            c.path.clone(),
            env,
        )
        .await?)
}
