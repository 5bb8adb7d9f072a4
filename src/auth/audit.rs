//! The audit log: every state-changing request — who, what, on what, from where, when, and how
//! it ended. The middleware writes an entry as `pending` before the operation runs and gives it
//! its outcome afterwards; operations with a transaction of their own (the auth service's)
//! complete the entry inside that transaction, so change and record commit together.

use super::service::Identity;
use super::types::{AuditEntry, AuditPage, AuditQuery};
use crate::base::clock::{format_ts, now_ms};
use crate::base::db::Db;
use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::{Sqlite, Transaction};

/// The entry of the request being served, for services that complete it in their transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditId(pub i64);

/// Longest detail kept (an error message).
const MAX_DETAIL: usize = 500;
/// Largest error body read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;

fn result_of(status: u16) -> &'static str {
    if status < 400 {
        "ok"
    } else {
        "error"
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_DETAIL).collect()
}

/// Gives the entry its outcome inside the caller's transaction. Later attempts to change it
/// (the middleware's own) are no-ops: an entry gets one outcome.
pub async fn complete_in(
    tx: &mut Transaction<'_, Sqlite>,
    id: Option<AuditId>,
    status: u16,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let Some(AuditId(id)) = id else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE audit_log SET result = $2, status = $3, detail = $4 \
         WHERE id = $1 AND result = 'pending'",
    )
    .bind(id)
    .bind(result_of(status))
    .bind(i64::from(status))
    .bind(detail.map(clip))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The audit log's reads and writes.
#[derive(Clone)]
pub struct Audit {
    db: Db,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    ts: i64,
    actor: String,
    action: String,
    target: Option<String>,
    client_ip: Option<String>,
    result: String,
    status: Option<i64>,
    detail: Option<String>,
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            id: r.id,
            ts: format_ts(r.ts),
            actor: r.actor,
            action: r.action,
            target: r.target,
            client_ip: r.client_ip,
            result: r.result,
            status: r.status,
            detail: r.detail,
        }
    }
}

impl Audit {
    pub fn new(db: Db) -> Self {
        Audit { db }
    }

    /// Writes a `pending` entry before an operation runs.
    pub async fn begin(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        client_ip: Option<&str>,
    ) -> Result<AuditId, sqlx::Error> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (ts, actor, action, target, client_ip, result) \
             VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
        )
        .bind(now_ms())
        .bind(actor)
        .bind(action)
        .bind(target.map(clip))
        .bind(client_ip)
        .fetch_one(&self.db)
        .await?;
        Ok(AuditId(id))
    }

    /// Gives a `pending` entry its outcome (no-op if it already has one).
    pub async fn finish(&self, id: AuditId, status: u16, detail: Option<&str>) {
        let done = sqlx::query(
            "UPDATE audit_log SET result = $2, status = $3, detail = $4 \
             WHERE id = $1 AND result = 'pending'",
        )
        .bind(id.0)
        .bind(result_of(status))
        .bind(i64::from(status))
        .bind(detail.map(clip))
        .execute(&self.db)
        .await;
        if let Err(e) = done {
            tracing::error!(error = %e, audit_id = id.0, "cannot record an audit outcome");
        }
    }

    /// An operation recorded whole, once it is over (WebSocket commands, the command line).
    pub async fn record(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        client_ip: Option<&str>,
        status: u16,
        detail: Option<&str>,
    ) {
        match self.begin(actor, action, target, client_ip).await {
            Ok(id) => self.finish(id, status, detail).await,
            Err(e) => tracing::error!(error = %e, action, "cannot write the audit log"),
        }
    }

    /// Entries matching `q`, newest first, a page at a time.
    pub async fn list(&self, q: &AuditQuery) -> Result<AuditPage, sqlx::Error> {
        let limit = q.limit.unwrap_or(100).clamp(1, 1000);
        let like = |s: &Option<String>| {
            s.as_ref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| format!("%{}%", s.trim().replace('%', "\\%").replace('_', "\\_")))
        };
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, ts, actor, action, target, client_ip, result, status, detail \
             FROM audit_log WHERE ($1 IS NULL OR id < $1) \
             AND ($2 IS NULL OR actor LIKE $2 ESCAPE '\\') \
             AND ($3 IS NULL OR action LIKE $3 ESCAPE '\\' OR target LIKE $3 ESCAPE '\\') \
             AND ($4 IS NULL OR result = $4) \
             ORDER BY id DESC LIMIT $5",
        )
        .bind(q.before)
        .bind(like(&q.actor))
        .bind(like(&q.text))
        .bind(q.result.as_ref().filter(|r| !r.is_empty()))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.db)
        .await?;
        let more = rows.len() > limit as usize;
        let entries: Vec<AuditEntry> = rows
            .into_iter()
            .take(limit as usize)
            .map(AuditEntry::from)
            .collect();
        let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
        Ok(AuditPage {
            entries,
            next_before,
        })
    }

    /// Every entry matching `q` (its limit ignored), oldest first, as JSON lines.
    pub async fn export_jsonl(&self, q: &AuditQuery) -> Result<String, sqlx::Error> {
        let mut all = Vec::new();
        let mut page_query = AuditQuery {
            limit: Some(1000),
            ..q.clone()
        };
        loop {
            let page = self.list(&page_query).await?;
            all.extend(page.entries);
            match page.next_before {
                Some(before) => page_query.before = Some(before),
                None => break,
            }
        }
        let mut out = String::new();
        for entry in all.iter().rev() {
            if let Ok(line) = serde_json::to_string(entry) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// The part of a server function's JSON body that names what it acts on. Only these keys are
/// ever read: a body's other fields (a password, a file's content, a secret) never reach the log.
fn target_from_body(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    let mut parts = Vec::new();
    for key in ["kind", "id", "project_id", "name", "username", "path"] {
        if let Some(v) = object.get(key).and_then(|v| v.as_str()) {
            parts.push(format!("{key}={v}"));
        }
    }
    if let Some(cwd) = object
        .get("request")
        .and_then(|r| r.get("cwd"))
        .and_then(|v| v.as_str())
    {
        parts.push(format!("cwd={cwd}"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The middleware: records every state-changing API request (after the guard, which has put the
/// caller's [`Identity`] in the request).
pub async fn record_changes(
    State(auth): State<super::Auth>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let audit = auth.audit();
    let path = request.uri().path().to_string();
    if !path.starts_with("/api/") || !super::guard::is_mutating(request.method()) {
        return next.run(request).await;
    }
    let (actor, client_ip) = match request.extensions().get::<Identity>() {
        Some(i) => (i.principal.actor(), Some(i.client_ip.to_string())),
        None => ("anonymous".to_string(), None),
    };
    let (action, target, mut request) = if let Some(name) = path.strip_prefix("/api/fn/") {
        let (parts, body) = request.into_parts();
        // The body limit layer outside bounds what this reads.
        let bytes = match to_bytes(body, usize::MAX).await {
            Ok(bytes) => bytes,
            Err(e) => return crate::server::api_errors::body_read_error(&e).into_response(),
        };
        let target = target_from_body(&bytes);
        (
            format!("fn {name}"),
            target,
            Request::from_parts(parts, Body::from(bytes)),
        )
    } else {
        let template = request
            .extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| path.clone());
        (
            format!("{} {template}", request.method()),
            Some(path.clone()),
            request,
        )
    };
    let id = match audit
        .begin(&actor, &action, target.as_deref(), client_ip.as_deref())
        .await
    {
        Ok(id) => id,
        Err(e) => {
            // No record, no change: an operation that cannot be audited does not run.
            tracing::error!(error = %e, "cannot write the audit log");
            return crate::error::AppError::Unavailable(
                "the audit log cannot be written; nothing was changed".into(),
            )
            .into_response();
        }
    };
    request.extensions_mut().insert(id);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    if status < 400 {
        audit.finish(id, status, None).await;
        return response;
    }
    // Keep the error's message (our errors never carry secrets).
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        audit.finish(id, status, None).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string));
    audit.finish(id, status, message.as_deref()).await;
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_only_what_is_acted_on() {
        let body =
            br#"{"id":"abc","password":"hunter2-secret","content":"x","request":{"cwd":"/w"}}"#;
        let target = target_from_body(body).unwrap();
        assert_eq!(target, "id=abc cwd=/w");
        assert!(!target.contains("hunter2"));
        assert_eq!(target_from_body(b"not json"), None);
        assert_eq!(target_from_body(br#"{"value":{"value":"s3cret"}}"#), None);
    }

    #[tokio::test]
    async fn entries_are_append_only_with_one_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::base::db::open(&dir.path().join("t.db"))
            .await
            .unwrap();
        let audit = Audit::new(db.clone());
        let id = audit
            .begin("owner:me", "POST /api/x", Some("/api/x"), Some("127.0.0.1"))
            .await
            .unwrap();
        audit.finish(id, 409, Some("conflict")).await;
        audit.finish(id, 200, None).await; // ignored: the outcome is set
        let page = audit.list(&AuditQuery::default()).await.unwrap();
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].result, "error");
        assert_eq!(page.entries[0].status, Some(409));
        // Neither rewriting nor deleting is possible, even with SQL.
        let rewrite = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
            .execute(&db)
            .await;
        assert!(rewrite.is_err());
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(&db)
            .await
            .is_err());
        // Filters and pages.
        for i in 0..5 {
            audit
                .record(
                    "token:ci",
                    &format!("POST /api/y{i}"),
                    None,
                    None,
                    200,
                    None,
                )
                .await;
        }
        let q = AuditQuery {
            actor: Some("ci".into()),
            limit: Some(2),
            ..Default::default()
        };
        let first = audit.list(&q).await.unwrap();
        assert_eq!(first.entries.len(), 2);
        assert_eq!(first.entries[0].action, "POST /api/y4");
        let second = audit
            .list(&AuditQuery {
                before: first.next_before,
                ..q.clone()
            })
            .await
            .unwrap();
        assert_eq!(second.entries[0].action, "POST /api/y2");
        let jsonl = audit.export_jsonl(&q).await.unwrap();
        assert_eq!(jsonl.lines().count(), 5);
        assert!(
            jsonl.lines().next().unwrap().contains("/api/y0"),
            "oldest first"
        );
        let errors = audit
            .list(&AuditQuery {
                result: Some("error".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(errors.entries.len(), 1);
    }
}
