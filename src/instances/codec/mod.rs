//! The stream-json protocol of the Claude Code CLI (`-p --input-format stream-json
//! --output-format stream-json`), both directions.
//!
//! Decoding turns one stdout line into a typed [`CliMessage`] for the kinds the CLI emits today.
//! The typed values hold only the fields Flotilla acts on; the verbatim line is always kept by the
//! caller, so nothing the CLI says is lost. A line of an unknown kind decodes to
//! [`CliMessage::Unknown`]; a line that is not JSON is [`Decoded::Malformed`]. Neither is an
//! error: new kinds and fields appear between CLI versions.
//!
//! This module is plain serde: the server's engine and the browser's chat view both use it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The text of a message content: a string, or the text blocks of a list.
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The result of decoding one stdout line.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Message(CliMessage),
    /// Not a JSON object. `error` says why.
    Malformed {
        error: String,
    },
}

/// One message the CLI wrote, by its `type` (and `subtype` where it matters).
#[derive(Debug, Clone, PartialEq)]
pub enum CliMessage {
    SystemInit(SystemInit),
    /// `system` with another subtype: `status`, `api_retry`, `permission_denied`,
    /// `informational`, and whatever comes next.
    System(SystemNotice),
    Assistant(AssistantLine),
    User(UserLine),
    StreamEvent(StreamEventLine),
    Result(TurnResult),
    ControlRequest(ControlRequest),
    ControlResponse(ControlResponse),
    CommandLifecycle(CommandLifecycle),
    /// A JSON object of a kind this version of Flotilla does not know.
    Unknown {
        kind: String,
    },
}

impl CliMessage {
    /// The frame kind Flotilla records this line under: the CLI's `type`.
    pub fn kind(&self) -> &str {
        match self {
            CliMessage::SystemInit(_) | CliMessage::System(_) => "system",
            CliMessage::Assistant(_) => "assistant",
            CliMessage::User(_) => "user",
            CliMessage::StreamEvent(_) => "stream_event",
            CliMessage::Result(_) => "result",
            CliMessage::ControlRequest(_) => "control_request",
            CliMessage::ControlResponse(_) => "control_response",
            CliMessage::CommandLifecycle(_) => "command_lifecycle",
            CliMessage::Unknown { kind } => kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct SystemInit {
    pub session_id: String,
    #[serde(default)]
    pub cwd: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub tools: Vec<String>,
    #[serde(default)]
    pub mcp_servers: Vec<McpServerStatus>,
    #[serde(default, rename = "permissionMode")]
    pub permission_mode: String,
    #[serde(default)]
    pub claude_code_version: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct McpServerStatus {
    pub name: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SystemNotice {
    pub subtype: String,
    #[serde(default)]
    pub session_id: Option<String>,
    /// `informational` text, or the `permission_denied` explanation.
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub tool_name: Option<String>,
    /// `api_retry` details.
    #[serde(default)]
    pub attempt: Option<u32>,
    #[serde(default)]
    pub max_retries: Option<u32>,
    #[serde(default)]
    pub error_status: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// An assistant line: one content block of one API reply (blocks of a reply share `message.id`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AssistantLine {
    pub message: ApiMessage,
    #[serde(default)]
    pub parent_tool_use_id: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub is_api_error_message: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiMessage {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
}

/// A content block of a message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(default)]
        content: Value,
        #[serde(default)]
        is_error: Option<bool>,
    },
    #[serde(other)]
    Other,
}

/// A user line: tool results, or (with replay) the echoed prompt.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserLine {
    pub message: UserMessage,
    #[serde(default)]
    pub parent_tool_use_id: Option<String>,
    #[serde(default, rename = "isReplay")]
    pub is_replay: bool,
    #[serde(default)]
    pub tool_use_result: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserMessage {
    #[serde(default)]
    pub content: UserContent,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum UserContent {
    Text(String),
    Blocks(Vec<ContentBlock>),
}

impl Default for UserContent {
    fn default() -> Self {
        UserContent::Blocks(Vec::new())
    }
}

/// A raw API stream event, for token-by-token display.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StreamEventLine {
    pub event: StreamEvent,
    #[serde(default)]
    pub parent_tool_use_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    MessageStart {
        #[serde(default)]
        message: Value,
    },
    ContentBlockStart {
        index: usize,
        #[serde(default)]
        content_block: Value,
    },
    ContentBlockDelta {
        index: usize,
        delta: Delta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        #[serde(default)]
        delta: Value,
    },
    MessageStop,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Delta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    ThinkingDelta {
        thinking: String,
    },
    #[serde(other)]
    Other,
}

/// The end of a turn.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct TurnResult {
    #[serde(default)]
    pub subtype: String,
    #[serde(default)]
    pub is_error: bool,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub num_turns: u32,
    #[serde(default)]
    pub duration_ms: u64,
    #[serde(default)]
    pub duration_api_ms: u64,
    /// Cumulative for the process (not for the turn).
    #[serde(default)]
    pub total_cost_usd: f64,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default)]
    pub terminal_reason: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}

/// A question from the CLI to the host.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ControlRequest {
    pub request_id: String,
    pub request: ControlRequestBody,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "subtype", rename_all = "snake_case")]
pub enum ControlRequestBody {
    /// Permission to run a tool (`--permission-prompt-tool stdio`).
    CanUseTool {
        tool_name: String,
        #[serde(default)]
        input: Value,
        #[serde(default)]
        tool_use_id: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        blocked_path: Option<String>,
    },
    #[serde(other)]
    Other,
}

/// The CLI's answer to one of the host's control requests.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ControlResponse {
    pub response: ControlResponseBody,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ControlResponseBody {
    pub subtype: String,
    pub request_id: String,
    #[serde(default)]
    pub response: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CommandLifecycle {
    #[serde(default)]
    pub command_uuid: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// Just enough of a line to route it.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    subtype: Option<std::borrow::Cow<'a, str>>,
}

/// Decodes one stdout line (without its newline).
pub fn decode(line: &str) -> Decoded {
    let head: Head = match serde_json::from_str(line) {
        Ok(h) => h,
        Err(e) => {
            return Decoded::Malformed {
                error: e.to_string(),
            }
        }
    };
    let Some(kind) = head.kind else {
        return Decoded::Message(CliMessage::Unknown {
            kind: "unknown".into(),
        });
    };
    fn typed<'a, T: Deserialize<'a>>(
        line: &'a str,
        wrap: fn(T) -> CliMessage,
        kind: &str,
    ) -> CliMessage {
        // A known kind whose fields do not fit (a future change) is still kept, as unknown.
        serde_json::from_str(line)
            .map(wrap)
            .unwrap_or(CliMessage::Unknown {
                kind: kind.to_string(),
            })
    }
    let message = match (kind.as_ref(), head.subtype.as_deref()) {
        ("system", Some("init")) => typed(line, CliMessage::SystemInit, "system"),
        ("system", _) => typed(line, CliMessage::System, "system"),
        ("assistant", _) => typed(line, CliMessage::Assistant, "assistant"),
        ("user", _) => typed(line, CliMessage::User, "user"),
        ("stream_event", _) => typed(line, CliMessage::StreamEvent, "stream_event"),
        ("result", _) => typed(line, CliMessage::Result, "result"),
        ("control_request", _) => typed(line, CliMessage::ControlRequest, "control_request"),
        ("control_response", _) => typed(line, CliMessage::ControlResponse, "control_response"),
        ("command_lifecycle", _) => typed(line, CliMessage::CommandLifecycle, "command_lifecycle"),
        (other, _) => CliMessage::Unknown {
            kind: other.to_string(),
        },
    };
    Decoded::Message(message)
}

// ---- Host -> CLI (stdin) ----

/// A user turn.
pub fn user_turn(prompt: &str) -> Value {
    json!({"type": "user", "message": {"role": "user", "content": prompt}})
}

/// A control request from the host (`interrupt`, `set_model`, `set_permission_mode`,
/// `initialize`); `fields` are merged into the request next to `subtype`.
pub fn control_request(request_id: &str, subtype: &str, fields: Value) -> Value {
    let mut request = json!({"subtype": subtype});
    if let (Some(target), Value::Object(extra)) = (request.as_object_mut(), fields) {
        target.extend(extra);
    }
    json!({"type": "control_request", "request_id": request_id, "request": request})
}

/// The answer to a `can_use_tool` question.
pub fn permission_response(request_id: &str, decision: &PermissionDecision) -> Value {
    let response = match decision {
        PermissionDecision::Allow { updated_input } => {
            json!({"behavior": "allow", "updatedInput": updated_input})
        }
        PermissionDecision::Deny { message } => json!({"behavior": "deny", "message": message}),
    };
    json!({"type": "control_response", "response": {"subtype": "success", "request_id": request_id, "response": response}})
}

#[derive(Debug, Clone, PartialEq)]
pub enum PermissionDecision {
    /// Run the tool with this input (the original input, unless the user changed it).
    Allow {
        updated_input: Value,
    },
    Deny {
        message: String,
    },
}

#[cfg(test)]
mod tests;
