//! Limits (rate, body size, slow clients), TLS, the audit log, and secrets that never leak.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn rate_body_size_and_slow_clients_are_limited() {
    let server = TestServer::start(&[
        "--rate-limit",
        "5",
        "--rate-burst",
        "5",
        "--max-body-mb",
        "1",
        "--body-timeout-secs",
        "1",
    ])
    .await;
    // A burst, then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..20 {
        let res = server
            .http
            .get(format!("{}/api/instances", server.url))
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("the 20th request at the latest is refused");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    tokio::time::sleep(Duration::from_secs(retry)).await;

    // A body over the limit: 413, as JSON, before anything runs.
    let big = "x".repeat(1024 * 1024 + 10);
    let res = server
        .http
        .post(format!("{}/api/instances", server.url))
        .json(&json!({"cwd": big}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "payload_too_large");

    // A client that announces a body and never sends it is cut off (408), not waited for.
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/instances HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"cwd\":",
        server.token
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let started = std::time::Instant::now();
    let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut answer))
        .await
        .expect("the server answers a stalled body")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn tls_serves_https_with_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (scripts/setup.sh installs it)");
    assert!(out.status.success(), "{out:?}");
    let server = TestServer::start_tls(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ])
    .await;
    assert!(server.url.starts_with("https://"));
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let res = client
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    flotilla_cli(
        server.data_dir.path(),
        &["user", "set-password"],
        Some("correct horse battery staple\n"),
    )
    .await;
    let res = client
        .post(format!("{}/api/fn/login", server.url))
        .json(&json!({"username": "owner", "password": "correct horse battery staple"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-flotilla_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Plain HTTP to the TLS port gets nowhere.
    let plain = reqwest::Client::new()
        .get(server.url.replace("https://", "http://") + "/healthz")
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
}

#[tokio::test]
async fn every_change_is_in_the_audit_log() {
    let server = TestServer::start(&[]).await;
    let instance = server.create(json!({"name": "audited"})).await;
    let id = id_of(&instance);
    let (status, _) = server
        .post(&format!("/api/instances/{id}/stop"), json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .post("/api/instances", json!({"cwd": "relative"}))
        .await;
    assert_eq!(status, 422);
    // Interactive commands over the WebSocket too.
    let mut ws = server.ws(&format!("/ws/instances/{id}/interact")).await;
    ws.send(json!({"type": "interrupt"})).await;
    ws.answer().await;
    let (status, page) = server.get("/api/audit?limit=10").await;
    assert_eq!(status, 200);
    let entries = page["entries"].as_array().unwrap();
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {entries:?}"))
            .clone()
    };
    let stop = find("POST /api/instances/{id}/stop");
    assert_eq!(stop["actor"], "token:tests");
    assert_eq!(stop["target"], format!("/api/instances/{id}/stop"));
    assert_eq!(stop["client_ip"], "127.0.0.1");
    assert_eq!(stop["result"], "ok");
    assert_eq!(stop["status"], 200);
    let refused = entries
        .iter()
        .find(|e| e["action"] == "POST /api/instances" && e["result"] == "error")
        .expect("the refused create");
    assert_eq!(refused["status"], 422);
    assert!(refused["detail"].as_str().unwrap().contains("absolute"));
    let interrupt = find("ws interrupt");
    assert_eq!(interrupt["target"], id);
    // Reads are not recorded.
    assert!(entries
        .iter()
        .all(|e| !e["action"].as_str().unwrap().starts_with("GET")));
    // The export is JSON lines, oldest first.
    let res = server
        .http
        .get(format!("{}/api/audit/export", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let text = res.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 4);
    assert!(lines
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
    assert_eq!(
        lines[0]["action"], "token create",
        "the harness's token, made with the CLI"
    );
    assert_eq!(lines[0]["actor"], "cli");
}

#[tokio::test]
async fn a_planted_secret_never_leaves_its_box() {
    const SECRET: &str = "sk-planted-7f3a9c1e5b2d8f4a6c0e";
    let mut server = TestServer::start(&[]).await;
    let repo = server.work.path().join("repo");
    init_repo(&repo);
    let (status, project) = server
        .post(
            "/api/projects",
            json!({"name": "vault", "path": repo.display().to_string()}),
        )
        .await;
    assert_eq!(status, 201);
    let pid = id_of(&project);
    let mut responses = Vec::new();
    let (status, body) = server
        .put(
            &format!("/api/projects/{pid}/env/PLANTED_TOKEN"),
            json!({"value": SECRET, "secret": true}),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    responses.push(body);
    // A run script proves the secret still reaches what needs it (without printing it).
    let (status, body) = server
        .put(
            &format!("/api/projects/{pid}"),
            json!({"run_script": "printf %s \"$PLANTED_TOKEN\" | sha256sum > secret.sha"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // An instance in the project gets it in its environment.
    let instance = server
        .create(json!({"project_id": pid, "prompt": "hello"}))
        .await;
    let iid = id_of(&instance);
    server.wait_status(&iid, "idle").await;
    for path in [
        format!("/api/projects/{pid}"),
        format!("/api/projects/{pid}/env"),
        format!("/api/instances/{iid}"),
        format!("/api/instances/{iid}/events"),
        "/api/audit".into(),
        "/api/instances".into(),
    ] {
        let (_, body) = server.get(&path).await;
        responses.push(body);
    }
    let (status, run) = server
        .post(&format!("/api/projects/{pid}/run"), json!({}))
        .await;
    assert!(status < 300, "{status} {run}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !repo.join("secret.sha").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run script did not run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let expected = {
        use std::io::Write;
        let mut child = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(SECRET.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    assert_eq!(
        std::fs::read_to_string(repo.join("secret.sha")).unwrap(),
        expected
    );
    std::fs::remove_file(repo.join("secret.sha")).unwrap();

    // Rotating the key (server stopped) keeps the secret usable and changes every ciphertext.
    server.terminate().await;
    let out = flotilla_cli(server.data_dir.path(), &["secrets", "rotate-key"], None).await;
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Re-encrypted 2 secrets"),
        "{out:?}"
    );
    let server = server.restart(&[]).await;
    let (status, _) = server
        .post(&format!("/api/projects/{pid}/run"), json!({}))
        .await;
    assert!(status < 300);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !repo.join("secret.sha").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run script did not run after rotation"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        std::fs::read_to_string(repo.join("secret.sha")).unwrap(),
        expected
    );
    // While it runs, the key cannot be rotated under it.
    let out = flotilla_cli(server.data_dir.path(), &["secrets", "rotate-key"], None).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop it first"));

    // Nowhere: not in an answer, a log line, or the database files.
    for body in &responses {
        assert!(!body.to_string().contains(SECRET), "in a response: {body}");
    }
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(!logs.contains(SECRET), "in the log");
    for file in ["flotilla.db", "flotilla.db-wal"] {
        let bytes = std::fs::read(server.data_dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "in {file}"
        );
    }
}
