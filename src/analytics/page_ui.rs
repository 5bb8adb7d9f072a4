//! The Analytics page: where the money and the tokens went — totals, the plan-usage windows, and
//! charts by day, model, project and session, each with its numbers as a table and as CSV.

use super::api::load_analytics;
use super::charts_ui::{ChartPanel, ChartSpec, Dataset};
use super::types::{AnalyticsQuery, AnalyticsReport, PlanWindow, Usage};
use crate::base::format::{count, duration_ms, query_value, usd};
use crate::projects::api::list_projects;
use crate::ui::Icon;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The ranges offered, in days ("all" is every day with usage).
const PRESETS: [(&str, &str); 5] = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("all", "All time"),
    ("custom", "Custom range"),
];

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let preset = RwSignal::new("30".to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    let query = Memo::new(move |_| {
        let some = |s: String| Some(s.trim().to_string()).filter(|v| !v.is_empty());
        let mut q = AnalyticsQuery {
            project: some(project.get()),
            ..Default::default()
        };
        match preset.get().as_str() {
            "all" => {}
            "custom" => {
                q.from = some(from.get());
                q.to = some(to.get());
            }
            days => q.days = days.parse().ok(),
        }
        q
    });
    let report = Resource::new(
        move || query.get(),
        |q| load_analytics(q.project, q.from, q.to, q.days),
    );
    let projects = LocalResource::new(list_projects);
    view! {
        <Title text="Analytics"/>
        <section class="mx-auto max-w-6xl" data-testid="analytics">
            <h1 class="page-title">"Analytics"</h1>
            <p class="mt-1 text-muted">"Where the money and the tokens went, from every Claude Code session on this machine. Days are UTC."</p>
            <form class="card mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="analytics-filters"
                on:submit=move |ev| ev.prevent_default()>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Range"</span>
                    <select class="input" bind:value=preset data-testid="analytics-range">
                        {PRESETS.iter().map(|(v, label)| view! { <option value=*v>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=move || preset.get() == "custom">
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"From"</span>
                        <input class="input" type="date" bind:value=from data-testid="analytics-from"/>
                    </label>
                    <label class="grid gap-1 text-sm">
                        <span class="text-muted">"To"</span>
                        <input class="input" type="date" bind:value=to data-testid="analytics-to"/>
                    </label>
                </Show>
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Project"</span>
                    <select class="input" bind:value=project data-testid="analytics-project">
                        <option value="">"All projects"</option>
                        {move || projects.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| view! {
                            <option value=p.id.clone()>{p.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </form>
            <Transition fallback=|| view! { <p class="mt-6 text-muted">"Adding it all up…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <p class="alert alert-error mt-6" role="alert" data-testid="analytics-error">{e.to_string()}</p> }.into_any(),
                        Ok(r) => view! { <ReportView report=r query=query.get_untracked()/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReportView(report: AnalyticsReport, query: AnalyticsQuery) -> impl IntoView {
    let csv = move |table: &str| {
        let mut href = format!("/api/analytics/csv?table={table}");
        for (k, v) in [
            ("project", &query.project),
            ("from", &query.from),
            ("to", &query.to),
        ] {
            if let Some(v) = v {
                href.push_str(&format!("&{k}={}", query_value(v)));
            }
        }
        if let Some(d) = query.days {
            href.push_str(&format!("&days={d}"));
        }
        href
    };
    let t = report.totals;
    let empty = t.messages == 0 && t.cost_usd == 0.0;
    let source = format!(
        "{} of {} session(s) at Claude Code's own cost figures; the rest from the price table of {}.{}",
        report.sessions_cost_from_cli,
        report.sessions,
        report.price_table_date,
        if report.unpriced_messages > 0 {
            format!(" {} message(s) of a model without a price are not in any cost.", report.unpriced_messages)
        } else {
            String::new()
        }
    );
    view! {
        {report.partial.then(|| view! {
            <p class="card mt-4 flex items-center gap-2 text-sm" role="status">
                <Icon name="loader-circle" class="size-4 animate-spin"/>
                "The transcripts are still being indexed: these figures are partial."
            </p>
        })}
        <div class="mt-4 grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="analytics-totals">
            <Figure label="Cost" value=usd(t.cost_usd) id="total-cost"/>
            <Figure label="Tokens" value=count(t.tokens()) id="total-tokens"/>
            <Figure label="Sessions" value=report.sessions.to_string() id="total-sessions"/>
            <Figure label="API messages" value=count(t.messages) id="total-messages"/>
        </div>
        <p class="mt-2 text-xs text-muted" data-testid="cost-source">
            {format!("{} to {}. ", report.from, report.to)}{source}
        </p>
        <div class="mt-4 grid gap-3 md:grid-cols-2" data-testid="plan-windows">
            {report.windows.iter().cloned().map(|w| view! { <WindowCard window=w/> }).collect_view()}
        </div>
        {if empty {
            view! {
                <div class="card mt-4 flex flex-col items-center gap-2 py-10 text-center" data-testid="empty-analytics">
                    <Icon name="chart-line" class="size-10 text-muted"/>
                    <h2 class="text-lg font-semibold">"No usage in this range"</h2>
                    <p class="max-w-md text-sm text-muted">"Pick a longer range or another project, or start an instance: its cost shows here as soon as its first reply is written."</p>
                    <A href="/sessions" attr:class="btn btn-secondary mt-2">"See the sessions"</A>
                </div>
            }.into_any()
        } else {
            view! {
                <div class="mt-4 grid gap-4 lg:grid-cols-2">
                    <div class="lg:col-span-2">
                        <ChartPanel title="Cost and tokens per day" id="chart-daily" spec=daily_spec(&report) csv_href=csv("daily")
                            table=daily_table(&report).into_any()/>
                    </div>
                    <ChartPanel title="Cost by model" id="chart-models" csv_href=csv("models") height=bars_height(report.models.len())
                        spec=bars(report.models.iter().map(|m| (m.model.clone(), m.usage)))
                        table=usage_table("Model", report.models.iter().map(|m| (m.model.clone(), None, m.usage)).collect()).into_any()/>
                    <ChartPanel title="Cost by project" id="chart-projects" csv_href=csv("projects") height=bars_height(report.projects.len())
                        spec=bars(report.projects.iter().map(|p| (p.name.clone(), p.usage)))
                        table=usage_table("Project", report.projects.iter().map(|p| (p.name.clone(), Some(p.sessions), p.usage)).collect()).into_any()/>
                    <ChartPanel title="Top sessions" id="chart-sessions" csv_href=csv("sessions") height=bars_height(report.top_sessions.len())
                        spec=bars(report.top_sessions.iter().map(|s| (s.title.clone().unwrap_or_else(|| s.id.clone()), s.usage)))
                        table=sessions_table(&report).into_any()/>
                    <section class="card min-w-0" data-testid="worktrees-table">
                        <div class="flex items-center gap-2">
                            <h2 class="font-medium">"Cost by worktree"</h2>
                            <a rel="external" download="" class="btn btn-secondary ml-auto px-2 py-1 text-sm" href=csv("worktrees")>"CSV"</a>
                        </div>
                        {if report.worktrees.is_empty() {
                            view! { <p class="py-6 text-center text-sm text-muted">"No session ran in a worktree in this range."</p> }.into_any()
                        } else {
                            usage_table("Worktree", report.worktrees.iter().map(|w| (format!("{} · {}", w.project_name, w.branch), Some(w.sessions), w.usage)).collect()).into_any()
                        }}
                    </section>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn Figure(label: &'static str, value: String, id: &'static str) -> impl IntoView {
    view! {
        <div class="card">
            <p class="text-xs uppercase text-muted">{label}</p>
            <p class="mt-1 text-2xl font-semibold tabular-nums" data-testid=id>{value}</p>
        </div>
    }
}

#[component]
fn WindowCard(window: PlanWindow) -> impl IntoView {
    let title = match window.name.as_str() {
        "5h" => "5-hour window",
        _ => "7-day window",
    };
    let u = window.usage;
    let status = match (
        window.active,
        window.resets_in_ms,
        window.resets_at.as_deref(),
    ) {
        (true, Some(ms), Some(at)) => format!(
            "Resets in {} (at {} UTC).",
            duration_ms(ms),
            at.get(..16).unwrap_or(at).replace('T', " ")
        ),
        _ => "No window open: the next message opens one.".to_string(),
    };
    view! {
        <div class="card" data-testid=format!("window-{}", window.name)>
            <div class="flex items-baseline gap-2">
                <h2 class="font-medium">{title}</h2>
                <span class=if window.active { "badge badge-info" } else { "badge badge-muted" }>{if window.active { "open" } else { "closed" }}</span>
            </div>
            <p class="mt-1 text-sm tabular-nums">
                <span class="text-lg font-semibold" data-testid="window-cost">{usd(u.cost_usd)}</span>
                {format!(" · {} tokens · {} message(s)", count(u.tokens()), u.messages)}
            </p>
            <p class="mt-1 text-xs text-muted" data-testid="window-reset">{status}</p>
            <p class="mt-1 text-xs text-muted">{format!(
                "Subscriptions are limited per window; a window begins on the hour of the first message after the last one ended and lasts {} hours.",
                window.hours
            )}</p>
        </div>
    }
}

fn bars_height(n: usize) -> u32 {
    (n as u32 * 2 + 4).clamp(8, 24)
}

/// Cost as horizontal bars, one per label.
fn bars(rows: impl Iterator<Item = (String, Usage)>) -> ChartSpec {
    let (labels, data): (Vec<String>, Vec<f64>) = rows.map(|(l, u)| (l, u.cost_usd)).unzip();
    ChartSpec {
        kind: "bar",
        labels,
        horizontal: true,
        datasets: vec![Dataset {
            label: "Cost".into(),
            data,
            unit: "usd",
            kind: None,
        }],
    }
}

fn daily_spec(r: &AnalyticsReport) -> ChartSpec {
    ChartSpec {
        kind: "bar",
        labels: r
            .daily
            .iter()
            .map(|d| d.day.get(5..).unwrap_or(&d.day).to_string())
            .collect(),
        horizontal: false,
        datasets: vec![
            Dataset {
                label: "Cost".into(),
                data: r.daily.iter().map(|d| d.usage.cost_usd).collect(),
                unit: "usd",
                kind: None,
            },
            Dataset {
                label: "Tokens".into(),
                data: r.daily.iter().map(|d| d.usage.tokens() as f64).collect(),
                unit: "tokens",
                kind: Some("line"),
            },
        ],
    }
}

/// The usage columns every table shares.
fn usage_cells(u: &Usage) -> impl IntoView {
    view! {
        <td class="pr-3 text-right tabular-nums">{usd(u.cost_usd)}</td>
        <td class="pr-3 text-right tabular-nums" title=u.input_tokens.to_string()>{count(u.input_tokens)}</td>
        <td class="pr-3 text-right tabular-nums" title=u.output_tokens.to_string()>{count(u.output_tokens)}</td>
        <td class="pr-3 text-right tabular-nums" title=u.cache_creation_tokens.to_string()>{count(u.cache_creation_tokens)}</td>
        <td class="pr-3 text-right tabular-nums" title=u.cache_read_tokens.to_string()>{count(u.cache_read_tokens)}</td>
        <td class="text-right tabular-nums">{u.messages}</td>
    }
}

fn usage_head(first: &'static str, sessions: bool) -> impl IntoView {
    view! {
        <thead class="text-xs uppercase text-muted">
            <tr>
                <th class="py-1 pr-3 text-left">{first}</th>
                {sessions.then(|| view! { <th class="pr-3 text-right">"Sessions"</th> })}
                <th class="pr-3 text-right">"Cost"</th><th class="pr-3 text-right">"Input"</th><th class="pr-3 text-right">"Output"</th>
                <th class="pr-3 text-right">"Cache write"</th><th class="pr-3 text-right">"Cache read"</th><th class="text-right">"Messages"</th>
            </tr>
        </thead>
    }
}

/// A table of (name, sessions, usage) rows.
fn usage_table(first: &'static str, rows: Vec<(String, Option<u64>, Usage)>) -> impl IntoView {
    let with_sessions = rows.iter().any(|r| r.1.is_some());
    view! {
        <table class="w-full min-w-[36rem] text-sm">
            {usage_head(first, with_sessions)}
            <tbody class="divide-y divide-base">
                {rows.into_iter().map(|(name, sessions, u)| view! {
                    <tr>
                        <td class="max-w-[16rem] truncate py-1 pr-3" title=name.clone()>{name.clone()}</td>
                        {sessions.map(|n| view! { <td class="pr-3 text-right tabular-nums">{n}</td> })}
                        {usage_cells(&u)}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn daily_table(r: &AnalyticsReport) -> impl IntoView + use<> {
    usage_table(
        "Day",
        r.daily
            .iter()
            .map(|d| (d.day.clone(), None, d.usage))
            .collect(),
    )
}

fn sessions_table(r: &AnalyticsReport) -> impl IntoView + use<> {
    view! {
        <table class="w-full min-w-[36rem] text-sm">
            {usage_head("Session", false)}
            <tbody class="divide-y divide-base">
                {r.top_sessions.iter().map(|s| {
                    let title = s.title.clone().unwrap_or_else(|| "Untitled session".into());
                    let label = title.clone();
                    view! {
                        <tr>
                            <td class="max-w-[16rem] truncate py-1 pr-3">
                                <A href=format!("/sessions/{}", s.id) attr:class="hover:underline" attr:title=title>{label}</A>
                            </td>
                            {usage_cells(&s.usage)}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
