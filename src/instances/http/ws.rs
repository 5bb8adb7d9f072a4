//! WebSockets: an instance's event stream (read-only, or interactive) and the live list.
//!
//! A viewer pumps [`Supervisor::follow`]: stored frames with `seq > since`, then live ones, with
//! no gap and no duplicate (the merge lives in the engine, so every consumer gets it).

use super::PermissionAnswer;
use crate::auth::audit::Audit;
use crate::auth::Identity;
use crate::error::AppError;
use crate::instances::engine::follow::Followed;
use crate::instances::engine::frame::Frame;
use crate::instances::engine::Supervisor;
use crate::instances::types::{ClientMessage, ListUpdate, SocketAnswer};
use crate::server::extract::ApiQuery;
use crate::server::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use futures::stream::{SplitSink, StreamExt};
use futures::SinkExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Deserialize)]
pub struct Since {
    #[serde(default)]
    since: u64,
}

pub async fn stream(
    ws: WebSocketUpgrade,
    state: State<AppState>,
    id: Path<String>,
    since: ApiQuery<Since>,
) -> Result<Response, AppError> {
    upgrade(ws, state, id, since, None)
}

pub async fn interact(
    ws: WebSocketUpgrade,
    state: State<AppState>,
    id: Path<String>,
    since: ApiQuery<Since>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    let actor = Actor {
        name: identity.principal.actor(),
        ip: identity.client_ip.to_string(),
        audit: state.auth.audit().clone(),
    };
    upgrade(ws, state, id, since, Some(actor))
}

/// Who drives an interactive socket; every command they send goes into the audit log.
#[derive(Clone)]
struct Actor {
    name: String,
    ip: String,
    audit: Audit,
}

/// Refuses an unknown instance before the upgrade (a plain 404), then serves the viewer.
fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<Since>,
    actor: Option<Actor>,
) -> Result<Response, AppError> {
    state.instances.get(&id)?;
    Ok(ws.on_upgrade(move |socket| {
        view(
            socket,
            state.instances.clone(),
            id,
            q.since,
            actor,
            state.shutdown.clone(),
        )
    }))
}

type Sink = SplitSink<WebSocket, Message>;

/// Serves one viewer until it leaves, the instance is deleted or the server stops.
async fn view(
    socket: WebSocket,
    supervisor: Supervisor,
    id: String,
    since: u64,
    actor: Option<Actor>,
    shutdown: CancellationToken,
) {
    let (mut sink, mut incoming) = socket.split();
    let mut frames = Box::pin(supervisor.follow(&id, since));
    // Answers to client messages come back here, so a slow command never holds up frames.
    let (answers_tx, mut answers) = mpsc::channel::<String>(16);
    loop {
        tokio::select! {
            followed = frames.next() => match followed {
                Some(Followed::Frames(batch)) => {
                    // A batch goes out in one write.
                    for frame in &batch {
                        if feed_frame(&mut sink, frame).await.is_err() {
                            return;
                        }
                    }
                    if flush(&mut sink).await.is_err() {
                        return;
                    }
                }
                Some(Followed::Deleted) | None => {
                    close(&mut sink, 1000, "the instance was deleted").await;
                    return;
                }
                Some(Followed::Failed(e)) => {
                    tracing::error!(instance = %id, error = %e, "replay failed");
                    close(&mut sink, 1011, "the event store cannot be read").await;
                    return;
                }
            },
            message = incoming.next() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    if let Some(actor) = &actor {
                        tokio::spawn(handle_client_message(supervisor.clone(), id.clone(), text.to_string(), answers_tx.clone(), actor.clone()));
                    } else {
                        let error = SocketAnswer::Error {
                            request: None,
                            error: "bad_request".into(),
                            message: "this stream is read-only; send messages on /ws/instances/{id}/interact".into(),
                        };
                        if send_json(&mut sink, &error).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(_)) => {} // Pings are answered by the WebSocket layer.
            },
            Some(answer) = answers.recv() => {
                if sink.send(Message::Text(answer.into())).await.is_err() {
                    return;
                }
            }
            _ = shutdown.cancelled() => {
                close(&mut sink, 1001, "the server is shutting down").await;
                return;
            }
        }
    }
}

/// Queues a frame on the socket without writing it yet; [`flush`] writes what is queued.
async fn feed_frame(sink: &mut Sink, frame: &Frame) -> Result<(), ()> {
    let text = Utf8Bytes::try_from(frame.json.clone()).map_err(|_| ())?;
    sink.feed(Message::Text(text)).await.map_err(|_| ())
}

async fn flush(sink: &mut Sink) -> Result<(), ()> {
    sink.flush().await.map_err(|_| ())
}

async fn close(sink: &mut Sink, code: u16, reason: &'static str) {
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// Carries out one client message and sends back `{"type":"ack"}` or `{"type":"error"}`.
async fn handle_client_message(
    supervisor: Supervisor,
    id: String,
    text: String,
    answers: mpsc::Sender<String>,
    actor: Actor,
) {
    let message: ClientMessage = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            let error = AppError::BadRequest(format!("not a valid client message: {e}"));
            let _ = answers.send(error_json(None, &error)).await;
            return;
        }
    };
    let (what, result) = match message {
        ClientMessage::Query { prompt } => ("query", supervisor.query(&id, prompt).await),
        ClientMessage::Interrupt => ("interrupt", supervisor.interrupt(&id).await),
        ClientMessage::Permission {
            request_id,
            behavior,
            message,
            updated_input,
        } => {
            let decision = PermissionAnswer::decision(behavior, message, updated_input);
            (
                "permission",
                supervisor
                    .answer_permission(&id, request_id, decision)
                    .await,
            )
        }
        ClientMessage::SetModel { model } => ("set_model", supervisor.set_model(&id, model).await),
        ClientMessage::SetPermissionMode { mode } => (
            "set_permission_mode",
            supervisor.set_permission_mode(&id, mode).await,
        ),
    };
    let (answer, status, detail) = match result {
        Ok(()) => (
            answer_json(&SocketAnswer::Ack {
                request: what.into(),
            }),
            200,
            None,
        ),
        Err(e) => {
            let error = AppError::from(e);
            let status = error.status().as_u16();
            (
                error_json(Some(what), &error),
                status,
                Some(error.message().to_string()),
            )
        }
    };
    actor
        .audit
        .record(
            &actor.name,
            &format!("ws {what}"),
            Some(&id),
            Some(&actor.ip),
            status,
            detail.as_deref(),
        )
        .await;
    let _ = answers.send(answer).await;
}

fn error_json(request: Option<&str>, error: &AppError) -> String {
    answer_json(&SocketAnswer::Error {
        request: request.map(str::to_string),
        error: error.code().to_string(),
        message: error.message().to_string(),
    })
}

fn answer_json(answer: &SocketAnswer) -> String {
    serde_json::to_string(answer).unwrap_or_default()
}

/// `/ws/instances`: the whole list, then every change to it.
pub async fn list_feed(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.on_upgrade(move |socket| feed(socket, state.instances.clone(), state.shutdown.clone()))
}

async fn feed(socket: WebSocket, supervisor: Supervisor, shutdown: CancellationToken) {
    let (mut sink, mut incoming) = socket.split();
    let mut updates = supervisor.bus().subscribe_list();
    let snapshot = |s: &Supervisor| ListUpdate::Snapshot {
        instances: s.list(),
    };
    if send_json(&mut sink, &snapshot(&supervisor)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            update = updates.recv() => {
                let message = match update {
                    Ok(update) => update,
                    Err(RecvError::Lagged(_)) => snapshot(&supervisor),
                    Err(RecvError::Closed) => return,
                };
                if send_json(&mut sink, &message).await.is_err() {
                    return;
                }
            }
            message = incoming.next() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            _ = shutdown.cancelled() => {
                close(&mut sink, 1001, "the server is shutting down").await;
                return;
            }
        }
    }
}

async fn send_json(sink: &mut Sink, value: &impl serde::Serialize) -> Result<(), ()> {
    let text = serde_json::to_string(value).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}
