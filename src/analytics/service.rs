//! The analytics service: the session index's last scan, each session placed in its project and
//! worktree with its cost, summed by `report::build`.

use super::report::{self, Scope, SessionFacts, UsageRow};
use super::types::{AnalyticsQuery, AnalyticsReport, Usage};
use crate::base::error::DomainError;
use crate::sessions::index::pricing::PRICES_AS_OF;
use crate::sessions::service::Sessions;
use std::collections::HashMap;

#[derive(Clone)]
pub struct Analytics {
    sessions: Sessions,
}

impl Analytics {
    pub fn new(sessions: Sessions) -> Self {
        Self { sessions }
    }

    /// The report for `q`, from the index's last finished scan.
    pub async fn report(&self, q: &AnalyticsQuery) -> Result<AnalyticsReport, DomainError> {
        let scope = scope_of(q)?;
        let (snapshot, items) = self.sessions.placed().await?;
        if let Some(p) = &scope.project {
            if !self.sessions.project_known(p).await? {
                return Err(DomainError::NotFound(format!("no project {p}")));
            }
        }
        let index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let facts: Vec<SessionFacts> = items
            .iter()
            .map(|s| SessionFacts {
                id: s.id.clone(),
                title: s.title.clone(),
                started_at: s.started_at.clone(),
                ended_at: s.ended_at.clone(),
                project_id: s.project_id.clone(),
                project_name: s.project_name.clone(),
                worktree_id: s.worktree_id.clone(),
                worktree_branch: s.worktree_branch.clone(),
                reported_cost_usd: s.cost_from_cli.then_some(s.cost_usd),
            })
            .collect();
        let rows: Vec<UsageRow> = snapshot
            .usage
            .iter()
            .filter_map(|r| {
                Some(UsageRow {
                    session: *index.get(r.session.as_str())?,
                    hour: r.hour,
                    model: r.model.clone(),
                    usage: Usage {
                        cost_usd: r.usage.cost_usd,
                        input_tokens: r.usage.tokens.input,
                        output_tokens: r.usage.tokens.output,
                        cache_creation_tokens: r.usage.tokens.cache_creation,
                        cache_read_tokens: r.usage.tokens.cache_read,
                        messages: r.usage.messages,
                    },
                    unpriced: r.usage.unpriced,
                })
            })
            .collect();
        let now = crate::base::clock::now_ms();
        let ready = self.sessions.ready();
        let report = tokio::task::spawn_blocking(move || {
            let mut r = report::build(&facts, &rows, &scope, now, PRICES_AS_OF);
            r.partial = !ready;
            r
        })
        .await
        .map_err(|_| DomainError::Internal("the report stopped".into()))?;
        Ok(report)
    }

    /// One table of the report for `q` as CSV: (file name, text).
    pub async fn csv(
        &self,
        q: &AnalyticsQuery,
        table: &str,
    ) -> Result<(String, String), DomainError> {
        if !super::types::CSV_TABLES.contains(&table) {
            return Err(DomainError::Invalid(format!(
                "table must be one of {}, not {table:?}",
                super::types::CSV_TABLES.join(", ")
            )));
        }
        let r = self.report(q).await?;
        let text = report::csv(&r, table)
            .ok_or_else(|| DomainError::Invalid(format!("no table {table}")))?;
        Ok((format!("flotilla-{table}-{}-{}.csv", r.from, r.to), text))
    }
}

/// The query checked: days well formed, in order, within [`report::MAX_DAYS`].
fn scope_of(q: &AnalyticsQuery) -> Result<Scope, DomainError> {
    let day = |name: &str, v: &Option<String>| -> Result<Option<i64>, DomainError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(d) => report::day_number(d).map(Some).ok_or_else(|| {
                DomainError::Invalid(format!(
                    "{name} must be a day written YYYY-MM-DD, not {d:?}"
                ))
            }),
        }
    };
    let (mut from, mut to) = (day("from", &q.from)?, day("to", &q.to)?);
    if let Some(days) = q.days {
        if from.is_some() || to.is_some() {
            return Err(DomainError::Invalid(
                "give either days or from / to, not both".into(),
            ));
        }
        if days == 0 || i64::from(days) > report::MAX_DAYS {
            return Err(DomainError::Invalid(format!(
                "days must be between 1 and {}",
                report::MAX_DAYS
            )));
        }
        let today = crate::base::clock::now_ms().div_euclid(24 * 3_600_000);
        (from, to) = (Some(today - i64::from(days) + 1), Some(today));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(DomainError::Invalid("from must not be after to".into()));
        }
        if t - f > report::MAX_DAYS {
            return Err(DomainError::Invalid(format!(
                "a report covers at most {} days",
                report::MAX_DAYS
            )));
        }
    }
    Ok(Scope {
        project: q.project.clone().filter(|p| !p.is_empty()),
        from_day: from,
        to_day: to,
    })
}
