//! The `users`, `auth_sessions` and `api_tokens` tables, and the access settings in
//! `app_settings`.

use crate::base::db::Db;
use sqlx::{Sqlite, Transaction};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub previous_hash: Option<String>,
    pub previous_valid_until: Option<i64>,
    pub created_at: i64,
    pub rotated_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "id, name, scope, previous_hash, previous_valid_until, created_at, \
    rotated_at, last_used_at, last_used_ip, expires_at, revoked_at";

const SESSION_COLUMNS: &str = "s.id, s.user_id, u.username, s.created_at, s.last_seen_at, \
    s.expires_at, s.client_ip, s.user_agent";

// --- users ---

pub async fn first_user(db: &Db) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, password_hash FROM users ORDER BY created_at LIMIT 1")
        .fetch_optional(db)
        .await
}

pub async fn user_by_name(db: &Db, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, password_hash FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Inserts the owner only if there is no user yet; false when someone was first.
pub async fn insert_first_user(
    tx: &mut Transaction<'_, Sqlite>,
    user: &UserRecord,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO users (id, username, password_hash, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $4 WHERE NOT EXISTS (SELECT 1 FROM users)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&user.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password_hash(
    tx: &mut Transaction<'_, Sqlite>,
    user_id: &str,
    username: &str,
    hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET username = $2, password_hash = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(user_id)
    .bind(username)
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// --- sessions ---

#[allow(clippy::too_many_arguments)]
pub async fn insert_session(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
    secret_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
    client_ip: &str,
    user_agent: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO auth_sessions (id, secret_hash, user_id, created_at, last_seen_at, \
         expires_at, client_ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(secret_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(client_ip)
    .bind(user_agent)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn session_by_secret(
    db: &Db,
    secret_hash: &str,
) -> Result<Option<SessionRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM auth_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.secret_hash = $1"
    )))
    .bind(secret_hash)
    .fetch_optional(db)
    .await
}

pub async fn sessions_of(db: &Db, user_id: &str) -> Result<Vec<SessionRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM auth_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.user_id = $1 ORDER BY s.last_seen_at DESC"
    )))
    .bind(user_id)
    .fetch_all(db)
    .await
}

pub async fn touch_session(db: &Db, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE auth_sessions SET last_seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_session(
    tx: &mut Transaction<'_, Sqlite>,
    user_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM auth_sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_session_by_secret(db: &Db, secret_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auth_sessions WHERE secret_hash = $1")
        .bind(secret_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Signs a user out everywhere but `keep` (a password change keeps the browser that made it).
pub async fn delete_other_sessions(
    tx: &mut Transaction<'_, Sqlite>,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1 AND id IS NOT $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired_sessions(db: &Db, now: i64, idle_ms: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(now - idle_ms)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

// --- tokens ---

pub async fn insert_token(
    tx: &mut Transaction<'_, Sqlite>,
    t: &TokenRecord,
    secret_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_tokens (id, name, scope, secret_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(&t.scope)
    .bind(secret_hash)
    .bind(t.created_at)
    .bind(t.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The live token whose current secret, or previous secret still in its overlap, has this
/// digest. Revoked tokens are never returned.
pub async fn token_by_secret(
    db: &Db,
    secret_hash: &str,
    now: i64,
) -> Result<Option<TokenRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE revoked_at IS NULL AND \
         (secret_hash = $1 OR (previous_hash = $1 AND previous_valid_until > $2))"
    )))
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn tokens(db: &Db) -> Result<Vec<TokenRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC"
    )))
    .fetch_all(db)
    .await
}

pub async fn token_by_id_or_name(db: &Db, key: &str) -> Result<Option<TokenRecord>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1 OR name = $1"
    )))
    .bind(key)
    .fetch_optional(db)
    .await
}

pub async fn touch_token(db: &Db, id: &str, now: i64, ip: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2, last_used_ip = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(ip)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn revoke_token(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2, previous_hash = NULL, previous_valid_until = NULL \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Gives the token a new secret; the old one keeps working until `previous_valid_until`.
pub async fn rotate_token(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
    new_hash: &str,
    now: i64,
    previous_valid_until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_tokens SET previous_hash = secret_hash, previous_valid_until = $4, \
         secret_hash = $2, rotated_at = $3 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(new_hash)
    .bind(now)
    .bind(previous_valid_until)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

// --- settings ---

pub async fn setting(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM app_settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

pub async fn set_setting(
    tx: &mut Transaction<'_, Sqlite>,
    key: &str,
    value: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO app_settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
