//! A scriptable fake of the Anthropic Messages API, on 127.0.0.1 (port 0), for running the real
//! `claude` CLI in tests.
//!
//! It answers `POST /v1/messages` with Server-Sent Events in the order the real API uses
//! (`message_start`, `content_block_start`, `content_block_delta`..., `content_block_stop`,
//! `message_delta`, `message_stop`). What it answers is scripted by lines in the user's prompt:
//!
//! ```text
//! fake:text Some words          reply with this text
//! fake:write /abs/path words    call the Write tool (file_path, content)
//! fake:bash some command        call the Bash tool
//! fake:slow 40 50               stream 40 text chunks, 50 ms apart
//! fake:error 400                answer HTTP 400 (or any status) with an API error body
//! fake:task words               call the Task tool (a sub-agent, which then replies "words")
//! fake:code rust                reply with a fenced code block in that language
//! ```
//!
//! Each `fake:` line is one assistant reply; a reply that calls a tool is followed by the next
//! line once the CLI sends the tool result. When the lines run out the reply is `Done.`; a prompt
//! without `fake:` lines gets `Hello from fake API (user messages in context: N).`, where N counts
//! the user's prompts in the conversation (so a resumed conversation shows it kept its context).

#![allow(dead_code)] // Each test binary uses a different part.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Default)]
struct Shared {
    /// Makes this fake's message and request ids its own (two fakes never repeat one).
    run: String,
    counter: AtomicU64,
    requests: Mutex<Vec<Value>>,
}

/// A running fake API. Dropping it stops the server.
pub struct FakeAnthropic {
    pub url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeAnthropic {
    pub async fn start() -> Self {
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let shared = Arc::new(Shared {
            run: format!("{run:x}"),
            ..Default::default()
        });
        let app = Router::new()
            .route("/v1/messages", post(messages))
            .fallback(|uri: axum::http::Uri| async move {
                (
                    StatusCode::NOT_FOUND,
                    Json(json!({"type": "error", "error": {"type": "not_found_error", "message": format!("fake API has no {uri}")}})),
                )
            })
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake API");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        FakeAnthropic {
            url,
            shared,
            stop: Some(stop),
        }
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// The environment that points a `claude` process at this fake and nothing else.
    pub fn claude_env(&self) -> Vec<(String, String)> {
        vec![
            ("ANTHROPIC_BASE_URL".into(), self.url.clone()),
            ("ANTHROPIC_API_KEY".into(), "sk-fake-key".into()),
            (
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC".into(),
                "1".into(),
            ),
            ("DISABLE_TELEMETRY".into(), "1".into()),
        ]
    }
}

impl Drop for FakeAnthropic {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// One scripted step.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Text(String),
    Write { path: String, content: String },
    Bash(String),
    Slow { chunks: usize, delay_ms: u64 },
    Error(u16),
    Task(String),
    Code(String),
}

fn parse_steps(prompt: &str) -> Vec<Step> {
    prompt
        .lines()
        .filter_map(|line| line.trim().strip_prefix("fake:"))
        .filter_map(|rest| {
            let (verb, arg) = rest.split_once(' ').unwrap_or((rest, ""));
            let arg = arg.trim();
            Some(match verb {
                "text" => Step::Text(arg.to_string()),
                "write" => {
                    let (path, content) = arg.split_once(' ').unwrap_or((arg, ""));
                    Step::Write {
                        path: path.to_string(),
                        content: content.to_string(),
                    }
                }
                "bash" => Step::Bash(arg.to_string()),
                "slow" => {
                    let mut it = arg
                        .split_whitespace()
                        .map(|n| n.parse::<u64>().unwrap_or(0));
                    Step::Slow {
                        chunks: it.next().unwrap_or(20) as usize,
                        delay_ms: it.next().unwrap_or(100),
                    }
                }
                "error" => Step::Error(arg.parse().unwrap_or(500)),
                "task" => Step::Task(arg.to_string()),
                "code" => Step::Code(arg.to_string()),
                _ => return None,
            })
        })
        .collect()
}

/// The text blocks of a message's content (a string or a list of blocks).
fn texts(content: &Value) -> Vec<String> {
    match content {
        Value::String(s) => vec![s.clone()],
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

fn is_prompt(message: &Value) -> bool {
    message["role"] == "user"
        && match &message["content"] {
            Value::String(_) => true,
            Value::Array(blocks) => !blocks.iter().any(|b| b["type"] == "tool_result"),
            _ => false,
        }
}

/// What to answer: the step for this point of the conversation.
fn plan(body: &Value) -> (Option<Step>, usize, bool) {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let prompts = messages.iter().filter(|m| is_prompt(m)).count();
    let last_prompt = messages.iter().rposition(is_prompt);
    let Some(at) = last_prompt else {
        return (None, prompts, false);
    };
    let steps = parse_steps(&texts(&messages[at]["content"]).join("\n"));
    let replies_since = messages[at..]
        .iter()
        .filter(|m| m["role"] == "assistant")
        .count();
    (
        steps.get(replies_since).cloned(),
        prompts,
        !steps.is_empty(),
    )
}

async fn messages(State(shared): State<Arc<Shared>>, Json(body): Json<Value>) -> Response {
    if let Ok(mut r) = shared.requests.lock() {
        r.push(body.clone());
    }
    let n = shared.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let id = format!("msg_fake_{}_{n:04}", shared.run);
    // Like the real API, a request id in a header: Claude Code writes it into the transcript as
    // `requestId`, and with `message.id` it is what makes a repeated message recognisable.
    let request_id = format!("req_fake_{}_{n:04}", shared.run);
    let model = body["model"].as_str().unwrap_or("claude-fake").to_string();
    let (step, prompts, scripted) = plan(&body);
    let step = step.unwrap_or_else(|| {
        Step::Text(if scripted {
            "Done.".to_string()
        } else {
            format!("Hello from fake API (user messages in context: {prompts}).")
        })
    });
    if let Step::Error(status) = step {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = if status == StatusCode::BAD_REQUEST {
            "invalid_request_error"
        } else {
            "api_error"
        };
        return (
            status,
            Json(json!({"type": "error", "error": {"type": kind, "message": format!("fake error {}", status.as_u16())}})),
        )
            .into_response();
    }
    let input_tokens = (body.to_string().len() / 4) as u64;
    if body["stream"] != true {
        // Non-streaming calls (e.g. the auto mode's classifier) get one plain text message.
        return (
            [("request-id", request_id)],
            Json(json!({
                "id": id, "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": "ok"}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": input_tokens, "output_tokens": 1},
            })),
        )
            .into_response();
    }
    let (tx, rx) = mpsc::channel::<Result<String, std::io::Error>>(64);
    tokio::spawn(stream_reply(tx, id, model, input_tokens, step, n));
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("request-id", request_id)
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn sse(event: &Value) -> Result<String, std::io::Error> {
    Ok(format!(
        "event: {}\ndata: {}\n\n",
        event["type"].as_str().unwrap_or("message"),
        event
    ))
}

async fn stream_reply(
    tx: mpsc::Sender<Result<String, std::io::Error>>,
    id: String,
    model: String,
    input_tokens: u64,
    step: Step,
    n: u64,
) {
    let send = |v: Value| {
        let tx = tx.clone();
        async move { tx.send(sse(&v)).await.is_ok() }
    };
    let usage = json!({"input_tokens": input_tokens, "output_tokens": 1,
        "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "service_tier": "standard"});
    if !send(json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant",
        "model": model, "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage}})).await
    {
        return;
    }
    let _ = send(json!({"type": "ping"})).await;
    let tool = |name: &str, input: Value| (name.to_string(), input);
    let (text_chunks, delay, tool_call): (Vec<String>, u64, Option<(String, Value)>) = match step {
        Step::Text(t) => (chunk_words(&t), 5, None),
        Step::Code(lang) => (
            chunk_words(&format!(
                "Here is some code:\n\n```{lang}\nfn main() {{\n    println!(\"hello\");\n}}\n```\n"
            )),
            5,
            None,
        ),
        Step::Slow { chunks, delay_ms } => (
            (0..chunks).map(|i| format!("slow{i} ")).collect(),
            delay_ms,
            None,
        ),
        Step::Write { path, content } => (
            vec!["I'll write the file.".into()],
            5,
            Some(tool(
                "Write",
                json!({"file_path": path, "content": content}),
            )),
        ),
        Step::Bash(command) => (
            vec!["Running a command.".into()],
            5,
            Some(tool(
                "Bash",
                json!({"command": command, "description": "fake command"}),
            )),
        ),
        Step::Task(words) => (
            vec!["Asking a sub-agent.".into()],
            5,
            Some(tool(
                "Task",
                json!({"description": "fake sub-agent", "prompt": format!("fake:text {words}"), "subagent_type": "general-purpose"}),
            )),
        ),
        Step::Error(_) => (vec![], 0, None),
    };
    let mut output_tokens = 0u64;
    if !send(json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})).await {
        return;
    }
    for chunk in text_chunks {
        output_tokens += 1;
        if !send(json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": chunk}})).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let _ = send(json!({"type": "content_block_stop", "index": 0})).await;
    let mut stop_reason = "end_turn";
    if let Some((name, input)) = tool_call {
        stop_reason = "tool_use";
        let tool_id = format!("toolu_fake_{n:04}");
        let _ = send(json!({"type": "content_block_start", "index": 1,
            "content_block": {"type": "tool_use", "id": tool_id, "name": name, "input": {}}}))
        .await;
        let json_text = input.to_string();
        let mid = json_text.len() / 2;
        let mid = (0..=mid)
            .rev()
            .find(|i| json_text.is_char_boundary(*i))
            .unwrap_or(0);
        for part in [&json_text[..mid], &json_text[mid..]] {
            output_tokens += 1;
            let _ = send(json!({"type": "content_block_delta", "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": part}}))
            .await;
        }
        let _ = send(json!({"type": "content_block_stop", "index": 1})).await;
    }
    let _ = send(json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
        "usage": {"output_tokens": output_tokens.max(1)}}))
    .await;
    let _ = send(json!({"type": "message_stop"})).await;
}

fn chunk_words(text: &str) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for (i, word) in text.split_inclusive(' ').enumerate() {
        current.push_str(word);
        if i % 3 == 2 {
            chunks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    // Also compiled into the bench (harness = false), where #[test] functions are dropped.
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn parses_script_lines() {
        let steps = parse_steps(
            "please\nfake:write /tmp/a.txt hello world\nfake:text ok\nfake:slow 3 10\nnope",
        );
        assert_eq!(
            steps,
            vec![
                Step::Write {
                    path: "/tmp/a.txt".into(),
                    content: "hello world".into()
                },
                Step::Text("ok".into()),
                Step::Slow {
                    chunks: 3,
                    delay_ms: 10
                },
            ]
        );
    }

    #[test]
    fn plans_by_position_in_the_conversation() {
        let body = json!({"messages": [
            {"role": "user", "content": [{"type": "text", "text": "fake:bash ls\nfake:text after"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "Bash", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]},
        ]});
        assert_eq!(plan(&body).0, Some(Step::Text("after".into())));
        let plain = json!({"messages": [{"role": "user", "content": "hi"}]});
        assert_eq!(plan(&plain), (None, 1, false));
    }
}
