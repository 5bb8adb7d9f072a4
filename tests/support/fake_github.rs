//! A fake of the part of GitHub's REST API Flotilla uses (pull requests), on 127.0.0.1.

#![allow(dead_code)]

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Shared {
    token: String,
    pulls: Mutex<Vec<Value>>,
    requests: Mutex<Vec<(String, Value)>>,
}

pub struct FakeGitHub {
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeGitHub {
    /// Accepts requests with `Authorization: Bearer <token>` only.
    pub async fn start(token: &str) -> Self {
        let shared = Arc::new(Shared {
            token: token.into(),
            ..Default::default()
        });
        let app = Router::new()
            .route("/repos/{owner}/{repo}/pulls", post(create))
            .route("/repos/{owner}/{repo}/pulls/{number}", get(show))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGitHub { url, shared }
    }

    /// (authorization header, body) of every request.
    pub fn requests(&self) -> Vec<(String, Value)> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn merge(&self, number: u64) {
        for pr in self.shared.pulls.lock().unwrap().iter_mut() {
            if pr["number"] == number {
                pr["state"] = "closed".into();
                pr["merged"] = true.into();
            }
        }
    }
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> Result<String, (StatusCode, Json<Value>)> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if auth != format!("Bearer {}", shared.token) {
        return Err((
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Bad credentials"})),
        ));
    }
    Ok(auth)
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    let auth = match authorized(&shared, &headers) {
        Ok(a) => a,
        Err(e) => return e,
    };
    shared.requests.lock().unwrap().push((auth, body.clone()));
    if body["head"] == body["base"] {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({"message": "Validation Failed", "errors": [{"message": "head and base are the same"}]}),
            ),
        );
    }
    let mut pulls = shared.pulls.lock().unwrap();
    let number = pulls.len() as u64 + 1;
    let pr = json!({
        "number": number,
        "state": "open",
        "merged": false,
        "html_url": format!("https://github.example/{owner}/{repo}/pull/{number}"),
        "title": body["title"], "head": {"ref": body["head"]}, "base": {"ref": body["base"]},
    });
    pulls.push(pr.clone());
    (StatusCode::CREATED, Json(pr))
}

async fn show(
    State(shared): State<Arc<Shared>>,
    Path((_, _, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> impl IntoResponse {
    if let Err(e) = authorized(&shared, &headers) {
        return e;
    }
    match shared
        .pulls
        .lock()
        .unwrap()
        .iter()
        .find(|p| p["number"] == number)
    {
        Some(pr) => (StatusCode::OK, Json(pr.clone())),
        None => (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))),
    }
}
