//! The report against figures worked out by hand.

use super::*;

const H: u32 = 1; // one hour
/// 2026-12-01T00:00:00Z in hours since the epoch.
const DEC1: u32 = 498_912;
const DAY_MS: i64 = 24 * HOUR_MS;

fn usage(cost: f64, input: u64, output: u64) -> Usage {
    Usage {
        cost_usd: cost,
        input_tokens: input,
        output_tokens: output,
        messages: 1,
        ..Default::default()
    }
}

fn row(session: usize, hour: u32, model: &str, u: Usage) -> UsageRow {
    UsageRow {
        session,
        hour,
        model: model.into(),
        usage: u,
        unpriced: 0,
    }
}

fn session(id: &str, project: Option<&str>, worktree: Option<&str>) -> SessionFacts {
    SessionFacts {
        id: id.into(),
        title: Some(format!("title of {id}")),
        project_id: project.map(str::to_string),
        project_name: project.map(|p| format!("Project {p}")),
        worktree_id: worktree.map(str::to_string),
        worktree_branch: worktree.map(|w| format!("branch/{w}")),
        ..Default::default()
    }
}

/// Three sessions over two days:
/// - a (project p, worktree w): Dec 1 10:00 sonnet $1.00 (100 in, 10 out),
///   Dec 2 09:00 opus $3.00 (200 in, 20 out); the CLI reported $2.00 for the whole session
/// - b (project p): Dec 1 11:00 sonnet $0.50 (50 in, 5 out)
/// - c (no project): Dec 2 12:00 haiku $0.25 (400 in, 40 out)
fn fixture() -> (Vec<SessionFacts>, Vec<UsageRow>) {
    let mut a = session("a", Some("p"), Some("w"));
    a.reported_cost_usd = Some(2.0);
    let sessions = vec![a, session("b", Some("p"), None), session("c", None, None)];
    let rows = vec![
        row(0, DEC1 + 10 * H, "sonnet", usage(1.0, 100, 10)),
        row(0, DEC1 + 33 * H, "opus", usage(3.0, 200, 20)),
        row(1, DEC1 + 11 * H, "sonnet", usage(0.5, 50, 5)),
        row(2, DEC1 + 36 * H, "haiku", usage(0.25, 400, 40)),
    ];
    (sessions, rows)
}

fn at_hour(hour: u32) -> i64 {
    i64::from(hour) * HOUR_MS
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn totals_days_models_projects_and_sessions_add_up() {
    let (sessions, rows) = fixture();
    let r = build(
        &sessions,
        &rows,
        &Scope::default(),
        at_hour(DEC1 + 40),
        "2026-12-01",
    );
    // a's reported $2.00 replaces its $4.00 of list prices, split 1:3 -> $0.50 and $1.50.
    assert!(close(r.totals.cost_usd, 2.0 + 0.5 + 0.25), "{:?}", r.totals);
    assert_eq!(r.totals.input_tokens, 750);
    assert_eq!(r.totals.output_tokens, 75);
    assert_eq!(r.totals.messages, 4);
    assert_eq!((r.sessions, r.sessions_cost_from_cli), (3, 1));
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("2026-12-01", "2026-12-02")
    );
    let days: Vec<(&str, f64)> = r
        .daily
        .iter()
        .map(|d| (d.day.as_str(), d.usage.cost_usd))
        .collect();
    assert_eq!(days.len(), 2);
    assert!(
        close(days[0].1, 0.5 + 0.5) && close(days[1].1, 1.5 + 0.25),
        "{days:?}"
    );
    let models: Vec<(&str, f64)> = r
        .models
        .iter()
        .map(|m| (m.model.as_str(), m.usage.cost_usd))
        .collect();
    assert_eq!(
        models.iter().map(|m| m.0).collect::<Vec<_>>(),
        ["opus", "sonnet", "haiku"]
    );
    assert!(close(models[0].1, 1.5) && close(models[1].1, 1.0) && close(models[2].1, 0.25));
    assert_eq!(r.projects.len(), 2);
    assert_eq!(r.projects[0].project_id.as_deref(), Some("p"));
    assert_eq!(r.projects[0].sessions, 2);
    assert!(close(r.projects[0].usage.cost_usd, 2.5));
    assert_eq!(
        (
            r.projects[1].project_id.clone(),
            r.projects[1].name.as_str()
        ),
        (None, "No project")
    );
    assert_eq!(r.worktrees.len(), 1);
    assert_eq!(r.worktrees[0].branch, "branch/w");
    assert!(close(r.worktrees[0].usage.cost_usd, 2.0));
    let top: Vec<&str> = r.top_sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(top, ["a", "b", "c"]);
    // Every view sums to the same total.
    let sum = |it: &mut dyn Iterator<Item = f64>| it.sum::<f64>();
    for part in [
        sum(&mut r.daily.iter().map(|d| d.usage.cost_usd)),
        sum(&mut r.models.iter().map(|d| d.usage.cost_usd)),
        sum(&mut r.projects.iter().map(|d| d.usage.cost_usd)),
        sum(&mut r.top_sessions.iter().map(|d| d.usage.cost_usd)),
    ] {
        assert!(close(part, r.totals.cost_usd), "{part}");
    }
}

#[test]
fn a_range_and_a_project_narrow_the_report() {
    let (sessions, rows) = fixture();
    let dec2 = i64::from(DEC1 / 24) + 1;
    let scope = Scope {
        project: Some("p".into()),
        from_day: Some(dec2),
        to_day: Some(dec2 + 2),
    };
    let r = build(&sessions, &rows, &scope, at_hour(DEC1 + 100), "x");
    // Only a's Dec 2 row: its share of the reported cost.
    assert!(close(r.totals.cost_usd, 1.5), "{:?}", r.totals);
    assert_eq!(r.sessions, 1);
    assert_eq!(r.daily.len(), 3, "empty days are rows too");
    assert_eq!(r.daily[2].usage, Usage::default());
    assert_eq!(r.top_sessions[0].id, "a");
}

#[test]
fn a_reported_cost_without_prices_is_spread_by_tokens() {
    let mut s = session("x", None, None);
    s.reported_cost_usd = Some(0.9);
    let rows = vec![
        row(0, DEC1, "mystery", usage(0.0, 100, 0)),
        row(0, DEC1 + 30, "mystery", usage(0.0, 200, 0)),
    ];
    let r = build(&[s], &rows, &Scope::default(), at_hour(DEC1 + 31), "x");
    assert!(close(r.daily[0].usage.cost_usd, 0.3) && close(r.daily[1].usage.cost_usd, 0.6));
    // Without a reported figure, an unpriced model's messages are counted as missing.
    let s = session("y", None, None);
    let mut unpriced = row(0, DEC1, "mystery", usage(0.0, 100, 0));
    unpriced.unpriced = 1;
    let r = build(&[s], &[unpriced], &Scope::default(), at_hour(DEC1 + 1), "x");
    assert_eq!(r.unpriced_messages, 1);
}

#[test]
fn plan_windows_open_on_the_hour_of_the_first_message_after_the_last_one_ended() {
    let s = vec![session("s", None, None)];
    // 08:xx, 10:xx and 12:xx: one 5-hour window from 08:00 to 13:00 holds all three;
    // 14:xx opens the next one, which resets at 19:00.
    let rows = vec![
        row(0, DEC1 + 8, "m", usage(1.0, 1, 0)),
        row(0, DEC1 + 10, "m", usage(2.0, 1, 0)),
        row(0, DEC1 + 12, "m", usage(4.0, 1, 0)),
        row(0, DEC1 + 14, "m", usage(8.0, 1, 0)),
    ];
    let now = at_hour(DEC1 + 15) + 30 * 60_000; // 15:30
    let r = build(&s, &rows, &Scope::default(), now, "x");
    let five = &r.windows[0];
    assert_eq!(five.name, "5h");
    assert!(five.active);
    assert_eq!(five.started_at.as_deref(), Some("2026-12-01T14:00:00.000Z"));
    assert_eq!(five.resets_at.as_deref(), Some("2026-12-01T19:00:00.000Z"));
    assert_eq!(five.resets_in_ms, Some(3 * HOUR_MS as u64 + 30 * 60_000));
    assert!(close(five.usage.cost_usd, 8.0));
    let week = &r.windows[1];
    assert!(week.active);
    assert_eq!(week.started_at.as_deref(), Some("2026-12-01T08:00:00.000Z"));
    assert_eq!(week.resets_at.as_deref(), Some("2026-12-08T08:00:00.000Z"));
    assert!(close(week.usage.cost_usd, 15.0));
    // At 20:00 the 5-hour window has closed: nothing open.
    let later = build(&s, &rows, &Scope::default(), at_hour(DEC1 + 20), "x");
    assert!(!later.windows[0].active && later.windows[0].resets_at.is_none());
    assert_eq!(later.windows[0].usage, Usage::default());
    assert!(later.windows[1].active);
    // A week later nothing is open either.
    let week_on = build(
        &s,
        &rows,
        &Scope::default(),
        at_hour(DEC1 + 8) + 7 * DAY_MS,
        "x",
    );
    assert!(!week_on.windows[1].active);
}

#[test]
fn csv_has_a_header_quotes_text_and_defuses_formulas() {
    let (mut sessions, rows) = fixture();
    sessions[1].title = Some("=HYPERLINK(\"http://x\"), \"quoted\"".into());
    let r = build(&sessions, &rows, &Scope::default(), at_hour(DEC1 + 40), "x");
    let daily = csv(&r, "daily").unwrap();
    let lines: Vec<&str> = daily.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "day,cost_usd,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,messages"
    );
    assert_eq!(lines[1], "2026-12-01,1.000000,150,15,0,0,2");
    assert_eq!(lines.len(), 4, "two days and the final line break");
    let top = csv(&r, "sessions").unwrap();
    assert!(
        top.contains("\"'=HYPERLINK(\"\"http://x\"\"), \"\"quoted\"\"\""),
        "{top}"
    );
    assert!(csv(&r, "nope").is_none());
    for table in crate::analytics::types::CSV_TABLES {
        assert!(csv(&r, table).is_some(), "{table}");
    }
}

#[test]
fn days_are_read_and_written_in_utc() {
    assert_eq!(day_number("1970-01-02"), Some(1));
    assert_eq!(day_number("2026-12-01"), Some(i64::from(DEC1 / 24)));
    assert_eq!(day_number("2026-12-1"), None);
    assert_eq!(day_number("2026-13-01"), None);
    assert_eq!(day_number("2026-02-30"), None);
    assert_eq!(day_text(i64::from(DEC1 / 24)), "2026-12-01");
}
