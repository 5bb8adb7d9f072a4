//! What the `claude` process writes: each stdout line stored verbatim, then applied to the
//! instance's state (session, model, turn, cost, permission questions, control answers).

use super::{Actor, PendingControl, PendingPermission};
use crate::base::clock::now_ms;
use crate::base::error::DomainError;
use crate::instances::codec::{self, CliMessage, ControlRequestBody, Decoded};
use crate::instances::types::FlotillaEvent;
use serde_json::json;
use tokio::time::Instant;

impl Actor {
    pub(super) async fn on_stdout(&mut self, line: String) {
        self.last_output_at = Some(now_ms());
        match codec::decode(&line) {
            Decoded::Malformed { error } => {
                tracing::debug!(instance = %self.id, %error, "malformed line from claude");
                let data = serde_json::to_string(&line).unwrap_or_else(|_| "\"\"".into());
                self.emit("malformed", data).await;
            }
            Decoded::Message(message) => {
                // Stored verbatim first; what Flotilla does about it comes after.
                self.emit(message.kind().to_string().as_str(), line).await;
                self.apply(message).await;
            }
        }
    }

    /// Updates the instance from what the CLI said.
    async fn apply(&mut self, message: CliMessage) {
        if !self.ready {
            self.ready = true;
            self.dirty = true;
        }
        if matches!(
            message,
            CliMessage::SystemInit(_)
                | CliMessage::Result(_)
                | CliMessage::ControlRequest(_)
                | CliMessage::ControlResponse(_)
        ) {
            self.dirty = true;
        }
        match message {
            CliMessage::SystemInit(init) => {
                if !init.model.is_empty() {
                    self.effective_model = Some(init.model);
                }
                if !init.permission_mode.is_empty() {
                    self.record.permission_mode = init.permission_mode;
                }
            }
            CliMessage::Result(result) => {
                self.turn_running = false;
                self.permissions.clear();
                self.cost_process = result.total_cost_usd;
                self.record.last_active_at = now_ms();
                if let Some(next) = self.queue.pop_front() {
                    self.write_prompt(next).await;
                }
            }
            CliMessage::ControlRequest(request) => match request.request {
                ControlRequestBody::CanUseTool { input, .. } => {
                    let deadline = Instant::now() + self.ctx.config.permission_timeout;
                    self.permissions
                        .insert(request.request_id, PendingPermission { deadline, input });
                }
                ControlRequestBody::Other => {
                    // Flotilla does not serve hooks or SDK MCP servers: say so, so the CLI does
                    // not wait forever.
                    let answer = json!({"type": "control_response", "response": {
                        "subtype": "error", "request_id": request.request_id,
                        "error": "Flotilla does not support this control request"}});
                    self.write(answer).await;
                }
            },
            CliMessage::ControlResponse(response) => {
                let body = response.response;
                let error = (body.subtype != "success").then(|| {
                    body.error
                        .clone()
                        .unwrap_or_else(|| "request failed".into())
                });
                match self.controls.remove(&body.request_id) {
                    Some(PendingControl::SetModel(model, reply)) => {
                        if error.is_none() {
                            self.effective_model = body
                                .response
                                .as_ref()
                                .and_then(|r| r["model"].as_str())
                                .map(str::to_string)
                                .or_else(|| Some(model.clone()));
                            self.record.model = Some(model);
                        }
                        self.replies.push((
                            reply,
                            error.map_or(Ok(()), |e| {
                                Err(DomainError::Conflict(format!("Claude Code refused: {e}")))
                            }),
                        ));
                    }
                    Some(PendingControl::SetPermissionMode(mode, reply)) => {
                        if error.is_none() {
                            self.record.permission_mode = mode;
                        }
                        self.replies.push((
                            reply,
                            error.map_or(Ok(()), |e| {
                                Err(DomainError::Conflict(format!("Claude Code refused: {e}")))
                            }),
                        ));
                    }
                    Some(PendingControl::Initialize | PendingControl::Interrupt) | None => {
                        if let Some(e) = error {
                            self.emit_flotilla(&FlotillaEvent::Notice {
                                level: "warning".into(),
                                message: format!("Claude Code refused a request: {e}"),
                            })
                            .await;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
