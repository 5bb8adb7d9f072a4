//! Charts on the Analytics page: a chart description built here, drawn by Chart.js in the browser
//! (`public/charts.js`), with the numbers behind it as a table and a CSV download beside it.

use leptos::prelude::*;
use serde::Serialize;

/// What `public/charts.js` draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSpec {
    /// `bar` or `line`.
    pub kind: &'static str,
    pub labels: Vec<String>,
    /// Bars along the vertical axis (long labels read better that way on a phone).
    pub horizontal: bool,
    pub datasets: Vec<Dataset>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dataset {
    pub label: String,
    pub data: Vec<f64>,
    /// `usd` or `tokens`: the axis and the number format.
    pub unit: &'static str,
    /// Drawn differently from the chart's kind (a line over bars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// A chart with its title, a switch to the table of its numbers, and a CSV link.
#[component]
pub fn ChartPanel(
    title: &'static str,
    /// `data-testid` of the panel.
    id: &'static str,
    spec: ChartSpec,
    /// Where its CSV is downloaded from.
    csv_href: String,
    /// The numbers, as a table.
    table: AnyView,
    /// Height of the chart in rem (grows with the number of bars when horizontal).
    #[prop(default = 16)]
    height: u32,
) -> impl IntoView {
    let show_table = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let empty = spec.labels.is_empty();
    let spec_json = serde_json::to_string(&spec).unwrap_or_default();
    // Browser only: draw once the canvas is in the page, destroy with the panel.
    Effect::new(move |_| {
        let Some(el) = canvas.get() else {
            return;
        };
        let element: &web_sys::Element = &el;
        let destroy = crate::ui::browser::draw_chart(element, &spec_json, move |e| {
            failed.set(Some(e));
            show_table.set(true);
        });
        // Created and run in the browser only (effects do not run on the server).
        let destroy = send_wrapper::SendWrapper::new(destroy);
        on_cleanup(move || (destroy.take())());
    });
    view! {
        <section class="card min-w-0" data-testid=id>
            <div class="flex flex-wrap items-center gap-2">
                <h2 class="font-medium">{title}</h2>
                <div class="ml-auto flex gap-2 text-sm">
                    <button type="button" class="btn btn-secondary px-2 py-1" aria-pressed=move || show_table.get().to_string()
                        data-testid="show-table" on:click=move |_| show_table.update(|t| *t = !*t)>
                        {move || if show_table.get() { "Chart" } else { "Table" }}
                    </button>
                    <a rel="external" download="" class="btn btn-secondary px-2 py-1" href=csv_href data-testid="csv-link">"CSV"</a>
                </div>
            </div>
            {move || failed.get().map(|e| view! {
                <p class="mt-2 text-sm text-muted" role="status">"The chart could not be drawn (" {e} "); the numbers are below."</p>
            })}
            {empty.then(|| view! { <p class="py-8 text-center text-sm text-muted">"Nothing in this range."</p> })}
            <div class="relative mt-3" class:hidden=move || show_table.get() || empty
                style=format!("height: {height}rem")>
                <canvas node_ref=canvas role="img" aria-label=title data-testid="chart"></canvas>
            </div>
            <div class="mt-3 max-h-96 overflow-auto" class:hidden=move || !show_table.get() || empty data-testid="chart-table">
                {table}
            </div>
        </section>
    }
}
