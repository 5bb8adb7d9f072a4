//! The embedded SQLite database: opening it, and the schema migrations in `migrations/`.
//!
//! Queries live with their feature (e.g. `instances::engine::store`), written in SQL that
//! PostgreSQL also accepts, so that a shared-state backend can come later behind the same calls.

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// The connection pool every feature uses.
pub type Db = sqlx::SqlitePool;

/// The migrations, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database file with WAL journaling and foreign keys on, then
/// applies pending migrations.
pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL: a commit survives a process crash; only a power loss can drop the last
        // transactions. Every event is written through here, so FULL would cost too much.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Checkpoints run in the background (see `checkpoint_periodically`), not inside a
        // commit: a checkpoint within the event writer's commit stalled every live stream.
        .pragma("wal_autocheckpoint", "0");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Copies the write-ahead log into the database every `every`, off the writers' path (a
/// passive checkpoint never blocks them), until `stop` is cancelled; then truncates the log.
pub async fn checkpoint_periodically(
    db: Db,
    every: Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&db).await {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
            _ = stop.cancelled() => break,
        }
    }
}

/// A full checkpoint that also empties the log; for shutdown.
pub async fn checkpoint_truncate(db: &Db) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db)
        .await
    {
        tracing::warn!(error = %e, "final WAL checkpoint failed");
    }
}

/// An exclusive lock on the data directory, held by a running server for its whole life, so
/// that a second server, or a command that must not run beside one (`secrets rotate-key`),
/// finds out instead of corrupting state.
pub struct DataDirLock {
    _lock: nix::fcntl::Flock<std::fs::File>,
}

/// Takes the lock; `Ok(None)` when someone else holds it.
pub fn lock_data_dir(dir: &Path) -> std::io::Result<Option<DataDirLock>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("flotilla.lock"))?;
    match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(Some(DataDirLock { _lock: lock })),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, errno)) => Err(std::io::Error::from(errno)),
    }
}

/// Migration state for `/readyz`: how many migrations are applied successfully, and how many the
/// binary knows.
pub async fn migration_status(db: &Db) -> Result<(usize, usize), sqlx::Error> {
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(db)
            .await?;
    Ok((applied as usize, MIGRATOR.iter().count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_with_wal_foreign_keys_and_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("t.db")).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let (applied, known) = migration_status(&db).await.unwrap();
        assert_eq!(applied, known);
        assert!(known >= 1);
        // The log is checkpointed on demand, not by commits.
        let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(auto, 0);
        checkpoint_truncate(&db).await;
        // Opening again is idempotent.
        drop(db);
        let db = open(&dir.path().join("t.db")).await.unwrap();
        assert_eq!(migration_status(&db).await.unwrap(), (known, known));
    }
}
