//! The server function the Analytics page calls: the same service call as the REST route.

use super::types::AnalyticsReport;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The fields one by one: a query whose fields are all empty would be an empty query string,
/// which a struct argument cannot be read back from.
#[server(prefix = "/api/fn", endpoint = "analytics_report", input = GetUrl)]
pub async fn load_analytics(
    project: Option<String>,
    from: Option<String>,
    to: Option<String>,
    days: Option<u32>,
) -> Result<AnalyticsReport, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let query = super::types::AnalyticsQuery {
        project,
        from,
        to,
        days,
    };
    crate::error::respond(state.analytics.report(&query).await)
}
