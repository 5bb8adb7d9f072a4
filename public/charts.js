// Flotilla's bridge to Chart.js (public/vendor/chart, copied from the pinned npm package by
// scripts/vendor-assets.mjs). The Analytics page calls flotillaCharts.draw(canvas, spec); the
// library is loaded the first time, so other pages never load it. Labels come from transcripts
// and are drawn on the canvas as text, never as markup.
(() => {
  let loading = null;

  function loadChartJs() {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (loading) return loading;
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/chart/chart.umd.js";
      script.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error("Chart.js did not start")));
      script.onerror = () => reject(new Error("the charting library could not be loaded"));
      document.head.appendChild(script);
    });
    loading.catch(() => { loading = null; });
    return loading;
  }

  const money = (v) => {
    const n = Number(v);
    if (n === 0) return "$0";
    if (Math.abs(n) < 0.01) return "$" + n.toFixed(4);
    if (Math.abs(n) < 100) return "$" + n.toFixed(2);
    return "$" + Math.round(n).toLocaleString("en-US");
  };
  const count = (v) => {
    const n = Number(v);
    if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(1) + "B";
    if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (Math.abs(n) >= 1e3) return (n / 1e3).toFixed(1) + "k";
    return String(n);
  };
  const format = (unit) => (unit === "usd" ? money : count);
  const shorten = (label, max) => (label.length > max ? label.slice(0, max - 1) + "…" : label);

  // One palette for both themes, readable on light and dark surfaces.
  const PALETTE = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#64748b"];

  /**
   * spec: { kind: "bar" | "line", labels: [text], horizontal: bool,
   *         datasets: [{ label, data: [number], unit: "usd" | "tokens", kind?: "bar" | "line" }] }
   * A second unit gets its own axis on the right. Resolves to a handle with destroy().
   */
  async function draw(canvas, spec) {
    const Chart = await loadChartJs();
    const css = getComputedStyle(document.documentElement);
    const text = css.getPropertyValue("--muted").trim() || "#64748b";
    const grid = css.getPropertyValue("--border").trim() || "#e2e8f0";
    const units = [...new Set(spec.datasets.map((d) => d.unit))];
    const axisOf = (unit) => (units.indexOf(unit) === 0 ? "value" : "value2");
    const valueAxis = spec.horizontal ? "x" : "y";
    const scaleIds = { value: valueAxis, value2: spec.horizontal ? "x2" : "y2" };
    const datasets = spec.datasets.map((d, i) => {
      const kind = d.kind || spec.kind;
      const colour = PALETTE[i % PALETTE.length];
      return {
        type: kind,
        label: d.label,
        data: d.data,
        unit: d.unit,
        backgroundColor: kind === "line" ? colour : colour + "cc",
        borderColor: colour,
        borderWidth: kind === "line" ? 2 : 0,
        pointRadius: kind === "line" ? 2 : 0,
        tension: 0,
        order: kind === "line" ? 0 : 1,
        [spec.horizontal ? "xAxisID" : "yAxisID"]: scaleIds[axisOf(d.unit)],
      };
    });
    const labelAxis = spec.horizontal ? "y" : "x";
    // Long labels (session titles) get less room on a narrow screen.
    const labelChars = spec.horizontal ? (canvas.parentElement.clientWidth < 480 ? 16 : 28) : 12;
    const scales = {
      [labelAxis]: {
        ticks: { color: text, autoSkip: true, maxRotation: 0, callback(value) { return shorten(String(this.getLabelForValue(value)), labelChars); } },
        grid: { display: false },
      },
    };
    units.forEach((unit, i) => {
      const id = scaleIds[i === 0 ? "value" : "value2"];
      scales[id] = {
        beginAtZero: true,
        position: spec.horizontal ? (i === 0 ? "bottom" : "top") : i === 0 ? "left" : "right",
        ticks: { color: text, callback: format(unit), maxTicksLimit: 6 },
        grid: { color: grid, drawOnChartArea: i === 0 },
        title: { display: units.length > 1, text: unit === "usd" ? "Cost" : "Tokens", color: text },
      };
    });
    const chart = new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, labels: { color: text, boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label(ctx) {
                const v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return `${ctx.dataset.label}: ${format(ctx.dataset.unit)(v)}`;
              },
            },
          },
        },
        scales,
      },
    });
    return { destroy() { chart.destroy(); } };
  }

  window.flotillaCharts = { draw };
})();
