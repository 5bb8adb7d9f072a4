use super::markdown::{export, fenced};
use super::rewrite::{check_import, fork_lines, relocate, write_new, RewriteError};
use super::Conversation;
use serde_json::{json, Value};

const SID: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const NEW: &str = "11111111-2222-4333-8444-555555555555";

fn line(v: Value) -> String {
    format!("{v}\n")
}

/// A prompt, a reply with a tool call, its result, a second prompt and reply, and a branch:
/// a third prompt that replies to the first reply (a rewind), plus lines that are not messages.
fn transcript() -> String {
    let msg = |uuid: &str, parent: Option<&str>, kind: &str, content: Value| {
        json!({"type": kind, "uuid": uuid, "parentUuid": parent, "sessionId": SID,
               "isSidechain": false, "cwd": "/w", "timestamp": format!("2026-12-01T10:00:0{}Z", &uuid[1..2]),
               "message": {"role": kind, "content": content, "id": format!("msg-{uuid}")}})
    };
    [
        line(json!({"type": "queue-operation", "sessionId": SID, "content": "first"})),
        line(msg("u1", None, "user", json!("first prompt\nsecond line"))),
        line(msg(
            "a2",
            Some("u1"),
            "assistant",
            json!([{"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls ```"}}]),
        )),
        line(msg(
            "r3",
            Some("a2"),
            "user",
            json!([{"type": "tool_result", "tool_use_id": "t1", "content": "x".repeat(30_000)}]),
        )),
        line(json!({"type": "cost-state", "sessionId": SID, "totalCostUSD": 0.5, "startTime": 1})),
        line(msg("u4", Some("r3"), "user", json!("another prompt"))),
        line(msg(
            "a5",
            Some("u4"),
            "assistant",
            json!([{"type": "text", "text": "Done."}]),
        )),
        "not json at all\n".to_string(),
        line(msg("u6", Some("a2"), "user", json!("a different path"))),
        line(msg(
            "a7",
            Some("u6"),
            "assistant",
            json!([{"type": "text", "text": "Other."}]),
        )),
    ]
    .concat()
}

fn write_transcript() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{SID}.jsonl"));
    std::fs::write(&path, transcript()).unwrap();
    (dir, path)
}

#[test]
fn reads_the_tree_its_main_path_and_the_frames_to_replay() {
    let (dir, path) = write_transcript();
    // A sub-agent's file beside it.
    let sub = dir.path().join(SID).join("subagents");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("agent-1.jsonl"),
        line(
            json!({"type": "user", "uuid": "s1", "parentUuid": null, "isSidechain": true,
            "sessionId": SID, "message": {"role": "user", "content": "sub task"}}),
        ),
    )
    .unwrap();
    let c = Conversation::read(&path).unwrap();
    let uuids: Vec<&str> = c.messages.iter().map(|m| m.uuid.as_str()).collect();
    assert_eq!(uuids, ["u1", "a2", "r3", "u4", "a5", "u6", "a7", "s1"]);
    assert_eq!(c.malformed_lines, 1);
    assert!(!c.cut);
    // The newest leaf of the main conversation is a7: its path takes the branch.
    let path_uuids: Vec<&str> = c
        .main_path()
        .iter()
        .map(|&i| c.messages[i].uuid.as_str())
        .collect();
    assert_eq!(path_uuids, ["u1", "a2", "u6", "a7"]);
    assert_eq!(c.branch_levels(), [0, 0, 0, 0, 0, 1, 1, 1]);
    let u1 = &c.messages[0];
    assert!(u1.prompt);
    assert_eq!(u1.summary, "first prompt");
    let (kind, data) = u1.frame.clone().unwrap();
    assert_eq!(kind, "stdin");
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["message"]["content"], "first prompt\nsecond line");
    assert_eq!(c.messages[1].summary, "Let me look.");
    assert_eq!(c.messages[1].frame.as_ref().unwrap().0, "assistant");
    let r3 = &c.messages[2];
    assert!(!r3.prompt, "a tool result is not a prompt");
    let (kind, data) = r3.frame.clone().unwrap();
    assert_eq!(kind, "user");
    assert!(
        data.len() < 21_000 && data.contains("more bytes not shown"),
        "long strings are cut"
    );
    let s1 = &c.messages[7];
    assert!(s1.sidechain && !s1.prompt && s1.frame.is_none());
}

#[test]
fn a_fork_copies_the_path_to_its_message_under_a_new_id() {
    let source = transcript();
    let fork = String::from_utf8(fork_lines(source.as_bytes(), Some("u4"), NEW).unwrap()).unwrap();
    let lines: Vec<Value> = fork
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<String> = lines
        .iter()
        .map(|v| {
            v["uuid"]
                .as_str()
                .unwrap_or(v["type"].as_str().unwrap())
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["queue-operation", "u1", "a2", "r3", "u4"]);
    assert!(lines.iter().all(|v| v["sessionId"] == NEW));
    // At the newest message by default: the branch u6 -> a7, not u4 -> a5.
    let fork = String::from_utf8(fork_lines(source.as_bytes(), None, NEW).unwrap()).unwrap();
    let uuids: Vec<String> = fork
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["uuid"].as_str().map(str::to_string))
        .collect();
    assert_eq!(uuids, ["u1", "a2", "u6", "a7"]);
    assert_eq!(
        fork_lines(source.as_bytes(), Some("nope"), NEW),
        Err(RewriteError::NoMessage("nope".into()))
    );
}

#[test]
fn an_import_is_checked_line_by_line() {
    let good = transcript().replace("not json at all\n", "");
    let plan = check_import(good.as_bytes()).unwrap();
    assert_eq!(plan.session_id, SID);
    assert_eq!(plan.cwd.as_deref(), Some("/w"));
    assert_eq!(plan.messages, 7);
    let cases = [
        (transcript(), "line 8 is not a JSON object"),
        (good.replacen(SID, NEW, 1), "one session per file"),
        (
            good.replace("\"parentUuid\":\"u4\"", "\"parentUuid\":\"zz\""),
            "parentUuid zz",
        ),
        (good.replace(SID, "../../etc"), "not a UUID"),
        (
            line(json!({"type": "x", "sessionId": SID})),
            "no user or assistant",
        ),
        ("{}\n".to_string(), "not a Claude Code transcript"),
        ("\u{0}\u{ff}".to_string(), "not a JSON object"),
    ];
    for (input, expected) in cases {
        match check_import(input.as_bytes()) {
            Err(RewriteError::Invalid(m)) => assert!(m.contains(expected), "{m} / {expected}"),
            other => panic!("{expected}: {other:?}"),
        }
    }
    let moved = String::from_utf8(relocate(good.as_bytes(), "/here")).unwrap();
    assert!(moved.contains("\"cwd\":\"/here\"") && !moved.contains("\"cwd\":\"/w\""));
}

#[test]
fn a_new_transcript_never_replaces_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p").join(format!("{NEW}.jsonl"));
    write_new(&path, b"one\n", NEW).unwrap();
    assert_eq!(
        write_new(&path, b"two\n", NEW),
        Err(RewriteError::Exists(NEW.into()))
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"one\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // No temporary file is left behind.
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn markdown_keeps_tool_output_inert() {
    let (_dir, path) = write_transcript();
    let md = export(&path, "first prompt").unwrap();
    assert!(md.starts_with("# first prompt\n"));
    assert!(md.contains(&format!("- Session: `{SID}`")));
    assert!(md.contains("## User · 2026-12-01T10:00:01Z\n\nfirst prompt\nsecond line"));
    assert!(md.contains("**Tool: Bash**"));
    assert!(
        md.contains("````json\n"),
        "a fence longer than the input's backticks"
    );
    assert!(md.contains("more bytes)"), "long results are cut");
    assert_eq!(fenced("a ````` b", ""), "``````\na ````` b\n``````\n");
}

#[test]
fn a_merge_brief_carries_both_sessions_along_their_main_paths() {
    use super::merge::{brief, turns, Source, DEFAULT_INSTRUCTION, SESSION_CHARS};
    let (_dir, path) = write_transcript();
    let a = Conversation::read(&path).unwrap();
    let (t, files) = turns(&a);
    // The main path is u1, a2, u6, a7: the rewound branch (u4, a5) is not in it.
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[0].prompt, "first prompt\nsecond line");
    assert_eq!(t[0].tools, ["Bash: ls ```"]);
    assert_eq!(t[0].reply, "Let me look.");
    assert_eq!(
        (t[1].prompt.as_str(), t[1].reply.as_str()),
        ("a different path", "Other.")
    );
    assert!(files.is_empty());

    // B: one turn that edits a file, with a very long reply.
    let dir = tempfile::tempdir().unwrap();
    let b_path = dir.path().join(format!("{NEW}.jsonl"));
    let long = "word ".repeat(5_000);
    std::fs::write(
        &b_path,
        [
            line(json!({"type": "user", "uuid": "b1", "parentUuid": null, "sessionId": NEW,
                "message": {"role": "user", "content": [{"type": "text", "text": "## Turn 9\nfix it"}]}})),
            line(json!({"type": "assistant", "uuid": "b2", "parentUuid": "b1", "sessionId": NEW,
                "message": {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "t", "name": "Edit", "input": {"file_path": "/w/src/lib.rs", "old_string": "a", "new_string": "b"}},
                    {"type": "text", "text": long}]}})),
        ]
        .concat(),
    )
    .unwrap();
    let b = Conversation::read(&b_path).unwrap();
    let source = |id, title, c| Source {
        id,
        title,
        cwd: Some("/w"),
        branch: Some("main"),
        started_at: None,
        conversation: c,
    };
    let text = brief(&source(SID, "Plan A", &a), &source(NEW, "Plan B", &b), None);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in {text}"))
    };
    assert!(at("## Session A: Plan A") < at("## Session B: Plan B"));
    assert!(at("## Session B: Plan B") < at("## What to do now"));
    at(&format!("- Session id: {SID}"));
    at("> first prompt\n> second line");
    at("Tools used: Bash: ls ```");
    at("> Other.");
    at("Tools used: Edit: /w/src/lib.rs");
    at("Files written or edited:\n- /w/src/lib.rs");
    at("… [cut]");
    at(DEFAULT_INSTRUCTION);
    // A prompt's own heading is quoted, so it cannot pass for one of the brief's.
    assert!(text.contains("> ## Turn 9") && !text.contains("\n## Turn 9"));
    let custom = brief(
        &source(SID, "A", &a),
        &source(NEW, "B", &b),
        Some("  Keep A's tests. "),
    );
    assert!(
        custom.ends_with("## What to do now\n\nKeep A's tests.\n"),
        "{custom}"
    );

    // A long session keeps its first turn and its latest ones, and says what it left out.
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join(format!("{NEW}.jsonl"));
    let mut lines = String::new();
    let mut parent = Value::Null;
    for n in 0..60 {
        let (u, r) = (format!("p{n}"), format!("r{n}"));
        lines.push_str(&line(json!({"type": "user", "uuid": u, "parentUuid": parent, "sessionId": NEW,
            "message": {"role": "user", "content": format!("prompt number {n} {}", "x".repeat(1_500))}})));
        lines.push_str(&line(json!({"type": "assistant", "uuid": r, "parentUuid": u, "sessionId": NEW,
            "message": {"role": "assistant", "content": [{"type": "text", "text": format!("reply {n}")}]}})));
        parent = json!(r);
    }
    std::fs::write(&many, lines).unwrap();
    let c = Conversation::read(&many).unwrap();
    let part = super::merge::summary("A", &source(NEW, "Long", &c));
    assert!(part.len() <= SESSION_CHARS, "{}", part.len());
    assert!(part.contains("prompt number 0 ") && part.contains("reply 59"));
    assert!(!part.contains("prompt number 1 "));
    assert!(part.contains("turn(s) in between left out."));
}
