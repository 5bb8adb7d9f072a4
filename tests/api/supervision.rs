//! The supervisor keeps processes in hand: crashes restarted on the same session, crash loops
//! stopped, nothing left behind when the server stops, instances resumable after a restart, the
//! memory cap.

use crate::support::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_killed_process_comes_back_with_the_same_session() {
    let server = TestServer::start(&["--restart-backoff-ms", "200"]).await;
    let instance = server.create(json!({"prompt": "remember me"})).await;
    let id = id_of(&instance);
    let mut ws = server.ws(&format!("/ws/instances/{id}/interact")).await;
    ws.until("the first result", is_result).await;
    let before = server.wait_status(&id, "idle").await;
    let pid = before["pid"].as_u64().unwrap() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let after = server
        .wait_instance(&id, "a restarted process", |i| {
            i["status"] == "idle"
                && i["restarts"] == 1
                && i["pid"].as_i64().is_some_and(|p| p != pid as i64)
        })
        .await;
    assert_eq!(after["session_id"], instance["session_id"]);
    ws.until("the exit event", |f| {
        f["kind"] == "flotilla" && f["data"]["event"] == "exited" && f["data"]["signal"] == 9
    })
    .await;
    ws.until("a resumed spawn", |f| {
        f["kind"] == "flotilla" && f["data"]["event"] == "spawned" && f["data"]["resumed"] == true
    })
    .await;
    ws.send(json!({"type": "query", "prompt": "do you remember?"}))
        .await;
    ws.until("the conversation continued", |f| {
        is_result(f)
            && f["data"]["result"]
                .as_str()
                .unwrap_or("")
                .contains("context: 2")
    })
    .await;
}

#[tokio::test]
async fn a_crash_loop_ends_in_failed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let crasher = script(
        dir.path(),
        "claude",
        "echo 'boom: cannot start' >&2\nexit 3",
    );
    let server = TestServer::start_with(
        &["--restart-max-crashes", "3", "--restart-backoff-ms", "50"],
        &crasher,
    )
    .await;
    let id = id_of(&server.create(json!({})).await);
    let failed = server.wait_status(&id, "failed").await;
    let reason = failed["status_reason"].as_str().unwrap();
    assert!(reason.contains("crashed 3 times"), "{reason}");
    assert!(reason.contains("exit code 3"), "{reason}");
    assert!(reason.contains("boom: cannot start"), "{reason}");
    assert_eq!(failed["restarts"], 2);
    assert!(failed["pid"].is_null());
    // It stays failed: no more restarts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.get(&format!("/api/instances/{id}")).await.1["restarts"],
        2
    );
}

#[tokio::test]
async fn stopping_the_server_leaves_no_process_behind() {
    let dir = tempfile::tempdir().unwrap();
    // A claude that also leaves a grandchild in its process group.
    let real = claude_bin();
    let wrapper = script(
        dir.path(),
        "claude",
        &format!("sleep 300 &\nexec {} \"$@\"", real.display()),
    );
    let mut server = TestServer::start_with(&[], &wrapper).await;
    let a = id_of(&server.create(json!({"prompt": "one"})).await);
    let b = id_of(&server.create(json!({"prompt": "fake:slow 500 20"})).await);
    server.wait_status(&a, "idle").await;
    let pids: Vec<u32> = [
        server.wait_status(&a, "idle").await,
        server.wait_status(&b, "running").await,
    ]
    .iter()
    .map(|i| i["pid"].as_u64().unwrap() as u32)
    .collect();
    for pid in &pids {
        assert!(group_alive(*pid));
    }
    let status = server.terminate().await;
    assert!(status.success(), "flotilla exited with {status}");
    for pid in pids {
        assert!(!group_alive(pid), "process group {pid} survived the server");
    }
}

#[tokio::test]
async fn the_server_stops_cleanly_even_when_its_log_pipes_are_gone() {
    let mut server = TestServer::start(&[]).await;
    let id = id_of(&server.create(json!({"prompt": "hi"})).await);
    let pid = server.wait_status(&id, "idle").await["pid"]
        .as_u64()
        .unwrap() as u32;
    server.close_logs().await;
    // Make it log something into the closed pipes before it is asked to stop.
    server
        .post(
            &format!("/api/instances/{id}/query"),
            json!({"prompt": "more"}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = server.terminate().await;
    assert!(status.success(), "flotilla exited with {status}");
    assert!(!group_alive(pid), "claude survived the server");
}

#[tokio::test]
async fn instances_survive_a_server_restart_as_resumable() {
    let server = TestServer::start(&[]).await;
    let instance = server.create(json!({"prompt": "before restart"})).await;
    let id = id_of(&instance);
    server
        .wait_instance(&id, "the first turn", |i| {
            i["status"] == "idle" && i["cost_usd"].as_f64() > Some(0.0)
        })
        .await;
    let cost = server.get(&format!("/api/instances/{id}")).await.1["cost_usd"]
        .as_f64()
        .unwrap();
    let server = server.restart(&[]).await;
    let stopped = server.wait_status(&id, "stopped").await;
    assert!(
        stopped["status_reason"]
            .as_str()
            .unwrap()
            .contains("resume"),
        "{stopped}"
    );
    assert_eq!(stopped["cost_usd"].as_f64().unwrap(), cost);
    // A stopped instance does not take prompts until resumed.
    let (status, body) = server
        .post(
            &format!("/api/instances/{id}/query"),
            json!({"prompt": "x"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("conflict")));
    let (status, resumed) = server
        .post(&format!("/api/instances/{id}/resume"), json!({}))
        .await;
    assert_eq!(status, 200, "{resumed}");
    assert_eq!(resumed["session_id"], instance["session_id"]);
    let (status, _) = server
        .post(
            &format!("/api/instances/{id}/query"),
            json!({"prompt": "after"}),
        )
        .await;
    assert_eq!(status, 202);
    let mut ws = server.ws(&format!("/ws/instances/{id}/stream")).await;
    ws.until("the resumed conversation", |f| {
        is_result(f)
            && f["data"]["result"]
                .as_str()
                .unwrap_or("")
                .contains("context: 2")
    })
    .await;
    // Events recorded before the restart are still there, and seqs continue without a gap.
    let seqs: Vec<u64> = ws
        .frames
        .iter()
        .map(|f| f["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(ws.frames.iter().filter(|f| is_result(f)).count(), 2);
}

#[tokio::test]
async fn the_memory_cap_stops_an_instance_that_exceeds_it() {
    let server =
        TestServer::start(&["--instance-memory-mb", "20", "--sample-interval-ms", "200"]).await;
    let id = id_of(&server.create(json!({"prompt": "hi"})).await);
    let failed = server.wait_status(&id, "failed").await;
    assert!(
        failed["status_reason"]
            .as_str()
            .unwrap()
            .contains("memory cap"),
        "{failed}"
    );
    assert!(failed["pid"].is_null());
}
