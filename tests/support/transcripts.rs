//! A generator of synthetic Claude Code transcripts with their exact expected totals, for the
//! session index's tests and benchmark. The line shapes follow what the real CLI writes
//! (`shared/reference/claude-code/session_jsonl_excerpt.jsonl`): prompts, bulky attachments and
//! tool results full of escapes, assistant messages written as several lines that repeat one
//! `message.id` + `requestId`, sub-agent (sidechain) lines, forks whose file starts with a copy
//! of the parent's lines, `cost-state` lines and a few malformed lines.
//!
//! The totals are computed here, independently of the index, from what was written.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub const MODELS: [&str; 3] = [
    "claude-sonnet-4-20250514",
    "claude-opus-4-20250514",
    "claude-3-5-haiku-20241022",
];

/// Dollars per million tokens: input, output, cache write, cache read (the oracle's own copy).
fn price(model: &str) -> [f64; 4] {
    match model {
        "claude-sonnet-4-20250514" => [3.0, 15.0, 3.75, 0.3],
        "claude-opus-4-20250514" => [15.0, 75.0, 18.75, 1.5],
        _ => [0.8, 4.0, 1.0, 0.08],
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub input: u64,
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
    pub cost_usd: f64,
    pub messages: u64,
}

impl Totals {
    fn add(&mut self, model: &str, t: [u64; 4]) {
        let p = price(model);
        self.input += t[0];
        self.output += t[1];
        self.cache_creation += t[2];
        self.cache_read += t[3];
        self.cost_usd += (0..4).map(|i| t[i] as f64 * p[i]).sum::<f64>() / 1_000_000.0;
        self.messages += 1;
    }
}

#[derive(Debug, Default)]
pub struct Expected {
    pub total: Totals,
    pub by_day: BTreeMap<String, Totals>,
    /// By the session each message came from (a fork's copied lines count for its parent).
    pub by_session: BTreeMap<String, Totals>,
    pub prompts_by_session: BTreeMap<String, u64>,
    /// By (session, day).
    pub by_session_day: BTreeMap<(String, String), Totals>,
    /// The CLI's own total of the sessions that have a `cost-state` line.
    pub cli_costs: BTreeMap<String, f64>,
    pub sessions: u64,
    pub files: u64,
    /// Sessions whose file starts with a copy of the one before.
    pub forks: u64,
    /// Each fork's parent (fork -> parent).
    pub fork_parents: BTreeMap<String, String>,
    pub malformed_lines: u64,
    pub bytes: u64,
}

impl Expected {
    /// Each day's cost as analytics reports it: a session with the CLI's own total counts that,
    /// spread over its days in proportion to their price-table cost; the others at the table.
    pub fn reported_cost_by_day(&self) -> BTreeMap<String, f64> {
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for ((session, day), t) in &self.by_session_day {
            let cost = match self.cli_costs.get(session) {
                Some(reported) => reported * t.cost_usd / self.by_session[session].cost_usd,
                None => t.cost_usd,
            };
            *out.entry(day.clone()).or_default() += cost;
        }
        out
    }
}

/// A small deterministic random source (the same files from the same seed, on every machine).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn id(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// Text like tool output: code with quotes, backslashes and newlines (escaped in the JSON).
fn bulky(rng: &mut Rng, bytes: usize) -> String {
    const WORDS: [&str; 8] = [
        "fn main() {",
        "    let x = \"quoted\";",
        "}",
        "path\\to\\file",
        "println!(\"{x}\");",
        "// a comment",
        "\tindented",
        "<tag attr=\"v\">",
    ];
    let mut s = String::with_capacity(bytes + 64);
    while s.len() < bytes {
        s.push_str(WORDS[rng.below(8) as usize]);
        s.push('\n');
    }
    s
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

struct Writer<'a> {
    out: std::io::BufWriter<std::fs::File>,
    bytes: u64,
    expected: &'a mut Expected,
}

impl Writer<'_> {
    fn line(&mut self, line: &str) {
        self.out.write_all(line.as_bytes()).expect("write");
        self.out.write_all(b"\n").expect("write");
        self.bytes += line.len() as u64 + 1;
    }
}

/// The lines of one session: returned so a fork can start with a copy of them.
fn session_lines(
    rng: &mut Rng,
    session: &str,
    cwd: &str,
    day: u32,
    start_minute: Option<u32>,
    target_bytes: usize,
    expected: &mut Expected,
) -> (Vec<String>, u32) {
    let mut lines = Vec::new();
    let mut bytes = 0usize;
    let mut minute = start_minute.unwrap_or_else(|| rng.below(600) as u32);
    let mut parent = "null".to_string();
    let common = |ts: &str, side: bool| {
        format!(
            r#""isSidechain":{side},"userType":"external","entrypoint":"sdk-cli","cwd":{},"sessionId":"{session}","version":"2.1.331","gitBranch":"main","timestamp":"{ts}""#,
            json_str(cwd)
        )
    };
    let mut turn = 0;
    while bytes < target_bytes {
        let ts = |m: u32, s: u32| {
            format!(
                "2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                day,
                m / 60 % 24,
                m % 60,
                s % 60,
                s % 1000
            )
        };
        let prompt_uuid = rng.id();
        let text = format!("Task {turn}: fix the \"parser\" in src/lib.rs\nand run the tests");
        lines.push(format!(
            r#"{{"type":"queue-operation","operation":"enqueue","timestamp":"{}","sessionId":"{session}","content":{}}}"#,
            ts(minute, 0),
            json_str(&text)
        ));
        lines.push(format!(
            r#"{{"parentUuid":{parent},"promptId":"{}","type":"user","message":{{"role":"user","content":{}}},"uuid":"{prompt_uuid}","permissionMode":"default",{}}}"#,
            rng.id(),
            json_str(&text),
            common(&ts(minute, 1), false)
        ));
        *expected
            .prompts_by_session
            .entry(session.to_string())
            .or_default() += 1;
        if rng.below(3) == 0 {
            let size = 20_000 + rng.below(180_000) as usize;
            let content = bulky(rng, size);
            lines.push(format!(
                r#"{{"parentUuid":"{prompt_uuid}","attachment":{{"type":"file","filename":"src/lib.rs","content":{}}},"type":"attachment","uuid":"{}",{}}}"#,
                json_str(&content),
                rng.id(),
                common(&ts(minute, 2), false)
            ));
        }
        parent = format!("\"{prompt_uuid}\"");
        for step in 0..(1 + rng.below(4)) {
            let side = rng.below(5) == 0;
            let model = MODELS[rng.below(3) as usize];
            let usage = [
                1 + rng.below(30_000),
                1 + rng.below(2_000),
                rng.below(5_000),
                rng.below(60_000),
            ];
            let msg = format!("msg_{:016x}", rng.next());
            let req = format!("req_{:016x}", rng.next());
            let at = ts(minute, 3 + step as u32);
            // One API message, written as one line per content block, each repeating the usage.
            let blocks = 1 + rng.below(3);
            for b in 0..blocks {
                let content = if b + 1 == blocks {
                    format!(
                        r#"[{{"type":"tool_use","id":"toolu_{:012x}","name":"Bash","input":{{"command":"cargo test","model":"not-a-model"}}}}]"#,
                        rng.next() & 0xffff_ffff_ffff
                    )
                } else {
                    let size = 200 + rng.below(2000) as usize;
                    format!(
                        r#"[{{"type":"text","text":{}}}]"#,
                        json_str(&bulky(rng, size))
                    )
                };
                let uuid = rng.id();
                lines.push(format!(
                    r#"{{"parentUuid":{parent},"message":{{"id":"{msg}","type":"message","role":"assistant","model":"{model}","content":{content},"stop_reason":"tool_use","stop_sequence":null,"usage":{{"input_tokens":{},"cache_creation_input_tokens":{},"cache_read_input_tokens":{},"output_tokens":{},"service_tier":"standard"}}}},"requestId":"{req}","type":"assistant","uuid":"{uuid}",{}}}"#,
                    usage[0], usage[2], usage[3], usage[1],
                    common(&at, side)
                ));
                parent = format!("\"{uuid}\"");
            }
            let total = [usage[0], usage[1], usage[2], usage[3]];
            expected.total.add(model, total);
            expected
                .by_day
                .entry(format!("2026-11-{day:02}"))
                .or_default()
                .add(model, total);
            expected
                .by_session
                .entry(session.to_string())
                .or_default()
                .add(model, total);
            expected
                .by_session_day
                .entry((session.to_string(), format!("2026-11-{day:02}")))
                .or_default()
                .add(model, total);
            let size = 2_000 + rng.below(40_000) as usize;
            let result = bulky(rng, size);
            let uuid = rng.id();
            lines.push(format!(
                r#"{{"parentUuid":{parent},"type":"user","message":{{"role":"user","content":[{{"tool_use_id":"toolu_x","type":"tool_result","content":{},"is_error":false}}]}},"uuid":"{uuid}","toolUseResult":{{"stdout":{},"stderr":"","interrupted":false}},{}}}"#,
                json_str(&result[..result.len().min(500)]),
                json_str(&result),
                common(&ts(minute, 4 + step as u32), side)
            ));
            parent = format!("\"{uuid}\"");
        }
        lines.push(format!(
            r#"{{"type":"last-prompt","lastPrompt":{},"sessionId":"{session}"}}"#,
            json_str(&text)
        ));
        bytes = lines.iter().map(|l| l.len() + 1).sum();
        minute += 1 + rng.below(20) as u32;
        turn += 1;
    }
    (lines, minute)
}

fn escape_dir(cwd: &str) -> String {
    cwd.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Writes about `target_bytes` of transcripts under `projects` (`<home>/.claude/projects`).
pub fn generate(projects: &Path, target_bytes: u64, seed: u64) -> Expected {
    let mut rng = Rng::new(seed);
    let mut expected = Expected::default();
    let mut written = 0u64;
    let mut n = 0u64;
    // The session before: (id, day, its lines, the minute it ended).
    let mut previous: Option<(String, u32, Vec<String>, u32)> = None;
    while written < target_bytes {
        let cwd = format!("/home/dev/project-{}", rng.below(12));
        let dir = projects.join(escape_dir(&cwd));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let session = rng.id();
        let day = 1 + rng.below(28) as u32;
        let size = (50_000 + rng.below(900_000)) as usize;
        let path: PathBuf = dir.join(format!("{session}.jsonl"));
        let file = std::fs::File::create(&path).expect("create");
        let mut w = Writer {
            out: std::io::BufWriter::with_capacity(1 << 20, file),
            bytes: 0,
            expected: &mut expected,
        };
        // Every third session is a fork of the one before: its file starts with the parent's lines
        // (same message ids, request ids and times; this session's id), then goes on.
        let fork_of = previous.take().filter(|_| n % 3 == 2);
        // It goes on after its parent ended, on the same day.
        let (day, start) = match &fork_of {
            Some((parent_id, parent_day, copied, parent_end)) => {
                for line in copied.iter().take(copied.len() / 2) {
                    w.line(&line.replace(parent_id.as_str(), &session));
                }
                w.expected.forks += 1;
                w.expected
                    .fork_parents
                    .insert(session.clone(), parent_id.clone());
                (*parent_day, Some(parent_end + 1))
            }
            None => (day, None),
        };
        let (lines, end) = session_lines(&mut rng, &session, &cwd, day, start, size, w.expected);
        for line in &lines {
            w.line(line);
        }
        // A cost-state line (the CLI's own total) in some sessions.
        if rng.below(2) == 0 {
            w.expected.cli_costs.insert(session.clone(), 1.25);
            w.line(&format!(
                r#"{{"type":"cost-state","sessionId":"{session}","totalCostUSD":1.25,"startTime":1795518835203,"modelUsage":{{}}}}"#
            ));
        }
        if n % 97 == 3 {
            // Malformed: a line cut short, and one that is not JSON at all.
            w.line(r#"{"type":"assistant","message":{"id":"msg_cut","usage":{"input_tokens":5"#);
            w.line("this is not json");
            w.expected.malformed_lines += 2;
        }
        w.out.flush().expect("flush");
        written += w.bytes;
        expected.bytes += w.bytes;
        expected.files += 1;
        expected.sessions += 1;
        previous = Some((session, day, lines, end));
        n += 1;
    }
    expected
}

/// Appends one more session to `projects` (for the "append visible" measurement); its totals.
pub fn append_session(projects: &Path, seed: u64) -> (String, Totals) {
    let mut rng = Rng::new(seed);
    let mut expected = Expected::default();
    let cwd = "/home/dev/appended";
    let dir = projects.join(escape_dir(cwd));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let session = rng.id();
    let (lines, _) = session_lines(&mut rng, &session, cwd, 29, None, 20_000, &mut expected);
    let mut text = String::new();
    for l in &lines {
        let _ = writeln!(text, "{l}");
    }
    std::fs::write(dir.join(format!("{session}.jsonl")), text).expect("write");
    let totals = expected
        .by_session
        .get(&session)
        .copied()
        .unwrap_or_default();
    (session, totals)
}
