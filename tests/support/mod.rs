//! Test support: the fake Anthropic API and a real `flotilla` server process to test against.

#![allow(dead_code)] // Not every test binary uses every helper.

pub mod fake_anthropic;
pub mod fake_github;
pub mod repo;
pub mod transcripts;

pub use repo::{commit_all, git, init_repo};

use fake_anthropic::FakeAnthropic;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// The pinned Claude Code CLI the set-up installs.
pub fn claude_bin() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/claude");
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup.sh (it installs the pinned @anthropic-ai/claude-code)",
        path.display()
    );
    path
}

/// A running `flotilla serve` (the binary under test) with its own data dir, claude home and
/// fake API.
pub struct TestServer {
    pub url: String,
    pub ws_url: String,
    pub fake: FakeAnthropic,
    pub data_dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
    pub work: tempfile::TempDir,
    /// Sends this server's API token with every request.
    pub http: reqwest::Client,
    /// The API token the harness created, as a user's script would (`flotilla token create`).
    pub token: String,
    child: Option<Child>,
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    log_readers: Vec<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// A server whose instances may start in any folder (`--allow-free-paths`): most tests
    /// run them in a plain temporary directory.
    pub async fn start(extra_args: &[&str]) -> Self {
        Self::start_with(extra_args, &claude_bin()).await
    }

    /// A server speaking TLS (the extra arguments give the certificate and key).
    pub async fn start_tls(extra_args: &[&str]) -> Self {
        Self::start_with(extra_args, &claude_bin()).await
    }

    /// A server with the default confinement: instances only inside registered projects.
    pub async fn start_confined(extra_args: &[&str]) -> Self {
        let fake = FakeAnthropic::start().await;
        let data_dir = tempfile::tempdir().expect("temp dir");
        let home = tempfile::tempdir().expect("temp dir");
        let work = tempfile::tempdir().expect("temp dir");
        Self::launch(fake, data_dir, home, work, extra_args, &claude_bin(), None).await
    }

    /// Starts with another `claude` executable (e.g. a wrapper script).
    pub async fn start_with(extra_args: &[&str], claude: &Path) -> Self {
        let fake = FakeAnthropic::start().await;
        let data_dir = tempfile::tempdir().expect("temp dir");
        let home = tempfile::tempdir().expect("temp dir");
        let work = tempfile::tempdir().expect("temp dir");
        let mut args = vec!["--allow-free-paths"];
        args.extend_from_slice(extra_args);
        Self::launch(fake, data_dir, home, work, &args, claude, None).await
    }

    async fn launch(
        fake: FakeAnthropic,
        data_dir: tempfile::TempDir,
        home: tempfile::TempDir,
        work: tempfile::TempDir,
        extra_args: &[&str],
        claude: &Path,
        token: Option<String>,
    ) -> Self {
        let token = match token {
            Some(t) => t,
            None => create_token(data_dir.path(), "tests").await,
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_flotilla"));
        command
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("--claude-home")
            .arg(home.path())
            .arg("--claude-bin")
            .arg(claude)
            .args(extra_args)
            .envs(fake.claude_env())
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info,flotilla=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start flotilla");
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
        let log_sink = logs.clone();
        let stdout_reader = tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut addr_tx = Some(addr_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                // "listening on http://ADDR" (or https:// with TLS)
                if let Some(i) = line.find("listening on ") {
                    if let Some(tx) = addr_tx.take() {
                        let _ = tx.send(line[i + "listening on ".len()..].trim().to_string());
                    }
                }
                log_sink.lock().unwrap().push(line);
            }
        });
        let log_sink = logs.clone();
        let stderr_reader = tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                log_sink.lock().unwrap().push(line);
            }
        });
        let addr = tokio::time::timeout(Duration::from_secs(30), addr_rx)
            .await
            .unwrap_or_else(|_| panic!("flotilla did not start: {:?}", logs.lock().unwrap()))
            .expect("address");
        TestServer {
            ws_url: addr.replacen("http", "ws", 1),
            url: addr,
            fake,
            data_dir,
            home,
            work,
            http: authorized_client(&token),
            token,
            child: Some(child),
            logs,
            log_readers: vec![stdout_reader, stderr_reader],
        }
    }

    /// Closes the server's stdout and stderr (as when whatever read its logs has gone away).
    pub async fn close_logs(&mut self) {
        for reader in self.log_readers.drain(..) {
            reader.abort();
            let _ = reader.await;
        }
    }

    /// Stops the server with SIGTERM (as a service manager would) and waits for it to exit.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let child = self.child.as_mut().expect("running");
        let pid = child.id().expect("pid") as i32;
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        )
        .expect("signal");
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("flotilla exits after SIGTERM")
            .expect("wait");
        self.child = None;
        status
    }

    /// Stops this server and starts a new one on the same data dir and claude home.
    pub async fn restart(mut self, extra_args: &[&str]) -> Self {
        if self.child.is_some() {
            self.terminate().await;
        }
        let TestServer {
            fake,
            data_dir,
            home,
            work,
            token,
            ..
        } = self;
        let mut args = vec!["--allow-free-paths"];
        args.extend_from_slice(extra_args);
        Self::launch(
            fake,
            data_dir,
            home,
            work,
            &args,
            &claude_bin(),
            Some(token),
        )
        .await
    }

    /// A client without credentials (and without the cookie store of a browser).
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn dir(&self) -> String {
        self.work.path().display().to_string()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Polls `GET path` until it answers 200 with a body `pred` accepts (the session index and
    /// other background work catch up within seconds); the body.
    pub async fn get_until(&self, path: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (status, body) = self.get(path).await;
            if status == 200 && pred(&body) {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out on {path}: {status} {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until a request the fake API received holds every one of `needles`; that request.
    pub async fn request_with(&self, needles: &[&str]) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.fake.requests().into_iter().find(|r| {
                let text = r.to_string();
                needles.iter().all(|n| text.contains(n))
            });
            if let Some(r) = found {
                return r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no request to the fake API held {needles:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .put(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("PUT");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .delete(format!("{}{path}", self.url))
            .send()
            .await
            .expect("DELETE");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates an instance in the work dir and returns it.
    pub async fn create(&self, extra: Value) -> Value {
        let mut body = json!({"cwd": self.dir()});
        if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
            b.extend(e);
        }
        let (status, instance) = self.post("/api/instances", body).await;
        assert_eq!(status, 201, "create failed: {instance}");
        instance
    }

    /// Polls the instance until `pred` holds.
    pub async fn wait_instance(
        &self,
        id: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (status, instance) = self.get(&format!("/api/instances/{id}")).await;
            if status == 200 && pred(&instance) {
                return instance;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; instance: {instance}; logs: {:?}",
                    self.logs.lock().unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        self.wait_instance(id, &format!("status {status}"), |i| i["status"] == status)
            .await
    }

    /// Adds this server's credentials to a WebSocket handshake request.
    pub fn authorize(
        &self,
        mut request: tokio_tungstenite::tungstenite::handshake::client::Request,
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.token).parse().expect("header"),
        );
        request
    }

    pub async fn ws(&self, path: &str) -> Ws {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let request = format!("{}{path}", self.ws_url)
            .into_client_request()
            .expect("WebSocket URL");
        let (stream, _) = tokio_tungstenite::connect_async(self.authorize(request))
            .await
            .expect("WebSocket connect");
        Ws {
            stream,
            frames: Vec::new(),
            others: Vec::new(),
        }
    }
}

/// Runs `flotilla token create` on a data directory (as a user's script would) and returns the
/// token, which it prints alone on its last line.
pub async fn create_token(data_dir: &Path, name: &str) -> String {
    let out = flotilla_cli(data_dir, &["token", "create", "--name", name], None).await;
    assert!(out.status.success(), "token create failed: {out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .last()
        .expect("a token line")
        .trim()
        .to_string()
}

/// Runs an administrative `flotilla` command on a data directory, with `stdin` as its input.
pub async fn flotilla_cli(
    data_dir: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_flotilla"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flotilla");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.expect("write stdin");
    }
    drop(input);
    child.wait_with_output().await.expect("flotilla output")
}

/// A client that sends `Authorization: Bearer <token>` with every request.
pub fn authorized_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// A WebSocket client that keeps every frame it received.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// Event frames (`{"seq","ts","kind","data"}`), in arrival order.
    pub frames: Vec<Value>,
    /// Other messages (acks, errors).
    pub others: Vec<Value>,
}

impl Ws {
    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// Reads one message into `frames` or `others`.
    async fn read_one(&mut self, what: &str, deadline: tokio::time::Instant) {
        let next = tokio::time::timeout_at(deadline, self.stream.next()).await;
        let message = match next {
            Ok(Some(Ok(m))) => m,
            Ok(other) => panic!("WebSocket ended while waiting for {what}: {other:?}"),
            Err(_) => panic!(
                "timed out waiting for {what}; got kinds {:?}",
                self.frames
                    .iter()
                    .map(|f| f["kind"].clone())
                    .collect::<Vec<_>>()
            ),
        };
        let Message::Text(text) = message else { return };
        let value: Value = serde_json::from_str(&text).expect("JSON message");
        if value.get("seq").is_some() {
            self.frames.push(value);
        } else {
            self.others.push(value);
        }
    }

    /// Reads until a received frame satisfies `pred`; returns the first such frame.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.until_n(what, 1, &pred).await;
        self.frames
            .iter()
            .find(|f| pred(f))
            .cloned()
            .expect("found")
    }

    /// Reads until `n` received frames satisfy `pred`.
    pub async fn until_n(&mut self, what: &str, n: usize, pred: impl Fn(&Value) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while self.frames.iter().filter(|f| pred(f)).count() < n {
            self.read_one(what, deadline).await;
        }
    }

    /// Reads until a non-frame message (ack or error) arrives; returns it.
    pub async fn answer(&mut self) -> Value {
        let seen = self.others.len();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.others.len() == seen {
            self.read_one("an answer", deadline).await;
        }
        self.others[seen].clone()
    }

    /// Whether the server closed the socket within `wait` (reading anything before it).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON");
                    if value.get("seq").is_some() {
                        self.frames.push(value);
                    } else {
                        self.others.push(value);
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// Frame predicates.
pub fn is_result(f: &Value) -> bool {
    f["kind"] == "result"
}

pub fn is_permission_request(f: &Value) -> bool {
    f["kind"] == "control_request" && f["data"]["request"]["subtype"] == "can_use_tool"
}

/// The final text of the `n`th result frame (1-based) among `frames`.
pub fn result_text(frames: &[Value], n: usize) -> String {
    frames
        .iter()
        .filter(|f| is_result(f))
        .nth(n - 1)
        .and_then(|f| f["data"]["result"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Writes an executable shell script.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Whether any process of the group is alive.
pub fn group_alive(pgid: u32) -> bool {
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid as i32), None).is_ok()
}

/// The `"id"` of an API object.
pub fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}
