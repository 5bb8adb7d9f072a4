//! MCP servers through the API: configured in Claude Code's own files and seen by the real CLI
//! both ways (the inspector's tests are in mcp_inspector.rs, with the helpers here).

use crate::support::{claude_bin, init_repo, TestServer};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The tests' own MCP server (Python, standard library only).
pub(crate) fn test_server_script() -> String {
    root()
        .join("tests/support/mcp_server.py")
        .display()
        .to_string()
}

/// The pinned `@modelcontextprotocol/server-everything`, installed by scripts/setup.sh.
pub(crate) fn everything() -> String {
    let path = root().join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup.sh",
        path.display()
    );
    path.display().to_string()
}

/// Runs `claude mcp <args>` as a user of this server's claude home would, in `cwd`.
fn claude_mcp(server: &TestServer, cwd: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(claude_bin())
        .arg("mcp")
        .args(args)
        .current_dir(cwd)
        .env("HOME", server.home.path())
        .envs(server.fake.claude_env())
        .output()
        .expect("run claude mcp");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn claude_json(server: &TestServer) -> PathBuf {
    server.home.path().join(".claude.json")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

async fn project(server: &TestServer) -> String {
    init_repo(server.work.path());
    let (status, p) = server
        .post(
            "/api/projects",
            json!({"name": "tools", "path": server.dir()}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    p["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn servers_live_in_claude_codes_own_files_and_the_cli_sees_them_both_ways() {
    let server = TestServer::start(&[]).await;
    let pid = project(&server).await;
    // What Claude Code already keeps there stays, in its order.
    std::fs::write(
        claude_json(&server),
        r#"{"numStartups": 7, "someFutureKey": {"b": [1, 2], "a": "x"}, "mcpServers": {"kept": {"type": "stdio", "command": "true", "args": [], "env": {}, "timeout": 30000}}}"#,
    )
    .unwrap();

    let tester = json!({"name": "tester", "scope": "local", "project_id": pid, "type": "stdio",
        "command": "python3", "args": [test_server_script()], "env": {"TOKEN": "s3cret"}});
    let (status, created) = server.post("/api/mcp/servers", tester.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["env"]["TOKEN"], "••••••••",
        "secrets are masked: {created}"
    );
    assert_eq!(created["project_id"], pid.as_str());
    let file = read_json(&claude_json(&server));
    assert_eq!(file["numStartups"], 7);
    assert_eq!(file["mcpServers"]["kept"]["timeout"], 30000);
    let entry = &file["projects"][server.dir()]["mcpServers"]["tester"];
    assert_eq!(entry["type"], "stdio");
    assert_eq!(entry["env"]["TOKEN"], "s3cret");
    let text = std::fs::read_to_string(claude_json(&server)).unwrap();
    assert!(
        text.find("numStartups") < text.find("someFutureKey"),
        "keys keep their order: {text}"
    );
    assert!(text.find("\"b\"") < text.find("\"a\""), "{text}");
    // The secret is never in an answer.
    let (_, listed) = server.get("/api/mcp/servers").await;
    assert!(!listed.to_string().contains("s3cret"), "{listed}");

    // The CLI sees it and connects to it.
    let list = claude_mcp(&server, server.work.path(), &["list"]);
    assert!(
        list.contains("tester") && list.contains("Connected"),
        "{list}"
    );

    // An instance there gets it: its init line has the server connected and its tools.
    let init = init_line(&server, json!({"prompt": "hello", "project_id": pid})).await;
    let servers = init["data"]["mcp_servers"].as_array().unwrap();
    assert!(
        servers
            .iter()
            .any(|s| s["name"] == "tester" && s["status"] == "connected"),
        "{servers:?}"
    );
    let tools = init["data"]["tools"].to_string();
    assert!(
        tools.contains("mcp__tester__echo") && tools.contains("mcp__tester__add"),
        "{tools}"
    );

    // Extra servers for one instance only (--mcp-config) come beside the configured ones.
    let extra = json!({"mcpServers": {"extra": {"type": "stdio", "command": "python3", "args": [test_server_script()]}}});
    let init = init_line(
        &server,
        json!({"prompt": "hello", "project_id": pid, "mcp_config": extra.to_string()}),
    )
    .await;
    let names: Vec<&str> = init["data"]["mcp_servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "connected")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"extra") && names.contains(&"tester"),
        "{names:?}"
    );

    // One added with the CLI shows here.
    let added = claude_mcp(
        &server,
        server.work.path(),
        &[
            "add",
            "-s",
            "user",
            "from-cli",
            "--",
            "python3",
            &test_server_script(),
        ],
    );
    assert!(added.contains("from-cli"), "{added}");
    let (_, listed) = server.get("/api/mcp/servers").await;
    let user: Vec<&str> = listed["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["scope"] == "user")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(user, ["kept", "from-cli"]);

    // A rename keeps the masked secret; removing takes it out of the CLI's list.
    let mut changed = tester.clone();
    changed["name"] = json!("tester2");
    changed["env"] = json!({"TOKEN": "••••••••"});
    changed.as_object_mut().unwrap().remove("scope");
    changed.as_object_mut().unwrap().remove("project_id");
    let sid = created["id"].as_str().unwrap();
    let (status, renamed) = server
        .put(&format!("/api/mcp/servers/{sid}"), changed)
        .await;
    assert_eq!(status, 200, "{renamed}");
    let file = read_json(&claude_json(&server));
    let servers = &file["projects"][server.dir()]["mcpServers"];
    assert!(servers.get("tester").is_none());
    assert_eq!(servers["tester2"]["env"]["TOKEN"], "s3cret");
    let (status, _) = server
        .delete(&format!(
            "/api/mcp/servers/{}",
            renamed["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    let list = claude_mcp(&server, server.work.path(), &["list"]);
    assert!(
        !list.contains("tester2") && list.contains("from-cli"),
        "{list}"
    );
    let file = read_json(&claude_json(&server));
    assert_eq!(file["someFutureKey"], json!({"b": [1, 2], "a": "x"}));

    // Bad input: a JSON error, nothing written.
    let before = std::fs::read(claude_json(&server)).unwrap();
    for (body, status) in [
        (
            json!({"name": "bad name", "scope": "user", "command": "python3"}),
            422,
        ),
        (
            json!({"name": "x", "scope": "user", "command": "no-such-program-here"}),
            422,
        ),
        (
            json!({"name": "x", "scope": "user", "type": "http", "url": "not a url"}),
            422,
        ),
        (
            json!({"name": "x", "scope": "user", "type": "http", "url": "https://e.com/mcp", "headers": {"bad header": "v"}}),
            422,
        ),
        (
            json!({"name": "x", "scope": "project", "command": "python3"}),
            422,
        ),
        (
            json!({"name": "x", "scope": "user", "command": "python3", "env": {"1BAD": "v"}}),
            422,
        ),
        (
            json!({"name": "from-cli", "scope": "user", "command": "python3"}),
            409,
        ),
        (
            json!({"name": "x", "scope": "local", "project_id": "nope", "command": "python3"}),
            404,
        ),
    ] {
        let (got, answer) = server.post("/api/mcp/servers", body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(answer["message"].is_string(), "{answer}");
    }
    assert_eq!(std::fs::read(claude_json(&server)).unwrap(), before);
    let (status, _) = server.get("/api/mcp/servers/not-an-id").await;
    assert_eq!(status, 404);

    // A malformed .mcp.json is reported and never overwritten.
    let mcp_json = server.work.path().join(".mcp.json");
    std::fs::write(&mcp_json, "{ not json").unwrap();
    let (_, listed) = server.get("/api/mcp/servers").await;
    assert!(
        listed["problems"].to_string().contains(".mcp.json"),
        "{listed}"
    );
    let (status, answer) = server
        .post(
            "/api/mcp/servers",
            json!({"name": "shared", "scope": "project", "project_id": pid, "command": "python3"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{answer}"
    );
    assert_eq!(std::fs::read_to_string(&mcp_json).unwrap(), "{ not json");
}

/// Connects server `id` and returns the inspection.
/// Starts an instance with `body`, waits until it is idle, and gives its init line.
async fn init_line(server: &TestServer, body: Value) -> Value {
    let instance = server.create(body).await;
    let id = instance["id"].as_str().unwrap().to_string();
    server.wait_status(&id, "idle").await;
    let (_, events) = server
        .get(&format!("/api/instances/{id}/events?limit=5000"))
        .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "system" && f["data"]["subtype"] == "init")
        .unwrap_or_else(|| panic!("an init line: {events}"))
        .clone()
}
