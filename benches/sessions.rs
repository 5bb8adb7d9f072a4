//! Session index figures (issue: sessions and analytics). Run with `cargo bench --bench sessions`:
//!
//! 1. a synthetic history of about 1 GB (FLOTILLA_BENCH_SESSIONS_MB overrides; written once
//!    under target/bench-sessions by the generator in tests/support/transcripts.rs, with its exact
//!    expected totals) indexed from empty, in a child process so its peak memory is its own;
//! 2. a rescan with nothing changed;
//! 3. one more session appended, and the time until a scan shows it;
//! 4. the totals against the expected ones, exactly;
//! 5. ccusage 20.0.24 (`daily --json --offline`, HOME at the same data, TZ=UTC) on the same
//!    files, when it can be installed from the npm registry: its time and whether its totals match.
//!
//! The files are in the page cache for every run (as they are for a running Flotilla): "cold"
//! means an empty index, not an empty cache. Figures are printed, never asserted.

#[path = "../tests/support/transcripts.rs"]
mod transcripts;

use flotilla::sessions::index::{Progress, SessionIndex};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SEED: u64 = 20261203;
/// Bumped when the generator changes, so an old data set is written again.
const GENERATOR_VERSION: u32 = 1;
const THREADS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--cold-index-child") {
        return cold_index_child(Path::new(&args[pos + 1]));
    }
    let mb: u64 = std::env::var("FLOTILLA_BENCH_SESSIONS_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-sessions");
    let home = base.join(format!("home-{mb}mb-v{GENERATOR_VERSION}"));
    let projects = home.join(".claude/projects");
    let manifest = home.join("expected.txt");
    let expected = if manifest.exists() {
        std::fs::read_to_string(&manifest).expect("read the manifest")
    } else {
        let _ = std::fs::remove_dir_all(&home);
        let started = Instant::now();
        let e = transcripts::generate(&projects, mb * 1024 * 1024, SEED);
        let text = format!(
            "{} {} {} {} {:.6} {} {} {}\n",
            e.total.input,
            e.total.output,
            e.total.cache_creation,
            e.total.cache_read,
            e.total.cost_usd,
            e.total.messages,
            e.malformed_lines,
            e.bytes
        );
        std::fs::write(&manifest, &text).expect("write the manifest");
        println!(
            "generated {} files, {:.0} MB in {:.1} s",
            e.files,
            e.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        text
    };
    let want: Vec<&str> = expected.split_whitespace().collect();
    println!(
        "data set: {} ({} MB of transcripts)",
        projects.display(),
        want[7].parse::<u64>().unwrap_or(0) / 1_000_000
    );

    // 1. Cold index, in a child process for its own peak memory. The median of three.
    let exe = std::env::current_exe().expect("own path");
    let mut colds = Vec::new();
    let mut child_out = String::new();
    for _ in 0..3 {
        let out = Command::new(&exe)
            .args(["--cold-index-child", projects.to_str().unwrap_or_default()])
            .output()
            .expect("run the child");
        child_out = String::from_utf8_lossy(&out.stdout).into_owned();
        let fields: Vec<&str> = child_out.split_whitespace().collect();
        colds.push((
            fields[0].parse::<f64>().unwrap_or(0.0),
            fields[1].parse::<u64>().unwrap_or(0),
        ));
    }
    colds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (cold_s, peak_kib) = colds[1];
    println!(
        "cold index: {:.3} s (median of 3: {:?}), peak memory {:.1} MiB",
        cold_s,
        colds
            .iter()
            .map(|c| format!("{:.3}", c.0))
            .collect::<Vec<_>>(),
        peak_kib as f64 / 1024.0
    );
    let fields: Vec<&str> = child_out.split_whitespace().collect();
    let got = &fields[2..];
    let same = got[..5] == want[..5] || {
        // Tokens exactly; cost to the micro-dollar (a sum of floats in another order).
        got[..4] == want[..4]
            && (got[4].parse::<f64>().unwrap_or(0.0) - want[4].parse::<f64>().unwrap_or(1.0)).abs()
                < 1e-6 * want[4].parse::<f64>().unwrap_or(1.0).max(1.0)
    };
    println!(
        "totals: index in/out/cache-write/cache-read/cost/messages/malformed = {}",
        got[..7].join(" ")
    );
    println!(
        "        expected                                              = {}",
        want[..7].join(" ")
    );
    println!(
        "        tokens and cost match exactly: {same}; messages {}; malformed lines {}",
        if got[5] == want[5] { "match" } else { "DIFFER" },
        if got[6] == want[6] { "match" } else { "DIFFER" }
    );

    // 2. Rescan with nothing changed, and 3. one appended session.
    let progress = Progress::default();
    let mut index = SessionIndex::new(&projects);
    index.scan(THREADS, &progress).expect("scan");
    let mut rescans = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        let r = index.scan(THREADS, &progress).expect("rescan");
        rescans.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.files_read, 0, "nothing changed, nothing read");
    }
    rescans.sort_by(f64::total_cmp);
    println!(
        "rescan, nothing changed: {:.2} ms (median of 9, {} files)",
        rescans[4],
        index.sessions().count()
    );
    let appended_dir = projects.join("-home-dev-appended");
    let _ = std::fs::remove_dir_all(&appended_dir);
    let written = Instant::now();
    let (id, totals) = transcripts::append_session(&projects, SEED + 1);
    let t = Instant::now();
    index.scan(THREADS, &progress).expect("scan after append");
    let scan_ms = t.elapsed().as_secs_f64() * 1000.0;
    let shown = index.session(&id).map(|s| s.tokens.input);
    println!(
        "append of one session: incremental scan {:.2} ms, written→indexed {:.2} ms (plus up to the service's {} ms scan interval); its input tokens {} (expected {})",
        scan_ms,
        written.elapsed().as_secs_f64() * 1000.0,
        flotilla::sessions::SCAN_INTERVAL_MS,
        shown.map(|n| n.to_string()).unwrap_or("missing".into()),
        totals.input
    );
    let _ = std::fs::remove_dir_all(&appended_dir);

    // 5. ccusage side by side.
    match ccusage() {
        None => println!("ccusage 20.0.24: not available (npm install failed); skipped"),
        Some(bin) => {
            let mut times = Vec::new();
            let mut out = None;
            for _ in 0..3 {
                let t = Instant::now();
                let o = Command::new(&bin)
                    .args(["daily", "--json", "--offline"])
                    .env("HOME", &home)
                    .env("TZ", "UTC")
                    .env_remove("CLAUDE_CONFIG_DIR")
                    .output();
                times.push(t.elapsed().as_secs_f64());
                out = o.ok();
            }
            times.sort_by(f64::total_cmp);
            let report = out
                .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
                .unwrap_or_default();
            let t = &report["totals"];
            let theirs = [
                t["inputTokens"].as_u64().unwrap_or(0),
                t["outputTokens"].as_u64().unwrap_or(0),
                t["cacheCreationTokens"].as_u64().unwrap_or(0),
                t["cacheReadTokens"].as_u64().unwrap_or(0),
            ];
            let mine: Vec<u64> = want[..4].iter().map(|v| v.parse().unwrap_or(0)).collect();
            let cost = t["totalCost"].as_f64().unwrap_or(0.0);
            println!(
                "ccusage 20.0.24 daily --json --offline: {:.3} s (median of 3); tokens {:?} vs expected {:?}: {}; cost {:.4} vs expected {}",
                times[1], theirs, mine, if theirs[..] == mine[..] { "match" } else { "DIFFER" }, cost, want[4]
            );
        }
    }
}

/// Indexes `projects` from empty and prints: seconds, peak KiB, then the totals.
fn cold_index_child(projects: &Path) {
    let t = Instant::now();
    let mut index = SessionIndex::new(projects);
    let report = index.scan(THREADS, &Progress::default()).expect("scan");
    let secs = t.elapsed().as_secs_f64();
    let mut tokens = flotilla::sessions::index::Tokens::default();
    let (mut cost, mut messages) = (0.0, 0u64);
    for s in index.sessions() {
        tokens.add(&s.tokens);
        cost += s.computed_cost_usd;
        messages += s.api_messages;
    }
    println!(
        "{secs:.4} {} {} {} {} {} {cost:.6} {messages} {}",
        peak_kib(),
        tokens.input,
        tokens.output,
        tokens.cache_creation,
        tokens.cache_read,
        report.malformed_lines
    );
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The pinned ccusage, installed once under target/ (it is only for this comparison).
fn ccusage() -> Option<PathBuf> {
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ccusage-20.0.24");
    let bin = prefix.join("node_modules/.bin/ccusage");
    if !bin.exists() {
        let ok = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&prefix)
            .arg("ccusage@20.0.24")
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return None;
        }
    }
    bin.exists().then_some(bin)
}
