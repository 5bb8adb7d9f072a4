//! The event store: every line of every instance, appended to SQLite with a per-instance `seq`
//! *before* it is broadcast.
//!
//! Appends go through one writer task that commits them in batches (whatever arrived while the
//! previous batch was committing, up to [`MAX_BATCH`]), then publishes each committed frame on
//! the bus. Replay (a viewer catching up, a page reload, later session history) reads the same
//! rows back as the same [`Frame`]s.

use super::bus::EventBus;
use super::frame::Frame;
use crate::base::clock::now_ms;
use crate::base::db::Db;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most events committed at once.
const MAX_BATCH: usize = 1024;

/// A whole batch in one statement: the rows travel as one JSON array parameter, so a batch costs
/// one round trip to SQLite's worker thread and one prepared statement, and is atomic without an
/// explicit transaction. (PostgreSQL: `... FROM jsonb_to_recordset($1::jsonb) AS r(...)`.)
const INSERT_BATCH: &str = "INSERT INTO instance_events (instance_id, seq, ts, kind, data) \
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
            json_extract(value, '$[3]'), json_extract(value, '$[4]') \
     FROM json_each($1)";
/// Events queued for the writer before appenders wait (backpressure reaches the child's pipe).
const QUEUE: usize = 8192;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the event writer has stopped")]
    WriterGone,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

enum WriteOp {
    Append(Frame, String),
    /// Answered once everything queued before it is committed and published.
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct EventStore {
    db: Db,
    tx: mpsc::Sender<WriteOp>,
}

impl EventStore {
    /// Starts the writer task.
    pub fn start(db: Db, bus: EventBus) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db.clone(), bus, rx));
        EventStore { db, tx }
    }

    /// Queues an event for the next batch; it is broadcast once committed. `data` must be JSON.
    pub async fn append(
        &self,
        instance_id: &Arc<str>,
        seq: u64,
        kind: &str,
        data: String,
    ) -> Result<(), StoreError> {
        let frame = Frame::new(instance_id.clone(), seq, now_ms(), Arc::from(kind), &data);
        self.tx
            .send(WriteOp::Append(frame, data))
            .await
            .map_err(|_| StoreError::WriterGone)
    }

    /// Waits until everything appended so far is committed and published.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(WriteOp::Flush(done))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        wait.await.map_err(|_| StoreError::WriterGone)
    }

    /// Stored frames of an instance with `seq > after`, oldest first, at most `limit`.
    pub async fn read_after(
        &self,
        instance_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Frame>, StoreError> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT seq, ts, kind, data FROM instance_events \
             WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(instance_id)
        .bind(after as i64)
        .bind(limit as i64)
        .fetch_all(&self.db)
        .await?;
        let id: Arc<str> = Arc::from(instance_id);
        Ok(rows
            .into_iter()
            .map(|(seq, ts, kind, data)| {
                Frame::new(id.clone(), seq as u64, ts, Arc::from(kind), &data)
            })
            .collect())
    }

    /// The newest seq of an instance (0 when it has none).
    pub async fn last_seq(&self, instance_id: &str) -> Result<u64, StoreError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM instance_events WHERE instance_id = $1")
                .bind(instance_id)
                .fetch_one(&self.db)
                .await?;
        Ok(seq.unwrap_or(0) as u64)
    }
}

async fn writer(db: Db, bus: EventBus, mut rx: mpsc::Receiver<WriteOp>) {
    let mut batch: Vec<(Frame, String)> = Vec::with_capacity(MAX_BATCH);
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    while let Some(op) = rx.recv().await {
        let mut next = Some(op);
        // Take whatever is already waiting, without waiting for more.
        while let Some(op) = next {
            match op {
                WriteOp::Append(frame, data) => batch.push((frame, data)),
                WriteOp::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < MAX_BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            // Nothing is shown before it is stored: retry until the database takes it, which
            // holds every appender back (and, through the pipes, the processes) meanwhile.
            let started = std::time::Instant::now();
            let mut delay = Duration::from_millis(50);
            while let Err(e) = insert_batch(&db, &batch).await {
                tracing::error!(error = %e, events = batch.len(), "cannot store events; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            tracing::trace!(
                events = batch.len(),
                micros = started.elapsed().as_micros() as u64,
                "stored a batch"
            );
            for (frame, _) in batch.drain(..) {
                bus.publish(Arc::new(frame));
            }
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

async fn insert_batch(db: &Db, batch: &[(Frame, String)]) -> Result<(), sqlx::Error> {
    let rows: Vec<(&str, u64, i64, &str, &str)> = batch
        .iter()
        .map(|(f, data)| (&*f.instance_id, f.seq, f.ts_ms, &*f.kind, data.as_str()))
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(INSERT_BATCH).bind(json).execute(db).await?;
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A store on a fresh database with one instance, `i1` (the follow tests use it too).
    pub(crate) async fn setup() -> (tempfile::TempDir, Db, EventStore, EventBus) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::base::db::open(&dir.path().join("t.db"))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO instances (id, name, cwd, session_id, permission_mode, status, created_at, last_active_at) \
             VALUES ('i1', 'n', '/', 's', 'default', 'idle', 0, 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let bus = EventBus::new();
        let store = EventStore::start(db.clone(), bus.clone());
        (dir, db, store, bus)
    }

    #[test]
    fn frame_json_embeds_data_verbatim() {
        let f = Frame::new(
            Arc::from("i"),
            7,
            0,
            Arc::from("assistant"),
            r#"{"type":"assistant","x":[1, 2]}"#,
        );
        let v: serde_json::Value = serde_json::from_slice(&f.json).unwrap();
        assert_eq!(v["seq"], 7);
        assert_eq!(v["ts"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["kind"], "assistant");
        assert_eq!(v["data"]["x"][1], 2);
        assert_eq!(f.data(), r#"{"type":"assistant","x":[1, 2]}"#);
    }

    #[tokio::test]
    async fn events_are_stored_before_they_are_published() {
        let (_dir, _db, store, bus) = setup().await;
        let id: Arc<str> = Arc::from("i1");
        // Fewer than the bus holds: a receiver further behind gets Lagged (and re-reads the
        // store), which is not what this test is about.
        const COUNT: u64 = super::super::bus::CAPACITY as u64 - 6;
        let mut rx = bus.subscribe("i1");
        for seq in 1..=COUNT {
            store
                .append(&id, seq, "stdout", format!(r#"{{"n":{seq}}}"#))
                .await
                .unwrap();
        }
        for seq in 1..=COUNT {
            let frame = rx.recv().await.unwrap();
            assert_eq!(frame.seq, seq);
            // Published means stored: it can be read back already.
            if seq % 100 == 0 {
                let stored = store.read_after("i1", seq - 1, 1).await.unwrap();
                assert_eq!(stored[0].seq, seq);
            }
        }
        store.flush().await.unwrap();
        assert_eq!(store.last_seq("i1").await.unwrap(), COUNT);
        let page = store.read_after("i1", 200, 20).await.unwrap();
        assert_eq!(
            page.iter().map(|f| f.seq).collect::<Vec<_>>(),
            (201..=220).collect::<Vec<_>>()
        );
        assert_eq!(page[0].data(), r#"{"n":201}"#);
    }

    #[tokio::test]
    async fn an_event_that_cannot_be_stored_is_never_published() {
        // The writer retries a failing batch; publishing happens only after a commit, so a frame
        // that cannot be stored is never shown. (Here: an unknown instance violates the foreign
        // key, so nothing may be published while the writer retries.)
        let (_dir, _db, store, bus) = setup().await;
        let mut rx = bus.subscribe("ghost");
        store
            .append(&Arc::from("ghost"), 1, "x", "{}".into())
            .await
            .unwrap();
        let got = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
        assert!(got.is_err(), "an unstored frame was published");
    }
}
