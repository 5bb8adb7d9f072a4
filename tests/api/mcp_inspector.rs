//! The MCP inspector through the API: against a real third-party server (server-everything)
//! over stdio and streamable HTTP, the tests' own server over stdio and HTTP, servers that hang,
//! print garbage or crash; and templates that build and answer.

use crate::mcp::{everything, test_server_script};
use crate::support::TestServer;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

async fn connect(server: &TestServer, id: &str) -> Value {
    let (status, inspection) = server
        .post(&format!("/api/mcp/servers/{id}/connection"), json!({}))
        .await;
    assert_eq!(status, 200, "{inspection}");
    inspection
}

async fn add(server: &TestServer, body: Value) -> String {
    let (status, created) = server.post("/api/mcp/servers", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_inspector_discovers_browses_and_calls_the_reference_server() {
    let server = TestServer::start(&[]).await;
    let id = add(
        &server,
        json!({"name": "everything", "scope": "user", "command": "node", "args": [everything()]}),
    )
    .await;
    let i = connect(&server, &id).await;
    assert_eq!(i["state"], "connected", "{i}");
    let d = &i["discovery"];
    assert_eq!(d["server_name"], "mcp-servers/everything");
    let tools = names(&d["tools"], "name");
    assert!(
        tools.contains(&"echo".to_string()) && tools.contains(&"get-sum".to_string()),
        "{tools:?}"
    );
    assert!(d["resources"].as_array().unwrap().len() >= 7, "{d}");
    let templates = names(&d["templates"], "uri_template");
    assert!(
        templates.contains(&"demo://resource/dynamic/text/{resourceId}".to_string()),
        "{templates:?}"
    );
    assert!(names(&d["prompts"], "name").contains(&"args-prompt".to_string()));

    let (status, call) = server
        .post(
            &format!("/api/mcp/servers/{id}/call"),
            json!({"tool": "echo", "arguments": {"message": "hi there"}}),
        )
        .await;
    assert_eq!(status, 200, "{call}");
    assert_eq!(call["is_error"], false);
    assert_eq!(call["result"]["content"][0]["text"], "Echo: hi there");
    let (_, sum) = server
        .post(
            &format!("/api/mcp/servers/{id}/call"),
            json!({"tool": "get-sum", "arguments": {"a": 2, "b": 3}}),
        )
        .await;
    assert!(
        sum["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains('5'),
        "{sum}"
    );

    let (status, text) = server
        .post(
            &format!("/api/mcp/servers/{id}/read"),
            json!({"uri": "demo://resource/dynamic/text/1"}),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert!(text[0]["text"].is_string(), "{text}");
    let (_, blob) = server
        .post(
            &format!("/api/mcp/servers/{id}/read"),
            json!({"uri": "demo://resource/dynamic/blob/1"}),
        )
        .await;
    assert!(blob[0]["blob"].is_string(), "{blob}");
    let (status, prompt) = server
        .post(
            &format!("/api/mcp/servers/{id}/prompt"),
            json!({"name": "args-prompt", "arguments": {"city": "Paris"}}),
        )
        .await;
    assert_eq!(status, 200, "{prompt}");
    assert!(prompt["messages"].to_string().contains("Paris"), "{prompt}");

    // The log has the exchange both ways and the server's stderr; the history has the calls.
    let (_, log) = server.get(&format!("/api/mcp/servers/{id}/log")).await;
    let kinds: Vec<String> = names(&log, "kind");
    assert!(
        kinds.contains(&"sent".into()) && kinds.contains(&"received".into()),
        "{kinds:?}"
    );
    assert!(
        log.to_string()
            .contains("\\\"method\\\":\\\"initialize\\\""),
        "{log}"
    );
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "stderr" && e["text"].as_str().unwrap().contains("STDIO")),
        "{log}"
    );
    let (_, since) = server
        .get(&format!("/api/mcp/servers/{id}/log?since=1000000"))
        .await;
    assert_eq!(since, json!([]));
    let (_, state) = server
        .get(&format!("/api/mcp/servers/{id}/connection"))
        .await;
    assert_eq!(state["calls"].as_array().unwrap().len(), 2);
    // The MCP page's cards: this connection, in brief.
    let (_, connections) = server.get("/api/mcp/connections").await;
    assert_eq!(connections.as_array().unwrap().len(), 1, "{connections}");
    assert_eq!(connections[0]["server_id"], id.as_str());
    assert_eq!(connections[0]["state"], "connected");
    assert_eq!(connections[0]["calls"], 2);
    assert!(connections[0]["tools"].as_u64().unwrap() >= 10);

    // Test connection, then disconnect: the program goes away.
    let (_, tested) = server
        .post(&format!("/api/mcp/servers/{id}/test"), json!({}))
        .await;
    assert_eq!(tested["ok"], true, "{tested}");
    assert!(tested["tools"].as_u64().unwrap() >= 10);
    let (status, closed) = server
        .delete(&format!("/api/mcp/servers/{id}/connection"))
        .await;
    assert_eq!((status, closed["state"].as_str()), (200, Some("closed")));
    let (_, connections) = server.get("/api/mcp/connections").await;
    assert_eq!(connections, json!([]), "a closed connection is not listed");
    let (status, answer) = server
        .post(
            &format!("/api/mcp/servers/{id}/call"),
            json!({"tool": "echo", "arguments": {"message": "x"}}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");

    // Over streamable HTTP too.
    let port = free_port();
    let mut http = tokio::process::Command::new("node")
        .arg(everything())
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port).await;
    let hid = add(
        &server,
        json!({"name": "everything-http", "scope": "user", "type": "http", "url": format!("http://127.0.0.1:{port}/mcp")}),
    )
    .await;
    let i = connect(&server, &hid).await;
    assert_eq!(i["state"], "connected", "{i}");
    let (_, call) = server
        .post(
            &format!("/api/mcp/servers/{hid}/call"),
            json!({"tool": "echo", "arguments": {"message": "over http"}}),
        )
        .await;
    assert_eq!(
        call["result"]["content"][0]["text"], "Echo: over http",
        "{call}"
    );
    let _ = http.kill().await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {port}");
}

#[tokio::test]
async fn the_tests_own_server_over_stdio_and_http_and_broken_servers_say_why() {
    let server = TestServer::start(&["--mcp-timeout-secs", "3"]).await;
    let script = test_server_script();
    let id = add(
        &server,
        json!({"name": "own", "scope": "user", "command": "python3", "args": [script]}),
    )
    .await;
    let i = connect(&server, &id).await;
    assert_eq!(i["state"], "connected", "{i}");
    assert_eq!(i["discovery"]["server_name"], "flotilla-test-server");
    assert_eq!(
        i["discovery"]["instructions"],
        "A server for Flotilla's tests."
    );
    assert_eq!(names(&i["discovery"]["tools"], "name"), ["echo", "add"]);
    assert_eq!(
        names(&i["discovery"]["templates"], "uri_template"),
        ["test://greet/{name}"]
    );
    let (_, add_call) = server
        .post(
            &format!("/api/mcp/servers/{id}/call"),
            json!({"tool": "add", "arguments": {"a": 40, "b": 2}}),
        )
        .await;
    assert_eq!(
        add_call["result"]["structuredContent"]["sum"], 42,
        "{add_call}"
    );
    let (_, unknown) = server
        .post(
            &format!("/api/mcp/servers/{id}/call"),
            json!({"tool": "nope"}),
        )
        .await;
    assert_eq!(unknown["is_error"], true, "{unknown}");
    let (_, blob) = server
        .post(
            &format!("/api/mcp/servers/{id}/read"),
            json!({"uri": "test://blob"}),
        )
        .await;
    assert_eq!(
        blob[0]["blob"].as_str().unwrap().len(),
        344,
        "256 bytes in base64: {blob}"
    );
    let (_, greet) = server
        .post(
            &format!("/api/mcp/servers/{id}/read"),
            json!({"uri": "test://greet/Ada"}),
        )
        .await;
    assert_eq!(greet[0]["text"], "Hello, Ada!");
    let (status, missing) = server
        .post(
            &format!("/api/mcp/servers/{id}/read"),
            json!({"uri": "test://none"}),
        )
        .await;
    assert_eq!(status, 422, "the server's own error, in words: {missing}");
    assert!(
        missing["message"].as_str().unwrap().contains("no resource"),
        "{missing}"
    );

    // The same server over HTTP.
    let port = free_port();
    let mut http = tokio::process::Command::new("python3")
        .args([&test_server_script(), "--http", &port.to_string()])
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_port(port).await;
    let hid = add(
        &server,
        json!({"name": "own-http", "scope": "user", "type": "http", "url": format!("http://127.0.0.1:{port}/mcp"), "headers": {"X-Test": "1"}}),
    )
    .await;
    let i = connect(&server, &hid).await;
    assert_eq!(i["state"], "connected", "{i}");
    let (_, echo) = server
        .post(
            &format!("/api/mcp/servers/{hid}/call"),
            json!({"tool": "echo", "arguments": {"message": "web", "shout": true}}),
        )
        .await;
    assert_eq!(echo["result"]["content"][0]["text"], "Echo: WEB", "{echo}");
    let _ = http.kill().await;

    // Broken servers fail within the timeout, saying why.
    for (name, args, says) in [
        (
            "garbage",
            vec![script.clone(), "--garbage".into()],
            "not JSON-RPC",
        ),
        (
            "hangs",
            vec![script.clone(), "--hang".into()],
            "did not answer the handshake within 3 s",
        ),
        (
            "exits",
            vec![
                "-c".into(),
                "import sys; print('bad config', file=sys.stderr); sys.exit(2)".into(),
            ],
            "exited",
        ),
    ] {
        let bid = add(
            &server,
            json!({"name": name, "scope": "user", "command": "python3", "args": args}),
        )
        .await;
        let started = std::time::Instant::now();
        let i = connect(&server, &bid).await;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} took {:?}",
            started.elapsed()
        );
        assert_eq!(i["state"], "failed", "{name}: {i}");
        let error = i["error"].as_str().unwrap();
        assert!(error.contains(says), "{name}: {error}");
        if name == "exits" {
            assert!(
                error.contains("bad config"),
                "its stderr is in the message: {error}"
            );
        }
        let (_, tested) = server
            .post(&format!("/api/mcp/servers/{bid}/test"), json!({}))
            .await;
        assert_eq!(tested["ok"], false, "{tested}");
    }
    // One that crashes on a call.
    let cid = add(
        &server,
        json!({"name": "crashes", "scope": "user", "command": "python3", "args": [script, "--crash-on-call"]}),
    )
    .await;
    assert_eq!(connect(&server, &cid).await["state"], "connected");
    let (status, crashed) = server
        .post(
            &format!("/api/mcp/servers/{cid}/call"),
            json!({"tool": "echo", "arguments": {"message": "x"}}),
        )
        .await;
    assert_eq!(status, 200, "{crashed}");
    assert_eq!(crashed["is_error"], true);
    let error = crashed["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("went away") || error.contains("exited"),
        "{crashed}"
    );
}

#[tokio::test]
async fn templates_make_servers_that_build_and_answer() {
    let server = TestServer::start(&[]).await;
    for (template, name) in [("python", "py-tools"), ("rust", "rs-tools")] {
        let (status, made) = server
            .post(
                "/api/mcp/scaffold",
                json!({"name": name, "template": template}),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        let id = made["server"]["id"].as_str().unwrap().to_string();
        assert_eq!(made["server"]["scope"], "local");
        let folder = made["server"]["folder"].as_str().unwrap().to_string();
        assert!(
            Path::new(&folder).join(".git").exists(),
            "a git repository: {folder}"
        );
        let (status, i) = server
            .post(&format!("/api/mcp/servers/{id}/rebuild"), json!({}))
            .await;
        assert_eq!(status, 200, "{i}");
        assert_eq!(i["state"], "connected", "{template}: {i}");
        assert!(
            names(&i["discovery"]["tools"], "name").contains(&"add".to_string()),
            "{i}"
        );
        let (_, call) = server
            .post(
                &format!("/api/mcp/servers/{id}/call"),
                json!({"tool": "add", "arguments": {"a": 2, "b": 3}}),
            )
            .await;
        assert_eq!(
            call["result"]["content"][0]["text"], "5",
            "{template}: {call}"
        );
        let (_, about) = server
            .post(
                &format!("/api/mcp/servers/{id}/read"),
                json!({"uri": "info://about"}),
            )
            .await;
        assert!(
            about[0]["text"].as_str().unwrap().contains("template"),
            "{about}"
        );
        // The build's output is in the log.
        let (_, log) = server.get(&format!("/api/mcp/servers/{id}/log")).await;
        assert!(log.to_string().contains("building:"), "{log}");
    }
    let (status, bad) = server
        .post(
            "/api/mcp/scaffold",
            json!({"name": "x", "template": "cobol"}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
}
