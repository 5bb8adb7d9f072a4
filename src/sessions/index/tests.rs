//! The index against synthetic histories whose totals are known exactly
//! (tests/support/transcripts.rs), and against files that grow, shrink, change and vanish.

use super::*;

#[path = "../../../tests/support/transcripts.rs"]
mod transcripts;

fn index_of(dir: &Path) -> (SessionIndex, ScanReport) {
    let mut index = SessionIndex::new(dir);
    let report = index.scan(2, &Progress::default()).expect("scan");
    (index, report)
}

fn total_tokens(index: &SessionIndex) -> (Tokens, u64) {
    let mut t = Tokens::default();
    let mut messages = 0;
    for s in index.sessions() {
        t.add(&s.tokens);
        messages += s.api_messages;
    }
    (t, messages)
}

#[test]
fn totals_are_exact_and_repeated_messages_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let expected = transcripts::generate(dir.path(), 3 << 20, 7);
    assert!(expected.forks >= 1, "the set has a fork: {expected:?}");
    let (index, report) = index_of(dir.path());
    let (t, messages) = total_tokens(&index);
    assert_eq!(
        (t.input, t.output, t.cache_creation, t.cache_read, messages),
        (
            expected.total.input,
            expected.total.output,
            expected.total.cache_creation,
            expected.total.cache_read,
            expected.total.messages
        )
    );
    let cost: f64 = index.sessions().map(|s| s.computed_cost_usd).sum();
    assert!((cost - expected.total.cost_usd).abs() < 1e-9 * expected.total.cost_usd.max(1.0));
    assert_eq!(report.malformed_lines, expected.malformed_lines);
    assert_eq!(index.sessions().count() as u64, expected.sessions);
    // Each session has what it wrote itself: a fork's copy of its parent's messages stays with
    // the parent, and so do the copied prompts.
    for (id, want) in &expected.by_session {
        let s = index.session(id).expect("every session is indexed");
        assert_eq!(
            (s.tokens.input, s.tokens.output, s.api_messages),
            (want.input, want.output, want.messages),
            "{id}"
        );
        assert_eq!(s.prompts, expected.prompts_by_session[id], "{id}");
        assert!(
            s.title
                .as_deref()
                .is_some_and(|t| t.starts_with("Task 0: fix the \"parser\"")),
            "{:?}",
            s.title
        );
        assert!(s
            .cwd
            .as_deref()
            .is_some_and(|c| c.starts_with("/home/dev/project-")));
        // A fork knows its parent from the messages it repeats (as a CLI-made fork has no
        // other trace of it); the others come from nowhere.
        assert_eq!(
            s.continued_from.as_ref(),
            expected.fork_parents.get(id),
            "{id}"
        );
    }
    // By day, as analytics sums it.
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    for ((_, hour, _), u) in index.usage() {
        let day = crate::base::clock::format_ts(i64::from(hour) * 3_600_000);
        *by_day.entry(day[..10].to_string()).or_default() += u.tokens.input;
    }
    let want: BTreeMap<String, u64> = expected
        .by_day
        .iter()
        .map(|(d, t)| (d.clone(), t.input))
        .collect();
    assert_eq!(by_day, want);
}

#[test]
fn the_same_history_read_twice_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let expected = transcripts::generate(&dir.path().join("a"), 1 << 20, 11);
    // The whole history again, as a copy in a second folder (a backup restored beside it).
    transcripts::generate(&dir.path().join("b"), 1 << 20, 11);
    let (index, _) = index_of(dir.path());
    let (t, messages) = total_tokens(&index);
    assert_eq!(
        (t.input, messages),
        (expected.total.input, expected.total.messages)
    );
}

#[test]
fn a_rescan_reads_only_what_was_appended() {
    let dir = tempfile::tempdir().unwrap();
    transcripts::generate(dir.path(), 1 << 20, 3);
    let mut index = SessionIndex::new(dir.path());
    let progress = Progress::default();
    index.scan(2, &progress).unwrap();
    let before = total_tokens(&index).0;
    let again = index.scan(2, &progress).unwrap();
    assert_eq!(
        (again.files_read, again.bytes_read, again.rebuilt),
        (0, 0, false)
    );

    let (id, totals) = transcripts::append_session(dir.path(), 99);
    let file = std::fs::read_dir(dir.path().join("-home-dev-appended"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    let size = text.len() as u64;
    // Half a line at the end (still being written): not read until it is complete.
    let cut = text.len() - 40;
    std::fs::write(&file, &text[..cut]).unwrap();
    let partial = index.scan(2, &progress).unwrap();
    assert!(!partial.rebuilt && partial.bytes_read < cut as u64);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    std::io::Write::write_all(&mut f, &text.as_bytes()[cut..]).unwrap();
    let rest = index.scan(2, &progress).unwrap();
    assert!(!rest.rebuilt);
    assert_eq!(partial.bytes_read + rest.bytes_read, size);
    let s = index.session(&id).unwrap();
    assert_eq!(
        (s.tokens.input, s.api_messages),
        (totals.input, totals.messages)
    );
    assert_eq!(total_tokens(&index).0.input, before.input + totals.input);
}

#[test]
fn truncated_rewritten_and_deleted_files_rebuild_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let expected = transcripts::generate(dir.path(), 1 << 20, 5);
    let mut index = SessionIndex::new(dir.path());
    let progress = Progress::default();
    index.scan(2, &progress).unwrap();
    let files = list_transcripts(dir.path()).unwrap();
    let victim = &files[0].path;
    let id = victim.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(victim).unwrap();

    // Truncated to its first lines: what is left is all that counts.
    let keep: String = text.split_inclusive('\n').take(3).collect();
    std::fs::write(victim, &keep).unwrap();
    let r = index.scan(2, &progress).unwrap();
    assert!(r.rebuilt);
    let (fresh, _) = index_of(dir.path());
    assert_eq!(total_tokens(&index), total_tokens(&fresh));
    assert!(total_tokens(&index).0.input < expected.total.input);

    // Rewritten in place with other content of the same length.
    let other = keep.replace("Task 0", "Task X");
    assert_eq!(other.len(), keep.len());
    std::fs::write(victim, &other).unwrap();
    let r = index.scan(2, &progress).unwrap();
    assert!(r.rebuilt, "same size, different content");
    assert!(index
        .session(&id)
        .unwrap()
        .title
        .as_deref()
        .unwrap()
        .starts_with("Task X"));

    // Deleted: its session is gone.
    std::fs::remove_file(victim).unwrap();
    assert!(index.scan(2, &progress).unwrap().rebuilt);
    assert!(index.session(&id).is_none());
}

#[test]
fn malformed_lines_are_skipped_and_counted_and_a_missing_folder_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("-w");
    std::fs::create_dir_all(&folder).unwrap();
    let good = r#"{"type":"assistant","sessionId":"s1","timestamp":"2026-11-02T10:00:00.000Z","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-20250514","usage":{"input_tokens":10,"output_tokens":5}}}"#;
    let text = format!(
        "{good}\nnot json\n{{\"type\":\"assistant\",\"message\":{{\n\n{}\n",
        good.replace("r1", "r2")
    );
    std::fs::write(folder.join("s1.jsonl"), text).unwrap();
    let (index, report) = index_of(dir.path());
    assert_eq!(report.malformed_lines, 2);
    let s = index.session("s1").unwrap();
    assert_eq!((s.api_messages, s.tokens.input), (2, 20));
    assert!((s.computed_cost_usd - 2.0 * (10.0 * 3.0 + 5.0 * 15.0) / 1e6).abs() < 1e-12);

    let (empty, report) = index_of(&dir.path().join("no-such-folder"));
    assert_eq!((empty.sessions().count(), report.files_seen), (0, 0));
}
