//! Authentication: nothing without a session or token, tokens revoked and rotated, sign-in
//! throttled, no way to start exposed without auth, sessions and their cookie.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

/// Paths of the OpenAPI document with their methods, parameters filled in.
async fn documented_routes(server: &TestServer) -> Vec<(String, String)> {
    let (status, doc) = server.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            routes.push((method.to_uppercase(), concrete.clone()));
        }
    }
    assert!(routes.len() > 60, "{routes:?}");
    routes
}

/// Every server function's endpoint, read from the source (so a new one is covered at once).
fn server_functions() -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("endpoint = \"").skip(1) {
                    names.push(part.split('"').next().unwrap().to_string());
                }
            }
        }
    }
    assert!(names.len() > 40, "{names:?}");
    names
}

#[tokio::test]
async fn nothing_is_served_without_a_session_or_token() {
    let server = TestServer::start(&[]).await;
    let anonymous = server.anonymous();
    for (method, path) in documented_routes(&server).await {
        let url = format!("{}{path}", server.url);
        let request = anonymous
            .request(method.parse().unwrap(), &url)
            .header("content-type", "application/json")
            .body("{}");
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        if path == "/healthz" || path == "/readyz" {
            assert!(status == 200 || status == 503, "{method} {path}: {status}");
            continue;
        }
        assert_eq!(status, 401, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized", "{method} {path}: {body}");
    }
    let open = ["login", "setup_owner", "auth_status"];
    for name in server_functions() {
        let url = format!("{}/api/fn/{name}", server.url);
        for res in [
            anonymous.get(&url).send().await.unwrap(),
            anonymous
                .post(&url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap(),
        ] {
            let status = res.status().as_u16();
            if open.contains(&name.as_str()) {
                assert_ne!(status, 401, "{name} is for signing in");
            } else {
                assert_eq!(status, 401, "server function {name}");
            }
        }
    }
    // WebSockets too.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    for path in [
        "/ws/instances",
        "/ws/instances/x/stream",
        "/ws/instances/x/interact",
    ] {
        let request = format!("{}{path}", server.ws_url)
            .into_client_request()
            .unwrap();
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert_eq!(r.status(), 401, "{path}")
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    // A page sends the browser to sign in (to set up the owner first, when there is none).
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .get(format!("{}/projects?tab=x", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/setup");
    flotilla_cli(
        server.data_dir.path(),
        &["user", "set-password"],
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    let res = no_redirects
        .get(format!("{}/projects?tab=x", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/login?next=/projects%3Ftab%3Dx");
    // The sign-in page itself, the health checks and the site's files are open.
    let res = anonymous
        .get(format!("{}/login", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = res.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce in the page's policy");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    let res = anonymous
        .get(format!("{}/pkg/flotilla.js", server.url))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 401);
}

/// Signs in as the owner (creating them with the CLI first); returns a client with the cookie.
async fn owner_session(server: &TestServer) -> reqwest::Client {
    let out = flotilla_cli(
        server.data_dir.path(),
        &["user", "set-password", "--username", "alice"],
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(format!("{}/api/fn/login", server.url))
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    client
}

#[tokio::test]
async fn tokens_are_revoked_at_once_and_rotate_with_an_overlap() {
    let server = TestServer::start(&[]).await;
    let owner = owner_session(&server).await;
    let res = owner
        .post(format!("{}/api/tokens", server.url))
        .json(&json!({"name": "ci", "scope": "full"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("flt_"));
    let ci = authorized_client(&secret);
    let get = |client: reqwest::Client| {
        let url = format!("{}/api/instances", server.url);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(ci.clone()).await, 200);
    // Listed with its last use, never with its secret.
    let list: Value = owner
        .get(format!("{}/api/tokens", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!list.to_string().contains(&secret[4..]));
    let ci_info = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ci")
        .unwrap();
    assert!(ci_info["last_used_at"].is_string(), "{ci_info}");
    assert_eq!(ci_info["last_used_ip"], "127.0.0.1");
    // A token cannot manage tokens.
    let res = ci
        .post(format!("{}/api/tokens", server.url))
        .json(&json!({"name": "more"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Rotation: the new secret works, the old one too until the overlap ends.
    let res = owner
        .post(format!("{}/api/tokens/ci/rotate", server.url))
        .json(&json!({"overlap_secs": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let new_secret = rotated["token"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    assert!(rotated["info"]["previous_valid_until"].is_string());
    assert_eq!(get(authorized_client(&new_secret)).await, 200);
    assert_eq!(
        get(ci.clone()).await,
        200,
        "the old secret within the overlap"
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        get(ci.clone()).await,
        401,
        "the old secret after the overlap"
    );
    assert_eq!(get(authorized_client(&new_secret)).await, 200);

    // Revoked (here with the CLI, while the server runs): refused from the next request on.
    let out = flotilla_cli(server.data_dir.path(), &["token", "revoke", "ci"], None).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(get(authorized_client(&new_secret)).await, 401);
    // And through the API, for the harness's own token: the very next request fails.
    let res = owner
        .delete(format!("{}/api/tokens/tests", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(get(server.http.clone()).await, 401);

    // Read-only tokens read, and nothing else.
    let out = flotilla_cli(
        server.data_dir.path(),
        &[
            "token",
            "create",
            "--name",
            "viewer",
            "--scope",
            "read",
            "--expires-in",
            "1",
        ],
        None,
    )
    .await;
    let viewer = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let viewer = authorized_client(&viewer);
    assert_eq!(get(viewer.clone()).await, 200);
    let res = viewer
        .post(format!("{}/api/instances", server.url))
        .json(&json!({"cwd": server.dir()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let out = flotilla_cli(server.data_dir.path(), &["token", "list"], None).await;
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(listing.contains("viewer\tread\tactive"), "{listing}");
    assert!(listing.contains("ci\tfull\trevoked"), "{listing}");
}

#[tokio::test]
async fn sign_in_is_throttled_and_sessions_are_server_side() {
    let server = TestServer::start(&["--trusted-proxy", "127.0.0.1"]).await;
    let owner = owner_session(&server).await;
    let login = |client: reqwest::Client, password: &str, from: &str| {
        let url = format!("{}/api/fn/login", server.url);
        let body = json!({"username": "alice", "password": password});
        let from = from.to_string();
        async move {
            client
                .post(url)
                .header("x-forwarded-for", from)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // 100 bad attempts from one client: a few are checked, the rest refused unread.
    let guesser = reqwest::Client::new();
    let mut checked = 0;
    let mut refused = 0;
    let mut retry_after = None;
    for i in 0..100 {
        let res = login(guesser.clone(), &format!("guess {i}"), "203.0.113.7").await;
        match res.status().as_u16() {
            401 => checked += 1,
            429 => {
                refused += 1;
                retry_after = res.headers().get("retry-after").cloned();
            }
            other => panic!("attempt {i}: {other}"),
        }
    }
    assert!(checked <= 8, "{checked} passwords were checked");
    assert!(refused >= 92, "{refused} refused");
    assert!(retry_after.is_some(), "429 says when to retry");
    // While locked, even the right password is refused from that client...
    let res = login(guesser.clone(), PASSWORD, "203.0.113.7").await;
    assert_eq!(res.status(), 429);
    // ...but the owner elsewhere still gets in (the account is not locked by one client).
    let res = login(reqwest::Client::new(), PASSWORD, "198.51.100.1").await;
    assert_eq!(res.status(), 200);

    // The session: cookie attributes, server-side list, revocation, rotation on sign-in.
    let res = reqwest::Client::new()
        .post(format!("{}/api/fn/login", server.url))
        .header("x-forwarded-for", "192.0.2.50")
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in [
        "flotilla_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "no TLS here: {cookie}");
    let sessions: Value = owner
        .get(format!("{}/api/auth/sessions", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sessions = sessions.as_array().unwrap();
    assert!(sessions.len() >= 2, "{sessions:?}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions
        .iter()
        .find(|s| s["client_ip"] == "192.0.2.50")
        .expect("the other browser");
    let value = cookie.split(';').next().unwrap().to_string();
    let other_browser = |path: &str| {
        reqwest::Client::new()
            .get(format!("{}{path}", server.url))
            .header("cookie", value.clone())
    };
    assert_eq!(
        other_browser("/api/auth/me").send().await.unwrap().status(),
        200
    );
    let res = owner
        .delete(format!(
            "{}/api/auth/sessions/{}",
            server.url,
            other["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        other_browser("/api/auth/me").send().await.unwrap().status(),
        401
    );
    // Setting the password with the CLI signs every browser out.
    flotilla_cli(
        server.data_dir.path(),
        &["user", "set-password"],
        Some(&format!("{PASSWORD}!\n")),
    )
    .await;
    let me = owner
        .get(format!("{}/api/auth/me", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    // The database holds no password and no session secret.
    let db = std::fs::read(server.data_dir.path().join("flotilla.db")).unwrap();
    let wal = std::fs::read(server.data_dir.path().join("flotilla.db-wal")).unwrap_or_default();
    let secret = value.split('=').nth(1).unwrap();
    for haystack in [&db, &wal] {
        assert!(!contains(haystack, PASSWORD.as_bytes()));
        assert!(!contains(haystack, secret.as_bytes()));
    }

    // Guesses spread over many addresses lock the account instead.
    let mut statuses = Vec::new();
    for i in 0..15 {
        let res = login(
            reqwest::Client::new(),
            "wrong password",
            &format!("10.9.0.{i}"),
        )
        .await;
        statuses.push(res.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn auth_off_only_on_loopback_and_first_run_only_from_here() {
    // Exposed without auth: refused, and the message says why.
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_flotilla"))
        .args([
            "serve",
            "--bind",
            "0.0.0.0:0",
            "--auth",
            "off",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to start"), "{stderr}");
    assert!(stderr.contains("loopback"), "{stderr}");

    // On loopback it runs open, and says so.
    let server = TestServer::start(&["--auth", "off"]).await;
    let res = server
        .anonymous()
        .get(format!("{}/api/instances", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let status: Value = server
        .anonymous()
        .get(format!("{}/api/fn/auth_status", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["auth_enabled"], false);

    // First run: the owner may be created from this machine only, once.
    let server = TestServer::start(&["--trusted-proxy", "127.0.0.1"]).await;
    let setup = |from: Option<&str>, name: &str| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/api/fn/setup_owner", server.url))
            .json(&json!({"username": name, "password": PASSWORD}));
        if let Some(ip) = from {
            request = request.header("x-forwarded-for", ip);
        }
        request.send()
    };
    let remote = setup(Some("203.0.113.9"), "mallory").await.unwrap();
    assert_eq!(remote.status(), 403);
    let local = setup(None, "alice").await.unwrap();
    assert_eq!(local.status(), 200);
    assert!(local.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("flotilla_session="));
    let again = setup(None, "mallory").await.unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn agents_stay_inside_registered_projects_unless_allowed() {
    let server = TestServer::start_confined(&[]).await;
    let (status, body) = server
        .post("/api/instances", json!({"cwd": server.dir()}))
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("not inside a registered project"));
    // Inside a registered project it starts.
    let repo = server.work.path().join("repo");
    init_repo(&repo);
    let (status, project) = server
        .post(
            "/api/projects",
            json!({"name": "repo", "path": repo.display().to_string()}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let (status, body) = server
        .post(
            "/api/instances",
            json!({"cwd": repo.join("src").display().to_string()}),
        )
        .await;
    // (src/ does not exist: still refused, but as a bad folder, not as outside.)
    assert_eq!(status, 422, "{body}");
    let (status, instance) = server
        .post("/api/instances", json!({"cwd": repo.display().to_string()}))
        .await;
    assert_eq!(status, 201, "{instance}");
    // `..` does not get out.
    let escape = format!("{}/..", repo.display());
    let (status, _) = server.post("/api/instances", json!({"cwd": escape})).await;
    assert_eq!(status, 403);
    // The owner may allow free paths in Settings.
    let owner = owner_session(&server).await;
    let res = owner
        .put(format!("{}/api/settings/security", server.url))
        .json(&json!({"allowed_origins": [], "public_hosts": [], "allow_free_paths": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, _) = server
        .post("/api/instances", json!({"cwd": server.dir()}))
        .await;
    assert_eq!(status, 201);
}
