//! The `worktrees` and `script_runs` tables.

use crate::base::db::Db;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WorktreeRecord {
    pub id: String,
    pub project_id: String,
    pub branch: String,
    pub base: String,
    pub path: String,
    pub pr_url: Option<String>,
    pub pr_number: Option<i64>,
    pub pr_state: Option<String>,
    pub created_at: i64,
    /// HEAD when the worktree was created (None for worktrees made before it was recorded).
    pub start_commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunRecord {
    pub id: String,
    pub project_id: String,
    pub worktree_id: Option<String>,
    pub kind: String,
    pub command: String,
    pub status: String,
    pub exit_code: Option<i32>,
    pub output: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

pub async fn insert(db: &Db, w: &WorktreeRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO worktrees (id, project_id, branch, base, path, pr_url, pr_number, pr_state, created_at, start_commit) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&w.id)
    .bind(&w.project_id)
    .bind(&w.branch)
    .bind(&w.base)
    .bind(&w.path)
    .bind(&w.pr_url)
    .bind(w.pr_number)
    .bind(&w.pr_state)
    .bind(w.created_at)
    .bind(&w.start_commit)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<WorktreeRecord>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM worktrees WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every worktree, or a project's.
pub async fn list(db: &Db, project_id: Option<&str>) -> Result<Vec<WorktreeRecord>, sqlx::Error> {
    match project_id {
        Some(p) => {
            sqlx::query_as("SELECT * FROM worktrees WHERE project_id = $1 ORDER BY created_at, id")
                .bind(p)
                .fetch_all(db)
                .await
        }
        None => {
            sqlx::query_as("SELECT * FROM worktrees ORDER BY created_at, id")
                .fetch_all(db)
                .await
        }
    }
}

pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM worktrees WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_branch(db: &Db, id: &str, branch: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE worktrees SET branch = $2 WHERE id = $1")
        .bind(id)
        .bind(branch)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_pr(
    db: &Db,
    id: &str,
    url: &str,
    number: i64,
    state: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE worktrees SET pr_url = $2, pr_number = $3, pr_state = $4 WHERE id = $1")
        .bind(id)
        .bind(url)
        .bind(number)
        .bind(state)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn insert_run(db: &Db, r: &RunRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO script_runs (id, project_id, worktree_id, kind, command, status, exit_code, output, started_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&r.id)
    .bind(&r.project_id)
    .bind(&r.worktree_id)
    .bind(&r.kind)
    .bind(&r.command)
    .bind(&r.status)
    .bind(r.exit_code)
    .bind(&r.output)
    .bind(r.started_at)
    .bind(r.finished_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn update_run(db: &Db, r: &RunRecord) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE script_runs SET status = $2, exit_code = $3, output = $4, finished_at = $5 WHERE id = $1")
        .bind(&r.id)
        .bind(&r.status)
        .bind(r.exit_code)
        .bind(&r.output)
        .bind(r.finished_at)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn run(db: &Db, id: &str) -> Result<Option<RunRecord>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM script_runs WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The newest run of a kind for a worktree.
pub async fn last_run(
    db: &Db,
    worktree_id: &str,
    kind: &str,
) -> Result<Option<RunRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM script_runs WHERE worktree_id = $1 AND kind = $2 ORDER BY started_at DESC, id DESC LIMIT 1",
    )
    .bind(worktree_id)
    .bind(kind)
    .fetch_optional(db)
    .await
}
