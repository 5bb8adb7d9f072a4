//! The server function the Analytics page calls: the same service call as the REST route.

use super::types::{AnalyticsQuery, AnalyticsReport};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "analytics_report", input = GetUrl)]
pub async fn load_analytics(query: AnalyticsQuery) -> Result<AnalyticsReport, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::error::respond(state.analytics.report(&query).await)
}
