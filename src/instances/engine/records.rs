//! The `instances` table: what is remembered about each instance across server restarts.

use crate::base::db::Db;
use crate::base::secrets::SecretBox;
use std::collections::BTreeMap;

/// One row of `instances`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InstanceRecord {
    pub id: String,
    pub name: String,
    pub cwd: String,
    pub session_id: String,
    pub model: Option<String>,
    pub permission_mode: String,
    pub env_json: String,
    pub mcp_config: Option<String>,
    pub append_system_prompt: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub pid: Option<i64>,
    pub pid_start_ticks: Option<i64>,
    pub cost_usd: f64,
    pub restarts: i32,
    pub created_at: i64,
    pub last_active_at: i64,
    pub project_id: Option<String>,
    pub worktree_id: Option<String>,
}

impl InstanceRecord {
    /// The instance's own environment. It may hold a project's secrets, so it is stored
    /// encrypted when there is a key (`env_json` then starts with the cipher's prefix).
    pub fn env(&self, secrets: Option<&SecretBox>) -> BTreeMap<String, String> {
        let json = match secrets {
            Some(b) if self.env_json.starts_with("v1:") => match b.decrypt(&self.env_json) {
                Ok(json) => json,
                Err(e) => {
                    tracing::error!(instance = %self.id, error = %e, "cannot decrypt the environment");
                    return BTreeMap::new();
                }
            },
            _ => self.env_json.clone(),
        };
        serde_json::from_str(&json).unwrap_or_default()
    }
}

/// The stored form of an environment: encrypted JSON with a key, plain JSON without.
pub fn seal_env(env: &BTreeMap<String, String>, secrets: Option<&SecretBox>) -> String {
    let json = serde_json::to_string(env).unwrap_or_else(|_| "{}".into());
    match secrets {
        Some(b) if !env.is_empty() => b.encrypt(&json),
        _ => json,
    }
}

pub async fn insert(db: &Db, r: &InstanceRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO instances (id, name, cwd, session_id, model, permission_mode, env_json, \
         mcp_config, append_system_prompt, status, status_reason, pid, pid_start_ticks, cost_usd, \
         restarts, created_at, last_active_at, project_id, worktree_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.cwd)
    .bind(&r.session_id)
    .bind(&r.model)
    .bind(&r.permission_mode)
    .bind(&r.env_json)
    .bind(&r.mcp_config)
    .bind(&r.append_system_prompt)
    .bind(&r.status)
    .bind(&r.status_reason)
    .bind(r.pid)
    .bind(r.pid_start_ticks)
    .bind(r.cost_usd)
    .bind(r.restarts)
    .bind(r.created_at)
    .bind(r.last_active_at)
    .bind(&r.project_id)
    .bind(&r.worktree_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Saves the fields that change while an instance lives.
pub async fn update(db: &Db, r: &InstanceRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE instances SET name = $2, model = $3, permission_mode = $4, status = $5, \
         status_reason = $6, pid = $7, pid_start_ticks = $8, cost_usd = $9, restarts = $10, \
         last_active_at = $11 WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.name)
    .bind(&r.model)
    .bind(&r.permission_mode)
    .bind(&r.status)
    .bind(&r.status_reason)
    .bind(r.pid)
    .bind(r.pid_start_ticks)
    .bind(r.cost_usd)
    .bind(r.restarts)
    .bind(r.last_active_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn all(db: &Db) -> Result<Vec<InstanceRecord>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM instances ORDER BY created_at, id")
        .fetch_all(db)
        .await
}

/// Removes an instance and (by cascade) its events.
/// Removes the instance, keeping what its session cost (the session outlives it).
pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO session_costs (session_id, cost_usd, instance_id, recorded_at) \
         SELECT session_id, cost_usd, id, $2 FROM instances WHERE id = $1 \
         ON CONFLICT (session_id) DO UPDATE SET cost_usd = excluded.cost_usd, \
         instance_id = excluded.instance_id, recorded_at = excluded.recorded_at",
    )
    .bind(id)
    .bind(crate::base::clock::now_ms())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM instances WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The cost of each session of a deleted instance (session id -> dollars).
pub async fn kept_session_costs(db: &Db) -> Result<Vec<(String, f64)>, sqlx::Error> {
    sqlx::query_as("SELECT session_id, cost_usd FROM session_costs")
        .fetch_all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn insert_update_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::base::db::open(&dir.path().join("t.db"))
            .await
            .unwrap();
        let mut r = InstanceRecord {
            id: "a".into(),
            name: "n".into(),
            cwd: "/tmp".into(),
            session_id: "s".into(),
            model: None,
            permission_mode: "default".into(),
            env_json: r#"{"A":"1"}"#.into(),
            mcp_config: None,
            append_system_prompt: None,
            status: "starting".into(),
            status_reason: None,
            pid: Some(42),
            pid_start_ticks: Some(7),
            cost_usd: 0.0,
            restarts: 0,
            created_at: 1,
            last_active_at: 1,
            project_id: None,
            worktree_id: None,
        };
        insert(&db, &r).await.unwrap();
        r.status = "idle".into();
        r.cost_usd = 0.5;
        update(&db, &r).await.unwrap();
        let rows = all(&db).await.unwrap();
        assert_eq!(rows, vec![r.clone()]);
        assert_eq!(rows[0].env(None)["A"], "1");
        // With a key the environment is stored sealed and read back whole.
        let key_dir = tempfile::tempdir().unwrap();
        let secrets = SecretBox::open(key_dir.path()).unwrap();
        let env = BTreeMap::from([("GITHUB_TOKEN".to_string(), "ghp_planted".to_string())]);
        let sealed = seal_env(&env, Some(&secrets));
        assert!(sealed.starts_with("v1:") && !sealed.contains("ghp_planted"));
        let record = InstanceRecord {
            env_json: sealed,
            ..rows[0].clone()
        };
        assert_eq!(record.env(Some(&secrets)), env);
        delete(&db, "a").await.unwrap();
        assert!(all(&db).await.unwrap().is_empty());
    }
}
