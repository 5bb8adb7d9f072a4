//! Analytics routes: the report, and each of its tables as CSV.

use super::types::{AnalyticsQuery, AnalyticsReport};
use crate::error::AppError;
use crate::server::extract::ApiQuery;
use crate::server::state::AppState;
use axum::extract::State;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Registered with their OpenAPI descriptions (see `auth::http::routes`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(csv))
}

/// Cost and tokens by day, model, project, worktree and session, the plan-usage windows, from
/// every session on the machine (each API message counted once; the CLI's own cost figures where
/// it reported them, else the dated price table).
#[utoipa::path(get, path = "/api/analytics", tag = "analytics", params(AnalyticsQuery),
    responses((status = 200, description = "The report", body = AnalyticsReport),
        (status = 404, description = "No such project"), (status = 422, description = "A bad day or range")))]
pub async fn report(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AnalyticsQuery>,
) -> Result<Json<AnalyticsReport>, AppError> {
    Ok(Json(state.analytics.report(&q).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CsvQuery {
    /// `daily`, `models`, `projects`, `worktrees` or `sessions` (the top sessions).
    pub table: String,
    pub project: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub days: Option<u32>,
}

/// One table of the report as CSV, to download.
#[utoipa::path(get, path = "/api/analytics/csv", tag = "analytics", params(CsvQuery),
    responses((status = 200, description = "The table (text/csv, an attachment)"),
        (status = 404, description = "No such project"), (status = 422, description = "An unknown table, a bad day or range")))]
pub async fn csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CsvQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let query = AnalyticsQuery {
        project: q.project,
        from: q.from,
        to: q.to,
        days: q.days,
    };
    let (name, text) = state.analytics.csv(&query, &q.table).await?;
    // The name is made of a known table name and two checked days.
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}
