//! What a hostile page, a rebinding DNS name or a careless client can and cannot do.

use crate::support::*;
use serde_json::{json, Value};

/// A request as a cross-site page would send it: `no-cors`, a "simple" content type, its own
/// origin.
async fn hostile_post(server: &TestServer, path: &str, content_type: &str, body: &str) -> u16 {
    server
        .http
        .post(format!("{}{path}", server.url))
        .header("content-type", content_type)
        .header("origin", "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(body.to_string())
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_cross_site_page_cannot_start_or_drive_an_agent() {
    let server = TestServer::start(&[]).await;
    let launch = json!({"request": {"cwd": server.dir(), "permission_mode": "bypassPermissions",
        "prompt": "run rm -rf ~"}})
    .to_string();
    for content_type in [
        "text/plain",
        "application/json",
        "application/x-www-form-urlencoded",
    ] {
        let status = hostile_post(&server, "/api/fn/launch_instance", content_type, &launch).await;
        assert_eq!(status, 403, "launch_instance as {content_type}");
        let status = hostile_post(&server, "/api/instances", content_type, &launch).await;
        assert_eq!(status, 403, "POST /api/instances as {content_type}");
    }
    // Another port of the same machine is another origin.
    let status = server
        .http
        .post(format!("{}/api/instances", server.url))
        .header("origin", "http://127.0.0.1:1")
        .json(&json!({"cwd": server.dir()}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
    // Nothing was started.
    let (_, list) = server.get("/api/instances").await;
    assert_eq!(list, json!([]));
    assert!(
        server.fake.requests().is_empty(),
        "no claude process called the API"
    );

    // A cross-site WebSocket is refused before the upgrade.
    for path in ["/ws/instances", "/ws/instances/x/interact"] {
        let mut request =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                format!("{}{path}", server.ws_url),
            )
            .unwrap();
        request
            .headers_mut()
            .insert("origin", "http://evil.example".parse().unwrap());
        let error = tokio_tungstenite::connect_async(server.authorize(request))
            .await
            .expect_err("a cross-site WebSocket must be refused");
        match error {
            tokio_tungstenite::tungstenite::Error::Http(response) => {
                assert_eq!(response.status(), 403, "{path}")
            }
            other => panic!("{path}: {other}"),
        }
    }
}

#[tokio::test]
async fn a_foreign_host_name_is_refused() {
    let server = TestServer::start(&[]).await;
    let port = server.url.rsplit(':').next().unwrap().to_string();
    let res = server
        .http
        .get(format!("{}/api/instances", server.url))
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    assert!(body["message"].as_str().unwrap().contains("--public-host"));
    // Pages too.
    let res = server
        .http
        .get(format!("{}/", server.url))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Names given with --public-host are accepted.
    let server = TestServer::start(&["--public-host", "flotilla.test"]).await;
    let res = server
        .http
        .get(format!("{}/api/instances", server.url))
        .header("host", format!("flotilla.test:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The health checks answer whatever the name.
    let res = server
        .http
        .get(format!("{}/healthz", server.url))
        .header("host", "anything.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn bodies_that_are_not_json_and_malformed_bodies_are_client_errors() {
    let server = TestServer::start(&[]).await;
    // A same-origin request with a "simple" content type is refused too (no CSRF by forms).
    let own_origin = server.url.clone();
    for (path, content_type) in [
        ("/api/instances", "text/plain"),
        ("/api/fn/launch_instance", "text/plain"),
        ("/api/fn/stop_instance", "application/x-www-form-urlencoded"),
    ] {
        let res = server
            .http
            .post(format!("{}{path}", server.url))
            .header("origin", &own_origin)
            .header("content-type", content_type)
            .body("id=x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{path} as {content_type}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "bad_request");
    }
    // A malformed server-function body is the client's fault: 400, not 500.
    let res = server
        .http
        .post(format!("{}/api/fn/launch_instance", server.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    // Errors from axum itself are JSON as well.
    let res = server
        .http
        .put(format!("{}/api/instances", server.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    // And never cached.
    let res = server
        .http
        .get(format!("{}/api/instances", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
}
