//! Instances: lifecycle, turns, permissions, interrupts, crashes, replay, limits.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn a_prompt_streams_and_completes_a_turn() {
    let server = TestServer::start(&[]).await;
    let instance = server
        .create(json!({"prompt": "hello there", "name": "first"}))
        .await;
    assert_eq!(instance["name"], "first");
    assert_eq!(instance["status"], "starting");
    let id = instance["id"].as_str().unwrap().to_string();
    let mut ws = server
        .ws(&format!("/ws/instances/{id}/stream?since=0"))
        .await;
    let result = ws.until("a result", is_result).await;
    assert_eq!(result["data"]["is_error"], false, "{result}");
    assert_eq!(
        result_text(&ws.frames, 1),
        "Hello from fake API (user messages in context: 1)."
    );
    // Token by token: text deltas arrived before the result.
    assert!(ws.frames.iter().any(
        |f| f["kind"] == "stream_event" && f["data"]["event"]["delta"]["type"] == "text_delta"
    ));
    // The init line carries the session id Flotilla chose.
    let init = ws
        .until("system/init", |f| {
            f["kind"] == "system" && f["data"]["subtype"] == "init"
        })
        .await;
    assert_eq!(init["data"]["session_id"], instance["session_id"]);
    // Seqs are 1, 2, 3, ... with no gap.
    let seqs: Vec<u64> = ws
        .frames
        .iter()
        .map(|f| f["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    let idle = server.wait_status(&id, "idle").await;
    assert!(idle["cost_usd"].as_f64().unwrap() > 0.0, "{idle}");
    assert!(idle["pid"].as_u64().is_some());
    let (status, list) = server.get("/api/instances").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
}
