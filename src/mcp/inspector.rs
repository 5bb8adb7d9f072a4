//! The inspector: at most one live connection per configured server, what it offers, its log
//! and the history of tool calls. Connections left idle are closed.

use super::client::{ClientError, Connection, Target};
use super::log::Log;
use super::types::{
    CallRecord, ConnectionState, ConnectionSummary, Discovery, Inspection, LogEntry, PromptResult,
    ResourcePart, TestResult,
};
use crate::base::clock::{format_ts, now_ms};
use crate::base::error::DomainError;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Calls kept per server.
const CALLS_KEPT: usize = 50;
/// A connection nobody used for this long is closed.
const IDLE: Duration = Duration::from_secs(20 * 60);

#[derive(Clone)]
pub struct Inspector {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
    timeout: Duration,
}

struct Slot {
    state: ConnectionState,
    error: Option<String>,
    connected_at: Option<i64>,
    discovery: Option<Discovery>,
    log: Arc<Log>,
    calls: Vec<CallRecord>,
    connection: Option<Arc<Connection>>,
    used: Instant,
}

impl Slot {
    fn new(log: Arc<Log>) -> Self {
        Self {
            state: ConnectionState::Closed,
            error: None,
            connected_at: None,
            discovery: None,
            log,
            calls: Vec::new(),
            connection: None,
            used: Instant::now(),
        }
    }
}

impl Inspector {
    /// `timeout` bounds the handshake and each request.
    pub fn start(timeout: Duration, shutdown: tokio_util::sync::CancellationToken) -> Self {
        let inspector = Self {
            slots: Arc::default(),
            timeout,
        };
        let me = inspector.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_secs(60)) => me.close_idle().await,
                }
            }
            me.close_all().await;
        });
        inspector
    }

    /// (Re)connects to server `id` at `target`, then reads what it offers.
    pub async fn connect(&self, id: &str, target: &Target) -> Inspection {
        let previous = self.take(id);
        if let Some(c) = previous {
            close(c).await;
        }
        // One log across reconnects (a rebuild's output stays above the new handshake).
        let mut log = Arc::new(Log::default());
        self.with(id, |s| {
            log = s.log.clone();
            s.state = ConnectionState::Connecting;
            s.error = None;
            s.discovery = None;
            s.connected_at = None;
        });
        match Connection::open(target, log.clone(), self.timeout).await {
            Ok(connection) => {
                let connection = Arc::new(connection);
                let discovery = connection.discover().await;
                self.with(id, |s| {
                    s.state = ConnectionState::Connected;
                    s.connected_at = Some(now_ms());
                    s.discovery = Some(discovery);
                    s.connection = Some(connection);
                });
            }
            Err(e) => self.with(id, |s| {
                s.state = ConnectionState::Failed;
                s.error = Some(e.to_string());
            }),
        }
        self.inspection(id)
    }

    /// A connection made, read and closed again: does the server work?
    pub async fn test(&self, target: &Target) -> TestResult {
        let log = Arc::new(Log::default());
        let started = Instant::now();
        let result = Connection::open(target, log.clone(), self.timeout).await;
        let (ok, error, name, tools) = match result {
            Ok(connection) => {
                let d = connection.discover().await;
                connection.close().await;
                let error = d.errors.get("tools").cloned();
                (error.is_none(), error, d.server_name, d.tools.len() as u64)
            }
            Err(e) => (false, Some(e.to_string()), None, 0),
        };
        TestResult {
            ok,
            error,
            server_name: name,
            tools,
            duration_ms: started.elapsed().as_millis() as u64,
            stderr: log.stderr_tail(10),
        }
    }

    /// What the inspector knows of server `id` (closed when it was never connected).
    pub fn inspection(&self, id: &str) -> Inspection {
        let slots = self.slots.lock().ok();
        let slot = slots.as_ref().and_then(|s| s.get(id));
        match slot {
            None => Inspection {
                server_id: id.to_string(),
                state: ConnectionState::Closed,
                error: None,
                connected_at: None,
                discovery: None,
                log: Vec::new(),
                calls: Vec::new(),
            },
            Some(s) => Inspection {
                server_id: id.to_string(),
                state: s.state,
                error: s.error.clone(),
                connected_at: s.connected_at.map(format_ts),
                discovery: s.discovery.clone(),
                log: s.log.tail(500),
                calls: s.calls.clone(),
            },
        }
    }

    /// Every server the inspector has been connected to (or tried to) and is not closed, by id.
    pub fn connections(&self) -> Vec<ConnectionSummary> {
        let Ok(slots) = self.slots.lock() else {
            return Vec::new();
        };
        let mut all: Vec<ConnectionSummary> = slots
            .iter()
            .filter(|(_, s)| s.state != ConnectionState::Closed)
            .map(|(id, s)| ConnectionSummary {
                server_id: id.clone(),
                state: s.state,
                error: s.error.clone(),
                connected_at: s.connected_at.map(format_ts),
                server_name: s.discovery.as_ref().and_then(|d| d.server_name.clone()),
                tools: s.discovery.as_ref().map_or(0, |d| d.tools.len() as u64),
                calls: s.calls.len() as u64,
            })
            .collect();
        all.sort_by(|a, b| a.server_id.cmp(&b.server_id));
        all
    }

    /// Log entries after `since`.
    pub fn log(&self, id: &str, since: u64) -> Vec<LogEntry> {
        let log = self
            .slots
            .lock()
            .ok()
            .and_then(|s| s.get(id).map(|s| s.log.clone()));
        log.map(|l| l.since(since, 1000)).unwrap_or_default()
    }

    pub async fn call_tool(
        &self,
        id: &str,
        tool: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
    ) -> Result<CallRecord, DomainError> {
        let connection = self.live(id)?;
        let started = Instant::now();
        let at = format_ts(now_ms());
        let outcome = connection.call_tool(tool, arguments.clone()).await;
        let is_error = match &outcome {
            Ok(v) => v["isError"] == true,
            Err(_) => true,
        };
        let record = CallRecord {
            tool: tool.to_string(),
            arguments: serde_json::Value::Object(arguments),
            at,
            duration_ms: started.elapsed().as_millis() as u64,
            is_error,
            error: outcome.as_ref().err().map(ToString::to_string),
            result: outcome.ok(),
        };
        self.with(id, |s| {
            if s.calls.len() == CALLS_KEPT {
                s.calls.remove(0);
            }
            s.calls.push(record.clone());
        });
        Ok(record)
    }

    pub async fn read_resource(
        &self,
        id: &str,
        uri: &str,
    ) -> Result<Vec<ResourcePart>, DomainError> {
        let connection = self.live(id)?;
        connection.read_resource(uri).await.map_err(request_error)
    }

    pub async fn get_prompt(
        &self,
        id: &str,
        name: &str,
        arguments: &BTreeMap<String, String>,
    ) -> Result<PromptResult, DomainError> {
        let connection = self.live(id)?;
        connection
            .get_prompt(name, arguments)
            .await
            .map_err(request_error)
    }

    /// Closes server `id`'s connection (a program stops).
    pub async fn disconnect(&self, id: &str) {
        if let Some(c) = self.take(id) {
            close(c).await;
        }
        self.with(id, |s| s.state = ConnectionState::Closed);
    }

    /// Forgets server `id` entirely (it was removed from the configuration).
    pub async fn forget(&self, id: &str) {
        let slot = self.slots.lock().ok().and_then(|mut s| s.remove(id));
        if let Some(c) = slot.and_then(|s| s.connection) {
            close(c).await;
        }
    }

    /// Marks server `id` failed, saying why (a build that failed).
    pub fn fail(&self, id: &str, why: String) {
        self.with(id, |s| {
            s.state = ConnectionState::Failed;
            s.error = Some(why);
        });
    }

    /// Notes a line in server `id`'s log (a rebuild's output).
    pub fn note(&self, id: &str, text: String) {
        self.with(id, |s| s.log.note(text));
    }

    fn live(&self, id: &str) -> Result<Arc<Connection>, DomainError> {
        let mut slots = self
            .slots
            .lock()
            .map_err(|_| DomainError::Internal("the inspector is unavailable".into()))?;
        let slot = slots
            .get_mut(id)
            .filter(|s| s.state == ConnectionState::Connected);
        match slot.and_then(|s| {
            s.used = Instant::now();
            s.connection.clone()
        }) {
            Some(c) => Ok(c),
            None => Err(DomainError::Conflict(
                "not connected to this server: connect first".into(),
            )),
        }
    }

    fn take(&self, id: &str) -> Option<Arc<Connection>> {
        self.slots.lock().ok()?.get_mut(id)?.connection.take()
    }

    fn with(&self, id: &str, f: impl FnOnce(&mut Slot)) {
        if let Ok(mut slots) = self.slots.lock() {
            let slot = slots
                .entry(id.to_string())
                .or_insert_with(|| Slot::new(Arc::new(Log::default())));
            f(slot);
        }
    }

    async fn close_idle(&self) {
        let idle: Vec<String> = self
            .slots
            .lock()
            .map(|s| {
                s.iter()
                    .filter(|(_, slot)| slot.connection.is_some() && slot.used.elapsed() > IDLE)
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        for id in idle {
            self.note(&id, "closed after 20 minutes unused".into());
            self.disconnect(&id).await;
        }
    }

    async fn close_all(&self) {
        let all: Vec<String> = self
            .slots
            .lock()
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        for id in all {
            self.disconnect(&id).await;
        }
    }
}

/// Closes a connection once nothing else holds it (a request in flight finishes first).
async fn close(connection: Arc<Connection>) {
    // Still in use by a request: it is closed (its program killed) when that one drops it.
    if let Ok(c) = Arc::try_unwrap(connection) {
        c.close().await;
    }
}

fn request_error(e: ClientError) -> DomainError {
    match e {
        ClientError::Server(m) => DomainError::Invalid(m),
        other => DomainError::Unavailable(other.to_string()),
    }
}
