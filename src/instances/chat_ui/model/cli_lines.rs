//! How the chat reads the CLI's own lines (`claude` frames): one method per kind of line.

use super::{content_text, ChatModel, ItemBody, Level, PermissionState, ToolOutcome};
use crate::instances::codec::{
    self, AssistantLine, CliMessage, ContentBlock, ControlRequest, SystemNotice, TurnResult,
    UserContent, UserLine,
};
use serde_json::Value;

impl ChatModel {
    pub(super) fn on_cli(&mut self, message: CliMessage, raw: &str) {
        match message {
            CliMessage::SystemInit(init) => {
                self.mcp = init
                    .mcp_servers
                    .iter()
                    .map(|server| {
                        let prefix = format!("mcp__{}__", server.name);
                        super::McpStatus {
                            name: server.name.clone(),
                            status: server.status.clone(),
                            tools: init
                                .tools
                                .iter()
                                .filter_map(|t| t.strip_prefix(&prefix).map(str::to_string))
                                .collect(),
                        }
                    })
                    .collect();
            }
            CliMessage::ControlResponse(_) | CliMessage::CommandLifecycle(_) => {}
            CliMessage::System(notice) => self.on_system(notice, raw),
            CliMessage::Assistant(line) => self.on_assistant(line),
            CliMessage::User(line) => self.on_user(line),
            CliMessage::StreamEvent(line) => self.on_stream(line.parent_tool_use_id, line.event),
            CliMessage::Result(result) => self.on_result(result),
            CliMessage::ControlRequest(request) => self.on_control_request(request),
            CliMessage::Unknown { kind } => {
                self.push(
                    None,
                    ItemBody::Raw {
                        kind,
                        text: raw.to_string(),
                    },
                );
            }
        }
    }

    /// A `system` line: a notice in the chat, or folded raw text for a subtype not known yet.
    fn on_system(&mut self, notice: SystemNotice, raw: &str) {
        let (level, text) = match notice.subtype.as_str() {
            "status" => return,
            "api_retry" => (
                Level::Warning,
                format!(
                    "API error{} — retrying (attempt {} of {})",
                    notice
                        .error_status
                        .map(|s| format!(" {s}"))
                        .unwrap_or_default(),
                    notice.attempt.unwrap_or(0),
                    notice.max_retries.unwrap_or(0)
                ),
            ),
            "permission_denied" => (
                Level::Warning,
                notice
                    .message
                    .unwrap_or_else(|| "A tool call was denied.".into()),
            ),
            "informational" => (Level::Info, notice.content.unwrap_or_default()),
            // Sub-agent progress: shown inside the Task card it belongs to.
            "task_started" | "task_notification" => {
                let value: Value = serde_json::from_str(raw).unwrap_or_default();
                let parent = value["tool_use_id"].as_str().map(str::to_string);
                let text = if notice.subtype == "task_started" {
                    format!(
                        "Sub-agent started: {}",
                        value["description"].as_str().unwrap_or("")
                    )
                } else {
                    format!(
                        "Sub-agent {}: {}",
                        value["status"].as_str().unwrap_or("finished"),
                        value["summary"].as_str().unwrap_or("")
                    )
                };
                self.push(
                    parent,
                    ItemBody::Notice {
                        level: Level::Info,
                        text,
                    },
                );
                return;
            }
            // Kept and shown, folded: new subtypes appear with every CLI version.
            other => {
                self.push(
                    None,
                    ItemBody::Raw {
                        kind: format!("system/{other}"),
                        text: raw.to_string(),
                    },
                );
                return;
            }
        };
        self.push(None, ItemBody::Notice { level, text });
    }

    /// Claude's message: text, thinking and tool calls, each an item.
    fn on_assistant(&mut self, line: AssistantLine) {
        let parent = line.parent_tool_use_id.clone();
        for block in line.message.content {
            match block {
                ContentBlock::Text { text } if line.is_api_error_message => {
                    self.push(
                        parent.clone(),
                        ItemBody::Notice {
                            level: Level::Error,
                            text,
                        },
                    );
                }
                ContentBlock::Text { text } => self.finish_block(
                    &line.message.id,
                    parent.clone(),
                    ItemBody::Text {
                        text,
                        streaming: false,
                    },
                ),
                ContentBlock::Thinking { thinking } => self.finish_block(
                    &line.message.id,
                    parent.clone(),
                    ItemBody::Thinking {
                        text: thinking,
                        streaming: false,
                    },
                ),
                ContentBlock::ToolUse { id, name, input } => {
                    let index = self.push(
                        parent.clone(),
                        ItemBody::Tool {
                            id: id.clone(),
                            name,
                            input,
                            result: None,
                            permission: None,
                        },
                    );
                    self.by_tool.insert(id, index);
                }
                ContentBlock::ToolResult { .. } | ContentBlock::Other => {}
            }
        }
    }

    /// A user line: tool results (into their tool's card) and text (prompts, sub-agent input).
    fn on_user(&mut self, line: UserLine) {
        let parent = line.parent_tool_use_id.clone();
        match line.message.content {
            UserContent::Blocks(blocks) => {
                for block in blocks {
                    match block {
                        ContentBlock::ToolResult {
                            tool_use_id,
                            content,
                            is_error,
                        } => {
                            let outcome = ToolOutcome {
                                text: content_text(&content),
                                is_error: is_error.unwrap_or(false),
                                details: line.tool_use_result.clone().unwrap_or(Value::Null),
                            };
                            if let Some(&i) = self.by_tool.get(&tool_use_id) {
                                if let ItemBody::Tool { result, .. } = &mut self.items[i].body {
                                    *result = Some(outcome);
                                }
                                self.touch(i);
                            }
                        }
                        ContentBlock::Text { text } => {
                            self.push(
                                parent.clone(),
                                ItemBody::Notice {
                                    level: Level::Info,
                                    text,
                                },
                            );
                        }
                        _ => {}
                    }
                }
            }
            UserContent::Text(text) if !line.is_replay => {
                self.push(
                    parent,
                    ItemBody::Notice {
                        level: Level::Info,
                        text,
                    },
                );
            }
            UserContent::Text(_) => {}
        }
    }

    /// The end of a turn: what it cost and how it ended; unanswered permission questions expire.
    fn on_result(&mut self, result: TurnResult) {
        self.end_streaming();
        for i in self.by_permission.values().copied().collect::<Vec<_>>() {
            self.settle_permission(i, PermissionState::Expired);
        }
        let turn_cost = if result.total_cost_usd >= self.process_cost {
            result.total_cost_usd - self.process_cost
        } else {
            result.total_cost_usd
        };
        self.process_cost = result.total_cost_usd;
        let usage = result.usage.unwrap_or_default();
        let message = result.is_error.then(|| {
            result
                .result
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| result.errors.join("; "))
        });
        self.push(
            None,
            ItemBody::TurnEnd {
                cost_usd: turn_cost,
                duration_ms: result.duration_ms,
                input_tokens: usage.input_tokens
                    + usage.cache_read_input_tokens
                    + usage.cache_creation_input_tokens,
                output_tokens: usage.output_tokens,
                is_error: result.is_error,
                terminal_reason: result.terminal_reason,
                message,
            },
        );
    }

    /// A permission question from the CLI (`can_use_tool`).
    fn on_control_request(&mut self, request: ControlRequest) {
        if let codec::ControlRequestBody::CanUseTool {
            tool_name,
            input,
            tool_use_id,
            description,
            blocked_path,
        } = request.request
        {
            let reason = description.or(blocked_path.map(|p| format!("Path: {p}")));
            let index = self.push(
                None,
                ItemBody::Permission {
                    request_id: request.request_id.clone(),
                    tool_use_id,
                    tool_name,
                    input,
                    reason,
                    state: PermissionState::Pending,
                    merged: false,
                },
            );
            self.by_permission.insert(request.request_id, index);
        }
    }
}
