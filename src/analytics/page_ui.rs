//! The Analytics page.

use crate::ui::ComingSoon;
use leptos::prelude::*;

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Analytics"
            icon="chart-line"
            summary="Where the money and the tokens went."
            plans=&[
                "Cost and tokens per day, project, model and instance.",
                "Plan-usage windows.",
                "Charts rendered in the browser from the session index.",
            ]
        />
    }
}
