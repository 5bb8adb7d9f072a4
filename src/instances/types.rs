//! The instance types of the API, shared by the server, the HTTP layer and the browser.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// The process is starting and has not answered yet.
    Starting,
    /// Alive and waiting for a prompt.
    Idle,
    /// A turn is running.
    Running,
    /// A turn waits for the user to allow or deny a tool.
    WaitingPermission,
    /// The process died unexpectedly; it is restarted after a back-off.
    Restarting,
    /// No process; can be resumed.
    Stopped,
    /// Gave up (crash loop, memory cap, cannot start); can be resumed once the cause is fixed.
    Failed,
}

impl InstanceStatus {
    /// Whether the instance holds (or is about to hold) a process: it counts against the quota.
    pub fn is_live(self) -> bool {
        !matches!(self, InstanceStatus::Stopped | InstanceStatus::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Starting => "starting",
            InstanceStatus::Idle => "idle",
            InstanceStatus::Running => "running",
            InstanceStatus::WaitingPermission => "waiting_permission",
            InstanceStatus::Restarting => "restarting",
            InstanceStatus::Stopped => "stopped",
            InstanceStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "starting" => InstanceStatus::Starting,
            "idle" => InstanceStatus::Idle,
            "running" => InstanceStatus::Running,
            "waiting_permission" => InstanceStatus::WaitingPermission,
            "restarting" => InstanceStatus::Restarting,
            "stopped" => InstanceStatus::Stopped,
            "failed" => InstanceStatus::Failed,
            _ => return None,
        })
    }

    /// Human wording for badges.
    pub fn label(self) -> &'static str {
        match self {
            InstanceStatus::Starting => "Starting",
            InstanceStatus::Idle => "Idle",
            InstanceStatus::Running => "Running",
            InstanceStatus::WaitingPermission => "Needs permission",
            InstanceStatus::Restarting => "Restarting",
            InstanceStatus::Stopped => "Stopped",
            InstanceStatus::Failed => "Failed",
        }
    }
}

/// An instance as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub status: InstanceStatus,
    /// Why it is stopped, failed or restarting.
    pub status_reason: Option<String>,
    /// The `claude` process id (also its process group id), while one runs.
    pub pid: Option<u32>,
    /// Claude Code's session id: the same across restarts and resumes.
    pub session_id: String,
    pub cwd: String,
    pub model: Option<String>,
    pub permission_mode: String,
    /// Total cost over every process this instance ran.
    pub cost_usd: f64,
    /// Resident memory of the process group.
    pub rss_bytes: u64,
    pub cpu_percent: f64,
    /// Automatic restarts after a crash.
    pub restarts: u32,
    pub created_at: String,
    pub last_active_at: String,
    /// When the current process started (for uptime).
    pub started_at: Option<String>,
    /// When the process last wrote anything.
    pub last_output_at: Option<String>,
    /// Prompts waiting for the running turn to end.
    pub queued_prompts: Vec<String>,
    /// Permission questions waiting for an answer.
    pub pending_permissions: u32,
    /// The seq of the newest event.
    pub last_seq: u64,
    /// The project it works on, if any.
    #[serde(default)]
    pub project_id: Option<String>,
    /// The worktree it works in, if any.
    #[serde(default)]
    pub worktree_id: Option<String>,
}

pub const PERMISSION_MODES: &[&str] = &[
    "default",
    "acceptEdits",
    "plan",
    "bypassPermissions",
    "auto",
    "dontAsk",
];

/// Model aliases offered in the UI; any other model id is accepted too.
pub const MODEL_SUGGESTIONS: &[&str] = &["sonnet", "opus", "haiku"];

/// `POST /api/instances`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInstance {
    /// Absolute path of an existing directory the agent works in. May be left out when
    /// `project_id` (its main checkout) or `worktree_id` is given.
    #[serde(default)]
    pub cwd: String,
    /// Work on this project: its main checkout unless `worktree_id` or `cwd` says otherwise;
    /// the project's default model, permission mode and environment apply.
    #[serde(default)]
    pub project_id: Option<String>,
    /// Work in this worktree (of its project).
    #[serde(default)]
    pub worktree_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub permission_mode: Option<String>,
    /// The first turn.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Extra environment variables for the process.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Passed as `--mcp-config` (a file path or JSON).
    #[serde(default)]
    pub mcp_config: Option<String>,
    /// Passed as `--append-system-prompt`.
    #[serde(default)]
    pub append_system_prompt: Option<String>,
}

/// `POST /api/instances/{id}/query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    pub prompt: String,
}

/// Messages a client sends on `/ws/instances/{id}/interact`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Query {
        prompt: String,
    },
    Interrupt,
    Permission {
        request_id: String,
        behavior: PermissionBehavior,
        #[serde(default)]
        message: Option<String>,
        /// Run the tool with this input instead of the one Claude asked for.
        #[serde(default)]
        updated_input: Option<Value>,
    },
    SetModel {
        model: String,
    },
    SetPermissionMode {
        mode: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionBehavior {
    Allow,
    Deny,
}

/// One event frame as the instance WebSockets and `GET /api/instances/{id}/events` carry it:
/// `{"seq","ts","kind","data"}`. The server writes it with [`EventFrame::encode`] (the CLI's line
/// embedded verbatim, never re-parsed); the browser reads it back with serde, borrowing `data`.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventFrame<'a> {
    pub seq: u64,
    #[serde(borrow)]
    pub ts: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub data: &'a serde_json::value::RawValue,
}

impl EventFrame<'_> {
    /// The frame's JSON text. `data` must be JSON text; it is embedded as it is (which is why this
    /// is written out rather than serialised: no parse of a line that may be megabytes long).
    /// `ts` is RFC 3339, which has nothing to escape.
    pub fn encode(seq: u64, ts: &str, kind: &str, data: &str) -> String {
        let kind = serde_json::to_string(kind).unwrap_or_else(|_| "\"unknown\"".into());
        format!(r#"{{"seq":{seq},"ts":"{ts}","kind":{kind},"data":{data}}}"#)
    }
}

/// What the server answers on `/ws/instances/{id}/interact` to a [`ClientMessage`] (and on the
/// read-only stream to anything sent there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SocketAnswer {
    /// The command was carried out; `request` names it (`query`, `interrupt`, ...).
    Ack { request: String },
    /// It was refused: `error` is the API's error code, `message` says why in words.
    Error {
        request: Option<String>,
        error: String,
        message: String,
    },
}

/// Messages on `/ws/instances` (the live list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListUpdate {
    /// The whole list (sent first, and again after a viewer fell behind).
    Snapshot {
        instances: Vec<Instance>,
    },
    Upsert {
        instance: Box<Instance>,
    },
    Removed {
        id: String,
    },
}

/// The `data` of a `flotilla` frame: what Flotilla itself says about an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FlotillaEvent {
    /// The instance changed (status, model, queue, ...): its new state.
    Instance { instance: Box<Instance> },
    /// A process was started.
    Spawned { pid: u32, resumed: bool },
    /// The process ended.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        expected: bool,
    },
    /// A permission question got no answer in time and was denied.
    PermissionTimeout { request_id: String },
    /// Something the user should know (e.g. a control request the CLI rejected).
    Notice { level: String, message: String },
}

/// Checks a create request; the message says what is wrong in words a user understands.
pub fn validate_create(req: &CreateInstance) -> Result<(), String> {
    if req.cwd.trim().is_empty() {
        return Err("cwd is required: the absolute path of the directory to work in".into());
    }
    if !req.cwd.starts_with('/') {
        return Err(format!("cwd must be an absolute path, got {:?}", req.cwd));
    }
    if let Some(name) = &req.name {
        if name.chars().count() > 100 {
            return Err("name is longer than 100 characters".into());
        }
    }
    if let Some(model) = &req.model {
        validate_model(model)?;
    }
    if let Some(mode) = &req.permission_mode {
        validate_permission_mode(mode)?;
    }
    for key in req.env.keys() {
        let ok = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(format!("environment variable name {key:?} is not valid"));
        }
    }
    Ok(())
}

pub fn validate_model(model: &str) -> Result<(), String> {
    let ok = !model.is_empty()
        && model.len() <= 100
        && model
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:[]".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "model {model:?} is not a valid model name (letters, digits and -_.:[] only)"
        ))
    }
}

pub fn validate_permission_mode(mode: &str) -> Result<(), String> {
    if PERMISSION_MODES.contains(&mode) {
        Ok(())
    } else {
        Err(format!(
            "permission_mode {mode:?} is not one of {}",
            PERMISSION_MODES.join(", ")
        ))
    }
}

pub fn validate_prompt(prompt: &str) -> Result<(), String> {
    if prompt.trim().is_empty() {
        Err("prompt is empty".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips() {
        for s in [
            InstanceStatus::Starting,
            InstanceStatus::Idle,
            InstanceStatus::Running,
            InstanceStatus::WaitingPermission,
            InstanceStatus::Restarting,
            InstanceStatus::Stopped,
            InstanceStatus::Failed,
        ] {
            assert_eq!(InstanceStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn validation_messages() {
        let ok = CreateInstance {
            cwd: "/tmp".into(),
            ..Default::default()
        };
        assert!(validate_create(&ok).is_ok());
        let rel = CreateInstance {
            cwd: "tmp".into(),
            ..Default::default()
        };
        assert!(validate_create(&rel).unwrap_err().contains("absolute"));
        let mode = CreateInstance {
            permission_mode: Some("yolo".into()),
            ..ok.clone()
        };
        assert!(validate_create(&mode)
            .unwrap_err()
            .contains("permission_mode"));
        let model = CreateInstance {
            model: Some("rm -rf".into()),
            ..ok.clone()
        };
        assert!(validate_create(&model).is_err());
        let mut env = ok.clone();
        env.env.insert("1BAD".into(), "x".into());
        assert!(validate_create(&env).is_err());
        assert!(validate_prompt("  ").is_err());
    }

    #[test]
    fn client_messages_parse() {
        let m: ClientMessage = serde_json::from_str(
            r#"{"type":"permission","request_id":"r","behavior":"deny","message":"no"}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ClientMessage::Permission {
                request_id: "r".into(),
                behavior: PermissionBehavior::Deny,
                message: Some("no".into()),
                updated_input: None
            }
        );
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"interrupt"}"#).is_ok());
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"dance"}"#).is_err());
    }

    #[test]
    fn an_encoded_frame_reads_back_with_its_data_verbatim() {
        let text = EventFrame::encode(7, "2026-01-01T00:00:00.000Z", "claude", r#"{"x":[1, 2]}"#);
        let frame: EventFrame = serde_json::from_str(&text).unwrap();
        assert_eq!(frame.seq, 7);
        assert_eq!(frame.ts, "2026-01-01T00:00:00.000Z");
        assert_eq!(frame.kind, "claude");
        assert_eq!(frame.data.get(), r#"{"x":[1, 2]}"#);
        // An answer is not a frame, and the other way round.
        let ack = serde_json::to_string(&SocketAnswer::Ack {
            request: "query".into(),
        })
        .unwrap();
        assert!(serde_json::from_str::<EventFrame>(&ack).is_err());
        assert!(serde_json::from_str::<SocketAnswer>(&text).is_err());
    }
}
