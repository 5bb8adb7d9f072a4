//! What the security stack costs (issue: security). Run with `cargo bench --bench auth`:
//!
//! `GET /api/instances` with sign-in (an API token), the Host / Origin checks and the rate limit
//! on, against the same server with auth off and no rate limit (the Host and Origin checks cannot
//! be turned off; they are a few string comparisons). The two servers run one after the other,
//! in rounds that alternate, so both see the same machine. Load comes from this process (32
//! keep-alive connections) and, when it is installed, from `wrk` (Debian's package) too.
//! Figures are printed, never asserted.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

const CONNECTIONS: usize = 32;
const ROUND: Duration = Duration::from_secs(5);
const ROUNDS: usize = 2;

struct Server {
    child: tokio::process::Child,
    url: String,
}

/// Starts the release server on `data` with extra flags; waits for its address.
async fn start(data: &Path, flags: &[&str]) -> Server {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flotilla"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--claude-bin",
            "/bin/false",
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("--claude-home")
        .arg(data)
        .args(flags)
        .env("RUST_LOG", "warn,flotilla::server=info")
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
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server { child, url }
}

impl Server {
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

/// A token made with the command line, as a script's owner would.
fn create_token(data: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flotilla"))
        .args(["token", "create", "--name", "bench", "--data-dir"])
        .arg(data)
        .output()
        .expect("flotilla token create");
    assert!(out.status.success(), "token create failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("a token")
        .trim()
        .to_string()
}

struct Figures {
    requests: usize,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// `CONNECTIONS` clients asking as fast as they get answers, for `ROUND`.
async fn load(url: &str, token: Option<&str>) -> Figures {
    let target = format!("{url}/api/instances");
    let deadline = Instant::now() + ROUND;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let target = target.clone();
        let auth = token.map(|t| format!("Bearer {t}"));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let mut request = client.get(&target);
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth);
                }
                let sent = Instant::now();
                let response = request.send().await.expect("GET");
                assert_eq!(response.status(), 200, "GET /api/instances");
                let _ = response.bytes().await;
                latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            }
            latencies
        }));
    }
    let mut latencies_us = Vec::new();
    for task in tasks {
        latencies_us.extend(task.await.expect("load task"));
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Figures {
        requests: latencies_us.len(),
        elapsed,
        latencies_us,
    }
}

/// `wrk`'s requests/s and p99 (ms), when wrk is installed.
fn wrk(url: &str, token: Option<&str>) -> Option<(f64, f64)> {
    let mut command = std::process::Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{}s", ROUND.as_secs()),
        "--latency",
    ]);
    if let Some(t) = token {
        command.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = command.arg(format!("{url}/api/instances")).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let p99 = text
        .lines()
        .find(|l| l.trim_start().starts_with("99%"))?
        .split_whitespace()
        .nth(1)?;
    let p99_ms = if let Some(us) = p99.strip_suffix("us") {
        us.parse::<f64>().ok()? / 1000.0
    } else if let Some(ms) = p99.strip_suffix("ms") {
        ms.parse::<f64>().ok()?
    } else {
        p99.strip_suffix('s')?.parse::<f64>().ok()? * 1000.0
    };
    let non_2xx = text.lines().any(|l| l.contains("Non-2xx"));
    (!non_2xx).then_some((rate, p99_ms))
}

#[derive(Default)]
struct Totals {
    requests: usize,
    elapsed: Duration,
    latencies_us: Vec<u32>,
    wrk: Vec<(f64, f64)>,
}

impl Totals {
    fn add(&mut self, f: Figures, w: Option<(f64, f64)>) {
        self.requests += f.requests;
        self.elapsed += f.elapsed;
        self.latencies_us.extend(f.latencies_us);
        self.latencies_us.sort_unstable();
        self.wrk.extend(w);
    }
    fn figures(&self) -> Figures {
        Figures {
            requests: self.requests,
            elapsed: self.elapsed,
            latencies_us: self.latencies_us.clone(),
        }
    }
    fn wrk_mean(&self) -> Option<(f64, f64)> {
        (!self.wrk.is_empty()).then(|| {
            let n = self.wrk.len() as f64;
            (
                self.wrk.iter().map(|w| w.0).sum::<f64>() / n,
                self.wrk.iter().map(|w| w.1).sum::<f64>() / n,
            )
        })
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let secured_data = dir.path().join("secured");
        let open_data = dir.path().join("open");
        std::fs::create_dir_all(&secured_data).expect("data dir");
        std::fs::create_dir_all(&open_data).expect("data dir");
        let token = create_token(&secured_data);
        // The limit is on and checked on every request, set high enough not to refuse the load.
        let secured_flags = ["--auth", "on", "--rate-limit", "1000000", "--rate-burst", "1000000"];
        let open_flags = ["--auth", "off", "--rate-limit", "0"];
        let has_wrk = std::process::Command::new("wrk")
            .arg("--version")
            .output()
            .is_ok();
        println!(
            "flotilla auth bench: GET /api/instances, {CONNECTIONS} connections, {ROUNDS} rounds of {} s each{}",
            ROUND.as_secs(),
            if has_wrk { ", this process and wrk" } else { " (wrk not installed)" }
        );
        let (mut secured, mut open) = (Totals::default(), Totals::default());
        for _ in 0..ROUNDS {
            let server = start(&secured_data, &secured_flags).await;
            let f = load(&server.url, Some(&token)).await;
            let w = if has_wrk { wrk(&server.url, Some(&token)) } else { None };
            secured.add(f, w);
            server.stop().await;

            let server = start(&open_data, &open_flags).await;
            let f = load(&server.url, None).await;
            let w = if has_wrk { wrk(&server.url, None) } else { None };
            open.add(f, w);
            server.stop().await;
        }
        let (s, o) = (secured.figures(), open.figures());
        println!(
            "  auth + checks + rate limit: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
            s.rate(),
            s.percentile(0.5),
            s.percentile(0.99)
        );
        println!(
            "  auth off, no rate limit:    {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
            o.rate(),
            o.percentile(0.5),
            o.percentile(0.99)
        );
        println!(
            "  ratio {:.3}; added p99 {:+.2} ms",
            s.rate() / o.rate(),
            s.percentile(0.99) - o.percentile(0.99)
        );
        if let (Some(ws), Some(wo)) = (secured.wrk_mean(), open.wrk_mean()) {
            println!(
                "  wrk: {:.0} vs {:.0} requests/s (ratio {:.3}), p99 {:.2} vs {:.2} ms (added {:+.2} ms)",
                ws.0,
                wo.0,
                ws.0 / wo.0,
                ws.1,
                wo.1,
                ws.1 - wo.1
            );
        }
    });
}
