//! The `projects` and `project_env` tables.

use crate::base::db::Db;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub path: String,
    pub default_model: Option<String>,
    pub default_permission_mode: Option<String>,
    pub worktree_root: String,
    pub setup_script: Option<String>,
    pub run_script: Option<String>,
    pub base_branch: Option<String>,
    pub github_api_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EnvRecord {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

pub async fn insert(db: &Db, p: &ProjectRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO projects (id, name, path, default_model, default_permission_mode, worktree_root, \
         setup_script, run_script, base_branch, github_api_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&p.id)
    .bind(&p.name)
    .bind(&p.path)
    .bind(&p.default_model)
    .bind(&p.default_permission_mode)
    .bind(&p.worktree_root)
    .bind(&p.setup_script)
    .bind(&p.run_script)
    .bind(&p.base_branch)
    .bind(&p.github_api_url)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn update(db: &Db, p: &ProjectRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE projects SET name = $2, default_model = $3, default_permission_mode = $4, \
         worktree_root = $5, setup_script = $6, run_script = $7, base_branch = $8, \
         github_api_url = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.name)
    .bind(&p.default_model)
    .bind(&p.default_permission_mode)
    .bind(&p.worktree_root)
    .bind(&p.setup_script)
    .bind(&p.run_script)
    .bind(&p.base_branch)
    .bind(&p.github_api_url)
    .bind(p.updated_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn all(db: &Db) -> Result<Vec<ProjectRecord>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM projects ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn get(db: &Db, id: &str) -> Result<Option<ProjectRecord>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM projects WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM projects WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn env(db: &Db, project_id: &str) -> Result<Vec<EnvRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, value, secret FROM project_env WHERE project_id = $1 ORDER BY name",
    )
    .bind(project_id)
    .fetch_all(db)
    .await
}

pub async fn set_env(db: &Db, project_id: &str, var: &EnvRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_env (project_id, name, value, secret) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project_id, name) DO UPDATE SET value = excluded.value, secret = excluded.secret",
    )
    .bind(project_id)
    .bind(&var.name)
    .bind(&var.value)
    .bind(var.secret)
    .execute(db)
    .await?;
    Ok(())
}

/// Returns whether there was such a variable.
pub async fn delete_env(db: &Db, project_id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM project_env WHERE project_id = $1 AND name = $2")
        .bind(project_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}
