//! What the actor does with the supervisor's commands: prompts, interrupts, permission answers,
//! model and mode changes, stops and deletes.

use super::{Actor, Command, PendingControl};
use crate::base::clock::now_ms;
use crate::base::error::DomainError;
use crate::instances::codec::{self, PermissionDecision};
use crate::instances::types::FlotillaEvent;
use serde_json::json;
use tokio::time::Instant;

impl Actor {
    pub(super) async fn on_command(&mut self, command: Command) {
        match command {
            Command::Query { prompt, reply } => {
                let result = self.query(prompt).await;
                self.replies.push((reply, result));
            }
            Command::Interrupt { reply } => {
                let result = if self.turn_running && self.proc.is_some() {
                    let id = self.request_id("interrupt");
                    self.controls.insert(id.clone(), PendingControl::Interrupt);
                    self.write(codec::control_request(&id, "interrupt", json!({})))
                        .await;
                    Ok(())
                } else {
                    Err(DomainError::Conflict("no turn is running".into()))
                };
                self.replies.push((reply, result));
            }
            Command::Permission {
                request_id,
                decision,
                reply,
            } => {
                let result = self.answer_permission(&request_id, decision).await;
                self.replies.push((reply, result));
            }
            Command::SetModel { model, reply } => {
                if self.proc.is_some() {
                    let id = self.request_id("set_model");
                    self.write(codec::control_request(
                        &id,
                        "set_model",
                        json!({"model": model}),
                    ))
                    .await;
                    self.controls
                        .insert(id, PendingControl::SetModel(model, reply));
                } else {
                    self.record.model = Some(model);
                    self.effective_model = None;
                    self.replies.push((reply, Ok(())));
                }
            }
            Command::SetPermissionMode { mode, reply } => {
                if self.proc.is_some() {
                    let id = self.request_id("set_permission_mode");
                    self.write(codec::control_request(
                        &id,
                        "set_permission_mode",
                        json!({"mode": mode}),
                    ))
                    .await;
                    self.controls
                        .insert(id, PendingControl::SetPermissionMode(mode, reply));
                } else {
                    self.record.permission_mode = mode;
                    self.replies.push((reply, Ok(())));
                }
            }
            Command::Resume { reply } => {
                let result = if self.proc.is_some() {
                    Err(DomainError::Conflict(
                        "the instance is already running".into(),
                    ))
                } else {
                    self.failed = None;
                    self.stop_reason = None;
                    self.crashes.clear();
                    self.restart_at = None;
                    let started = self.start_process().await;
                    if let Err(e) = &started {
                        self.fail(e.to_string()).await;
                    }
                    started
                };
                self.replies.push((reply, result));
            }
            Command::Stop { reason, reply } => {
                self.stop_process(reason).await;
                self.replies.push((reply, Ok(())));
            }
            Command::Delete { reply } => {
                self.stop_process(Some("deleted".into())).await;
                self.deleted = true;
                self.replies.push((reply, Ok(())));
            }
            Command::Usage {
                rss_bytes,
                cpu_percent,
            } => {
                self.rss_bytes = rss_bytes;
                self.cpu_percent = cpu_percent;
                let cap = self.ctx.config.memory_cap_bytes;
                if cap > 0 && rss_bytes > cap && self.proc.is_some() {
                    let reason = format!(
                        "memory cap exceeded: the process group used {} MiB, the cap is {} MiB",
                        rss_bytes >> 20,
                        cap >> 20
                    );
                    tracing::warn!(instance = %self.id, "{reason}");
                    self.failed = Some(reason);
                    self.stop_process(None).await;
                }
            }
        }
    }

    async fn query(&mut self, prompt: String) -> Result<(), DomainError> {
        if self.proc.is_none() && self.restart_at.is_none() {
            return Err(DomainError::Conflict(
                "the instance is not running; resume it first".into(),
            ));
        }
        if self.proc.is_some() && !self.turn_running {
            self.write_prompt(prompt).await;
        } else {
            // A turn is running (or the process is restarting): the prompt waits its turn.
            self.queue.push_back(prompt);
        }
        Ok(())
    }

    pub(super) async fn write_prompt(&mut self, prompt: String) {
        self.turn_running = true;
        self.record.last_active_at = now_ms();
        self.write(codec::user_turn(&prompt)).await;
    }

    async fn answer_permission(
        &mut self,
        request_id: &str,
        decision: PermissionDecision,
    ) -> Result<(), DomainError> {
        let Some(pending) = self.permissions.remove(request_id) else {
            return Err(DomainError::NotFound(format!(
                "no permission request {request_id} is waiting (it may have been answered or timed out)"
            )));
        };
        // "Allow" without a changed input runs the tool with the input Claude asked for.
        let decision = match decision {
            PermissionDecision::Allow { updated_input } if updated_input.is_null() => {
                PermissionDecision::Allow {
                    updated_input: pending.input,
                }
            }
            other => other,
        };
        self.write(codec::permission_response(request_id, &decision))
            .await;
        Ok(())
    }

    pub(super) async fn expire_permissions(&mut self) {
        let now = Instant::now();
        let expired: Vec<String> = self
            .permissions
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        let secs = self.ctx.config.permission_timeout.as_secs();
        for request_id in expired {
            self.permissions.remove(&request_id);
            let message = format!("No answer within {secs} s; denied by Flotilla.");
            self.write(codec::permission_response(
                &request_id,
                &PermissionDecision::Deny { message },
            ))
            .await;
            self.emit_flotilla(&FlotillaEvent::PermissionTimeout { request_id })
                .await;
        }
    }
}
