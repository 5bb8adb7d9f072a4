//! The analytics report, computed from the session index's usage rows. Core code: no Leptos, no
//! database, no clock of its own (the caller says what "now" is), so it is tested by hand-computed
//! figures.
//!
//! Cost, counted once: each row is one session's API messages of one model in one hour, each
//! message counted once (the index's rule). A session's cost is what the CLI reported for it when
//! it did (Flotilla's instance, or the transcript's `cost-state` lines), else the dated price
//! table. Where the CLI's figure is used, it is spread over the session's rows in proportion to
//! their price-table cost (by tokens when the table knows none of its models), so that the days,
//! models and projects always add up to the same total as the sessions.

use super::types::{
    AnalyticsReport, DayRow, ModelRow, PlanWindow, ProjectRow, SessionRow, Usage, WorktreeRow,
};
use std::collections::{BTreeMap, HashMap};

#[cfg(test)]
mod tests;

const HOUR_MS: i64 = 3_600_000;
/// The longest range a report covers, in days (one row per day).
pub const MAX_DAYS: i64 = 3_660;
/// The plan windows: the 5-hour session limit and the weekly one.
pub const WINDOWS: [(&str, u32); 2] = [("5h", 5), ("7d", 7 * 24)];
const TOP_SESSIONS: usize = 10;

/// One session as analytics needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionFacts {
    pub id: String,
    pub title: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub worktree_id: Option<String>,
    pub worktree_branch: Option<String>,
    /// The CLI's own figure for the whole session, when there is one.
    pub reported_cost_usd: Option<f64>,
}

/// Usage of one session (an index into the sessions given) in one hour with one model.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub session: usize,
    /// Hours since the Unix epoch, UTC.
    pub hour: u32,
    pub model: String,
    /// Its cost from the price table (0 for a model without a price).
    pub usage: Usage,
    /// Messages of a model without a price.
    pub unpriced: u64,
}

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub project: Option<String>,
    /// Inclusive, as days since the epoch; None: from the first usage / to today.
    pub from_day: Option<i64>,
    pub to_day: Option<i64>,
}

/// The report on `rows` of `sessions` within `scope`, at `now_ms`.
pub fn build(
    sessions: &[SessionFacts],
    rows: &[UsageRow],
    scope: &Scope,
    now_ms: i64,
    price_table_date: &str,
) -> AnalyticsReport {
    let rows = with_reported_costs(sessions, rows);
    let in_project =
        |r: &UsageRow| scope.project.is_none() || sessions[r.session].project_id == scope.project;
    let today = now_ms.div_euclid(HOUR_MS * 24);
    // A `from` after today without a `to` reports that one day.
    let to = scope
        .to_day
        .unwrap_or_else(|| today.max(scope.from_day.unwrap_or(today)));
    // Hour 0 is a message without a time: it does not pull the range back to 1970.
    let first_usage = rows
        .iter()
        .filter(|r| in_project(r) && r.hour > 0)
        .map(|r| i64::from(r.hour) / 24)
        .min();
    let from = scope
        .from_day
        .unwrap_or_else(|| first_usage.unwrap_or(to).clamp(to - MAX_DAYS, to));
    let in_range = |r: &UsageRow| {
        let day = i64::from(r.hour) / 24;
        in_project(r) && day >= from && day <= to
    };

    let mut totals = Usage::default();
    let mut daily: BTreeMap<i64, Usage> = (from..=to.min(from + MAX_DAYS))
        .map(|d| (d, Usage::default()))
        .collect();
    let mut models: HashMap<&str, Usage> = HashMap::new();
    let mut per_session: HashMap<usize, Usage> = HashMap::new();
    let mut unpriced = 0;
    for r in rows.iter().filter(|r| in_range(r)) {
        totals.add(&r.usage);
        daily
            .entry(i64::from(r.hour) / 24)
            .or_default()
            .add(&r.usage);
        models.entry(r.model.as_str()).or_default().add(&r.usage);
        per_session.entry(r.session).or_default().add(&r.usage);
        if sessions[r.session].reported_cost_usd.is_none() {
            unpriced += r.unpriced;
        }
    }

    let mut projects: HashMap<Option<&str>, (String, u64, Usage)> = HashMap::new();
    let mut worktrees: HashMap<&str, (&SessionFacts, u64, Usage)> = HashMap::new();
    for (&i, u) in &per_session {
        let s = &sessions[i];
        let p = projects.entry(s.project_id.as_deref()).or_insert_with(|| {
            let name = s
                .project_name
                .clone()
                .unwrap_or_else(|| "No project".into());
            (name, 0, Usage::default())
        });
        p.1 += 1;
        p.2.add(u);
        if let Some(w) = s.worktree_id.as_deref() {
            let w = worktrees.entry(w).or_insert((s, 0, Usage::default()));
            w.1 += 1;
            w.2.add(u);
        }
    }

    let mut models: Vec<ModelRow> = models
        .into_iter()
        .map(|(model, usage)| ModelRow {
            model: model.to_string(),
            usage,
        })
        .collect();
    models.sort_by(|a, b| by_cost(&a.usage, &b.usage).then(a.model.cmp(&b.model)));
    let mut projects: Vec<ProjectRow> = projects
        .into_iter()
        .map(|(id, (name, sessions, usage))| ProjectRow {
            project_id: id.map(str::to_string),
            name,
            sessions,
            usage,
        })
        .collect();
    projects.sort_by(|a, b| by_cost(&a.usage, &b.usage).then(a.name.cmp(&b.name)));
    let mut worktrees: Vec<WorktreeRow> = worktrees
        .into_iter()
        .map(|(id, (s, sessions, usage))| WorktreeRow {
            worktree_id: id.to_string(),
            project_id: s.project_id.clone().unwrap_or_default(),
            project_name: s.project_name.clone().unwrap_or_default(),
            branch: s.worktree_branch.clone().unwrap_or_default(),
            sessions,
            usage,
        })
        .collect();
    worktrees.sort_by(|a, b| by_cost(&a.usage, &b.usage).then(a.branch.cmp(&b.branch)));
    let mut top: Vec<(usize, Usage)> = per_session.iter().map(|(i, u)| (*i, *u)).collect();
    top.sort_by(|a, b| by_cost(&a.1, &b.1).then(sessions[a.0].id.cmp(&sessions[b.0].id)));
    let sessions_cost_from_cli = per_session
        .keys()
        .filter(|&&i| sessions[i].reported_cost_usd.is_some())
        .count() as u64;
    let top_sessions = top
        .into_iter()
        .take(TOP_SESSIONS)
        .map(|(i, usage)| {
            let s = &sessions[i];
            SessionRow {
                id: s.id.clone(),
                title: s.title.clone(),
                project_name: s.project_name.clone(),
                started_at: s.started_at.clone(),
                usage,
            }
        })
        .collect();

    AnalyticsReport {
        from: day_text(from),
        to: day_text(to),
        project: scope.project.clone(),
        totals,
        sessions: per_session.len() as u64,
        sessions_cost_from_cli,
        unpriced_messages: unpriced,
        price_table_date: price_table_date.to_string(),
        daily: daily
            .into_iter()
            .map(|(d, usage)| DayRow {
                day: day_text(d),
                usage,
            })
            .collect(),
        models,
        projects,
        worktrees,
        top_sessions,
        windows: WINDOWS
            .iter()
            .map(|(name, hours)| window(&rows, name, *hours, now_ms))
            .collect(),
        generated_at: time_text(now_ms),
        partial: false,
    }
}

/// Most expensive first; equal costs by tokens.
fn by_cost(a: &Usage, b: &Usage) -> std::cmp::Ordering {
    b.cost_usd
        .total_cmp(&a.cost_usd)
        .then(b.tokens().cmp(&a.tokens()))
}

/// The rows with each session's cost set to what the CLI reported, where it did.
fn with_reported_costs(sessions: &[SessionFacts], rows: &[UsageRow]) -> Vec<UsageRow> {
    // Per session: (price-table cost, tokens, rows).
    let mut priced: HashMap<usize, (f64, u64, usize)> = HashMap::new();
    for r in rows {
        let p = priced.entry(r.session).or_default();
        p.0 += r.usage.cost_usd;
        p.1 += r.usage.tokens();
        p.2 += 1;
    }
    let mut out: Vec<UsageRow> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(reported) = sessions[r.session].reported_cost_usd {
                let (cost, tokens, count) = priced[&r.session];
                r.usage.cost_usd = if cost > 0.0 {
                    reported * r.usage.cost_usd / cost
                } else if tokens > 0 {
                    reported * r.usage.tokens() as f64 / tokens as f64
                } else {
                    reported / count as f64
                };
            }
            r
        })
        .collect();
    // A reported cost with no usage rows at all (a transcript cleaned up): at its last activity.
    for (i, s) in sessions.iter().enumerate() {
        let Some(reported) = s.reported_cost_usd.filter(|c| *c > 0.0) else {
            continue;
        };
        if priced.contains_key(&i) {
            continue;
        }
        let at = s
            .ended_at
            .as_deref()
            .or(s.started_at.as_deref())
            .and_then(crate::base::format::parse_rfc3339_ms);
        if let Some(ms) = at {
            out.push(UsageRow {
                session: i,
                hour: (ms / HOUR_MS).max(0) as u32,
                model: "unknown".into(),
                usage: Usage {
                    cost_usd: reported,
                    ..Default::default()
                },
                unpriced: 0,
            });
        }
    }
    out
}

/// The plan window open at `now_ms`: windows begin on the hour of the first message after the
/// previous window ended and last `hours`.
fn window(rows: &[UsageRow], name: &str, hours: u32, now_ms: i64) -> PlanWindow {
    let mut by_hour: BTreeMap<u32, Usage> = BTreeMap::new();
    for r in rows {
        by_hour.entry(r.hour).or_default().add(&r.usage);
    }
    let mut open: Option<(u32, Usage)> = None;
    for (&h, u) in &by_hour {
        match &mut open {
            Some((start, acc)) if h < start.saturating_add(hours) => acc.add(u),
            _ => open = Some((h, *u)),
        }
    }
    let now_hour = now_ms.div_euclid(HOUR_MS);
    let open = open.filter(|(start, _)| now_hour < i64::from(*start) + i64::from(hours));
    let (started, resets, usage) = match open {
        Some((start, usage)) => {
            let start_ms = i64::from(start) * HOUR_MS;
            (
                Some(start_ms),
                Some(start_ms + i64::from(hours) * HOUR_MS),
                usage,
            )
        }
        None => (None, None, Usage::default()),
    };
    PlanWindow {
        name: name.to_string(),
        hours,
        active: open.is_some(),
        started_at: started.map(time_text),
        resets_at: resets.map(time_text),
        resets_in_ms: resets.map(|r| (r - now_ms).max(0) as u64),
        usage,
    }
}

/// Days since the epoch of a `YYYY-MM-DD` day (a real one: `2026-02-30` is refused).
pub fn day_number(day: &str) -> Option<i64> {
    if day.len() != 10 {
        return None;
    }
    let n = crate::base::format::parse_rfc3339_ms(&format!("{day}T00:00:00Z"))?
        .div_euclid(HOUR_MS * 24);
    (day_text(n) == day).then_some(n)
}

fn day_text(day: i64) -> String {
    let t = time_text(day * 24 * HOUR_MS);
    t.get(..10).unwrap_or(&t).to_string()
}

fn time_text(ms: i64) -> String {
    crate::base::clock::format_ts(ms)
}

/// One of the report's tables as CSV (RFC 4180, with a header line). Text cells that a
/// spreadsheet would run as a formula are prefixed with `'`: titles come from transcripts.
pub fn csv(report: &AnalyticsReport, table: &str) -> Option<String> {
    let usage_head =
        "cost_usd,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,messages";
    let usage = |u: &Usage| {
        format!(
            "{:.6},{},{},{},{},{}",
            u.cost_usd,
            u.input_tokens,
            u.output_tokens,
            u.cache_creation_tokens,
            u.cache_read_tokens,
            u.messages
        )
    };
    let mut out = String::new();
    let mut line = |cells: &[String], u: &Usage| {
        for c in cells {
            out.push_str(&cell(c));
            out.push(',');
        }
        out.push_str(&usage(u));
        out.push_str("\r\n");
    };
    let head = |names: &str| format!("{names},{usage_head}\r\n");
    let mut text = match table {
        "daily" => head("day"),
        "models" => head("model"),
        "projects" => head("project_id,project,sessions"),
        "worktrees" => head("worktree_id,project,branch,sessions"),
        "sessions" => head("session_id,title,project,started_at"),
        _ => return None,
    };
    match table {
        "daily" => report
            .daily
            .iter()
            .for_each(|r| line(std::slice::from_ref(&r.day), &r.usage)),
        "models" => report
            .models
            .iter()
            .for_each(|r| line(std::slice::from_ref(&r.model), &r.usage)),
        "projects" => report.projects.iter().for_each(|r| {
            let id = r.project_id.clone().unwrap_or_default();
            line(&[id, r.name.clone(), r.sessions.to_string()], &r.usage)
        }),
        "worktrees" => report.worktrees.iter().for_each(|r| {
            let cells = [
                r.worktree_id.clone(),
                r.project_name.clone(),
                r.branch.clone(),
                r.sessions.to_string(),
            ];
            line(&cells, &r.usage)
        }),
        _ => report.top_sessions.iter().for_each(|r| {
            let cells = [
                r.id.clone(),
                r.title.clone().unwrap_or_default(),
                r.project_name.clone().unwrap_or_default(),
                r.started_at.clone().unwrap_or_default(),
            ];
            line(&cells, &r.usage)
        }),
    }
    text.push_str(&out);
    Some(text)
}

fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}
