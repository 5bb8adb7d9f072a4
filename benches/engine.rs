//! Engine figures (issue: instances). Run with `cargo bench --bench engine` (release build):
//!
//! 1. latency from a line on a child's stdout to the WebSocket frame (p50/p99/max) at a steady
//!    20 000 lines/s: 20 instances x 1 000 lines/s, 5 viewers each, every line persisted;
//! 2. sustained events/s with the children writing as fast as they can (same 20 x 5);
//! 3. server RSS per live instance, beside the RSS of a real `claude` process;
//! 4. time from `POST /api/instances` to the `system/init` frame, vs. running `claude` directly.
//!
//! The child in 1-3 is this binary started again with `--fake-child`: it speaks enough of the
//! stream-json protocol (initialize, a user turn, a result) and stamps each line with the time
//! it wrote it. Figures are printed, never asserted.

#[path = "../tests/support/fake_anthropic.rs"]
mod fake_anthropic;
#[path = "engine_parts/measure.rs"]
mod measure;

use futures::StreamExt;
use measure::{cpu_seconds, machine_jiffies, now_us, percentile, rss_bytes};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Instances and viewers per instance (FLOTILLA_BENCH_INSTANCES / _viewers() override, for
/// exploring; the figures to report use the defaults).
fn instances() -> usize {
    std::env::var("FLOTILLA_BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn viewers() -> usize {
    std::env::var("FLOTILLA_BENCH_VIEWERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

/// The fake child: `--fake-child LINES RATE` (RATE lines/s; 0 = as fast as possible).
fn fake_child(lines: u64, rate: u64) {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let padding = "x".repeat(180); // A realistic stream_event line is ~300 bytes.
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        match msg["type"].as_str() {
            Some("control_request") => {
                let id = msg["request_id"].as_str().unwrap_or("");
                let _ = writeln!(
                    out,
                    r#"{{"type":"control_response","response":{{"subtype":"success","request_id":"{id}","response":{{}}}}}}"#
                );
                let _ = out.flush();
            }
            Some("user") => {
                let start = Instant::now();
                for i in 0..lines {
                    if let Some(offset) = (i * 1_000_000).checked_div(rate) {
                        let due = start + Duration::from_micros(offset);
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                    }
                    let _ = writeln!(
                        out,
                        r#"{{"type":"stream_event","event":{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{padding}"}}}},"session_id":"bench","t_us":{}}}"#,
                        now_us()
                    );
                    let _ = out.flush();
                }
                let _ = writeln!(
                    out,
                    r#"{{"type":"result","subtype":"success","is_error":false,"total_cost_usd":0,"t_us":{}}}"#,
                    now_us()
                );
                let _ = out.flush();
            }
            _ => {}
        }
    }
}

struct Server {
    child: tokio::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(claude: &Path, env: Vec<(String, String)>) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flotilla"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--max-instances",
                "200",
                "--sample-interval-ms",
                "1000",
                // The engine's figures, without sign-in (measured on its own in benches/auth.rs).
                "--auth",
                "off",
            ])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--claude-home")
            .arg(dir.path())
            .arg("--claude-bin")
            .arg(claude)
            .envs(env)
            .env(
                "RUST_LOG",
                std::env::var("FLOTILLA_BENCH_LOG")
                    .unwrap_or_else(|_| "warn,flotilla::server=info".into()),
            )
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start flotilla");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = loop {
            let line = lines
                .next_line()
                .await
                .expect("read")
                .expect("flotilla exited");
            if let Some(i) = line.find("listening on http://") {
                break format!("http://{}", line[i + 20..].trim());
            }
        };
        let echo = std::env::var("FLOTILLA_BENCH_LOG").is_ok();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if echo {
                    eprintln!("{line}");
                }
            }
        });
        Server {
            child,
            url,
            _dir: dir,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("pid")
    }
}

async fn post(http: &reqwest::Client, url: String, body: Value) -> Value {
    http.post(url)
        .json(&body)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON")
}

async fn get_instance(http: &reqwest::Client, server: &Server, id: &str) -> Value {
    http.get(format!("{}/api/instances/{id}", server.url))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

async fn create_idle_instances(
    http: &reqwest::Client,
    server: &Server,
    n: usize,
    cwd: &Path,
) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let instance = post(
            http,
            format!("{}/api/instances", server.url),
            json!({"cwd": cwd}),
        )
        .await;
        ids.push(instance["id"].as_str().expect("id").to_string());
    }
    for id in &ids {
        loop {
            let i = get_instance(http, server, id).await;
            if i["status"] == "idle" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    ids
}

/// One viewer: reads frames until the turn's result; returns latencies (µs) and frame count.
async fn view(ws_url: String) -> (Vec<u32>, u64) {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .expect("connect");
    let mut latencies = Vec::new();
    let mut frames = 0u64;
    while let Some(Ok(message)) = ws.next().await {
        let received = now_us();
        let tokio_tungstenite::tungstenite::Message::Text(text) = message else {
            continue;
        };
        frames += 1;
        if let Some(i) = text.find(r#""t_us":"#) {
            let digits: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(sent) = digits.parse::<u64>() {
                latencies.push(received.saturating_sub(sent) as u32);
            }
        }
        if text.contains(r#""kind":"result""#) {
            break;
        }
    }
    (latencies, frames)
}

async fn fan_out_run(server: &Server, ids: &[String]) -> (Vec<u32>, u64, Duration) {
    let http = reqwest::Client::new();
    let ws_base = server.url.replace("http://", "ws://");
    let mut viewer_tasks = Vec::new();
    for id in ids {
        let (_, _, since) = last_seq(&http, server, id).await;
        for _ in 0..viewers() {
            viewer_tasks.push(tokio::spawn(view(format!(
                "{ws_base}/ws/instances/{id}/stream?since={since}"
            ))));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let sends = ids.iter().map(|id| {
        post(
            &http,
            format!("{}/api/instances/{id}/query", server.url),
            json!({"prompt": "go"}),
        )
    });
    futures::future::join_all(sends).await;
    let mut latencies = Vec::new();
    let mut frames = 0;
    for v in viewer_tasks {
        let (l, f) = v.await.expect("viewer");
        latencies.extend(l);
        frames += f;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    (latencies, frames, elapsed)
}

async fn last_seq(http: &reqwest::Client, server: &Server, id: &str) -> (String, String, u64) {
    let i = get_instance(http, server, id).await;
    (
        id.to_string(),
        i["status"].to_string(),
        i["last_seq"].as_u64().unwrap_or(0),
    )
}

fn wrapper(dir: &Path, lines: u64, rate: u64) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let exe = std::env::current_exe().expect("current exe");
    let path = dir.join(format!("fake-claude-{lines}-{rate}"));
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nexec {} --fake-child {lines} {rate}\n",
            exe.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

async fn fan_out(dir: &Path, lines: u64, rate: u64, label: &str) -> (Server, Vec<String>) {
    let server = Server::start(&wrapper(dir, lines, rate), vec![]).await;
    let http = reqwest::Client::new();
    let ids = create_idle_instances(&http, &server, instances(), dir).await;
    let (server_cpu, bench_cpu) = (cpu_seconds(server.pid()), cpu_seconds(std::process::id()));
    let machine = machine_jiffies();
    let (latencies, frames, elapsed) = fan_out_run(&server, &ids).await;
    let machine_after = machine_jiffies();
    let machine_busy =
        (machine_after.0 - machine.0) as f64 / (machine_after.1 - machine.1).max(1) as f64;
    let (server_cpu, bench_cpu) = (
        cpu_seconds(server.pid()) - server_cpu,
        cpu_seconds(std::process::id()) - bench_cpu,
    );
    let mut persisted = 0;
    for id in &ids {
        persisted += last_seq(&http, &server, id).await.2;
    }
    let events = (instances() as u64) * (lines + 1);
    println!(
        "{label}: {} instances x {} viewers, {} lines each{}",
        instances(),
        viewers(),
        lines,
        if rate > 0 {
            format!(" at {rate} lines/s")
        } else {
            " as fast as possible".into()
        }
    );
    println!(
        "  stdout -> WebSocket latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        latencies.len()
    );
    println!(
        "  {} events stored and broadcast in {:.2} s: {:.0} events/s in, {:.0} frames/s out ({} frames to viewers; {} rows stored in all)",
        events,
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        frames as f64 / elapsed.as_secs_f64(),
        frames,
        persisted
    );
    println!(
        "  CPU meanwhile: server {:.2} s ({:.0}% of a core), the bench's viewers {:.2} s; the whole machine {:.0}% busy",
        server_cpu,
        server_cpu / elapsed.as_secs_f64() * 100.0,
        bench_cpu,
        machine_busy * 100.0
    );
    (server, ids)
}

async fn memory(dir: &Path) {
    let server = Server::start(&wrapper(dir, 10, 0), vec![]).await;
    let http = reqwest::Client::new();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let empty = rss_bytes(server.pid());
    let first = create_idle_instances(&http, &server, 10, dir).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ten = rss_bytes(server.pid());
    let more = create_idle_instances(&http, &server, 40, dir).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let fifty = rss_bytes(server.pid());
    // One turn each (10 lines) with 5 viewers each: rows, caches and connections come and go.
    let all: Vec<String> = first.into_iter().chain(more).collect();
    let _ = fan_out_run(&server, &all).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_bytes(server.pid());
    let mib = |b: u64| b as f64 / 1048576.0;
    println!(
        "server RSS: {:.1} MiB empty, {:.1} MiB with 10 live (idle) instances, {:.1} MiB with 50: {:.0} KiB per instance (slope 10 -> 50); {:.1} MiB after a turn on each with 5 viewers each",
        mib(empty),
        mib(ten),
        mib(fifty),
        (fifty.saturating_sub(ten) / 40) as f64 / 1024.0,
        mib(after)
    );
}

async fn startup(dir: &Path) {
    let claude = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/claude");
    if !claude.exists() {
        println!(
            "startup: skipped, {} is missing (run scripts/setup.sh)",
            claude.display()
        );
        return;
    }
    let fake = fake_anthropic::FakeAnthropic::start().await;
    let home = tempfile::tempdir().unwrap();
    let mut direct = Vec::new();
    let mut via = Vec::new();
    let mut claude_rss = 0;
    for _ in 0..5 {
        // Directly: the same command line Flotilla uses, a prompt on stdin, until system/init.
        let started = Instant::now();
        // The same command line Flotilla uses for a new session.
        let spec = flotilla::instances::engine::process::SpawnSpec {
            session: flotilla::instances::engine::process::SessionArg::New(
                uuid::Uuid::new_v4().to_string(),
            ),
            ..Default::default()
        };
        let mut child = tokio::process::Command::new(&claude)
            .args(spec.args())
            .current_dir(dir)
            .env("HOME", home.path())
            .envs(fake.claude_env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("claude");
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n")
            .await
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(r#""subtype":"init""#) {
                break;
            }
        }
        direct.push(started.elapsed());
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(r#""type":"result""#) {
                break;
            }
        }
        claude_rss = claude_rss.max(rss_bytes(child.id().unwrap_or(0)));
        let _ = child.kill().await;
    }
    let server = Server::start(&claude, fake.claude_env()).await;
    let http = reqwest::Client::new();
    let ws_base = server.url.replace("http://", "ws://");
    for _ in 0..5 {
        let started = Instant::now();
        let instance = post(
            &http,
            format!("{}/api/instances", server.url),
            json!({"cwd": dir, "prompt": "hi"}),
        )
        .await;
        let id = instance["id"].as_str().unwrap();
        let (mut ws, _) =
            tokio_tungstenite::connect_async(format!("{ws_base}/ws/instances/{id}/stream"))
                .await
                .unwrap();
        while let Some(Ok(message)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = message {
                if t.contains(r#""subtype":"init""#) {
                    break;
                }
            }
        }
        via.push(started.elapsed());
        let _ = http
            .delete(format!("{}/api/instances/{id}", server.url))
            .send()
            .await;
    }
    direct.sort();
    via.sort();
    println!(
        "startup to system/init (median of 5): claude directly {:.0} ms, through POST /api/instances {:.0} ms ({:+.0} ms)",
        direct[2].as_secs_f64() * 1000.0,
        via[2].as_secs_f64() * 1000.0,
        (via[2].as_secs_f64() - direct[2].as_secs_f64()) * 1000.0
    );
    println!(
        "a real claude process after one turn: {:.0} MiB RSS",
        claude_rss as f64 / 1048576.0
    );
}

/// The event store alone: appends from 20 "instances" at a steady total rate, each frame's
/// latency from append to publication (i.e. stored), no processes and no WebSockets.
async fn store_alone(rate: u64, seconds: u64) {
    use flotilla::instances::engine::{bus::EventBus, events::EventStore};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let db = flotilla::base::db::open(&dir.path().join("bench.db"))
        .await
        .unwrap();
    let ids: Vec<Arc<str>> = (0..20)
        .map(|i| Arc::from(format!("{i:08}-aaaa-bbbb-cccc-dddddddddddd")))
        .collect();
    for id in &ids {
        sqlx::query("INSERT INTO instances (id, name, cwd, session_id, permission_mode, status, created_at, last_active_at) VALUES ($1, 'b', '/', 's', 'default', 'idle', 0, 0)")
            .bind(&**id).execute(&db).await.unwrap();
    }
    let bus = EventBus::new();
    let store = EventStore::start(db.clone(), bus.clone());
    let total = rate * seconds;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    for id in &ids {
        let mut frames = bus.subscribe(id);
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Ok(frame) = frames.recv().await {
                let received = now_us();
                let text = std::str::from_utf8(&frame.json).unwrap_or("");
                if let Some(i) = text.find(r#""t_us":"#) {
                    let digits: String = text[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    let _ =
                        tx.send(received.saturating_sub(digits.parse().unwrap_or(received)) as u32);
                }
            }
        });
    }
    drop(tx);
    let collector = tokio::spawn(async move {
        let mut latencies = Vec::with_capacity(total as usize);
        while latencies.len() < total as usize {
            match rx.recv().await {
                Some(l) => latencies.push(l),
                None => break,
            }
        }
        latencies
    });
    let padding = "x".repeat(180);
    let started = Instant::now();
    for n in 0..total {
        let due = started + Duration::from_micros(n * 1_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let id = &ids[(n % 20) as usize];
        let data = format!(
            r#"{{"type":"stream_event","event":{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{padding}"}}}},"t_us":{}}}"#,
            now_us()
        );
        store
            .append(id, n / 20 + 1, "stream_event", data)
            .await
            .unwrap();
    }
    let mut latencies = collector.await.unwrap();
    latencies.sort_unstable();
    println!(
        "store alone at {rate} events/s: append -> stored and published p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--fake-child") {
        let n = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(0);
        fake_child(n(2), n(3));
        return;
    }
    // `cargo bench` passes `--bench`; anything else (e.g. a filter) is ignored.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cwd = dir.path().canonicalize().unwrap();
        println!(
            "flotilla engine bench ({} CPUs)",
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
        let only = std::env::var("FLOTILLA_BENCH_ONLY").unwrap_or_default();
        let run = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
        if run("steady") {
            let _ = fan_out(&cwd, 5_000, 1_000, "steady 1 000 lines/s per instance").await;
        }
        if run("flat") {
            let _ = fan_out(&cwd, 5_000, 0, "flat out").await;
        }
        if run("store") {
            if std::env::var("FLOTILLA_BENCH_LOG").is_ok() {
                tracing_subscriber::fmt()
                    .with_env_filter(tracing_subscriber::EnvFilter::from_env(
                        "FLOTILLA_BENCH_LOG",
                    ))
                    .with_writer(std::io::stderr)
                    .init();
            }
            store_alone(20_000, 5).await;
        }
        if run("memory") {
            memory(&cwd).await;
        }
        if run("startup") {
            startup(&cwd).await;
        }
    });
}
