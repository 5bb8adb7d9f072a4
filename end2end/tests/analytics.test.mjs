// The Analytics page: totals worked out by hand, charts drawn by Chart.js from the same numbers,
// each chart's table and CSV, the range and project filters, the plan windows, desktop and phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, waitHydrated } from "../harness.mjs";

let fake;
let server;
let browser;
let work;

/** `YYYY-MM-DD` of `n` days before today, UTC. */
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** A transcript as the CLI writes it: a prompt, then one API message written as two lines. */
function terminalSession(id, cwd, title, day, model, usage) {
  const common = { cwd, sessionId: id, version: "2.1.331", gitBranch: "main", isSidechain: false };
  const msg = { id: `msg_${id}`, type: "message", role: "assistant", model, usage, content: [{ type: "text", text: "Done." }] };
  const lines = [
    { type: "user", message: { role: "user", content: title }, uuid: `${id}-u1`, parentUuid: null, timestamp: `${day}T10:00:00.000Z`, ...common },
    { type: "assistant", message: msg, requestId: `req_${id}`, uuid: `${id}-a1`, parentUuid: `${id}-u1`, timestamp: `${day}T10:00:01.000Z`, ...common },
    { type: "assistant", message: msg, requestId: `req_${id}`, uuid: `${id}-a2`, parentUuid: `${id}-a1`, timestamp: `${day}T10:00:02.000Z`, ...common },
  ];
  const dir = join(server.claudeHome, ".claude", "projects", cwd.replace(/[^A-Za-z0-9]/g, "-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}

const zero = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({ env: claudeEnvFor(fake) });
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-analytics-"));
  execFileSync("git", ["init", "-q", "-b", "main", work]);
  execFileSync("git", ["-C", work, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", "commit", "-q", "--allow-empty", "-m", "start"]);
  const res = await server.api("/api/projects", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "shop", path: work }),
  });
  assert.equal(res.status, 201);
  // Two days ago in the project: 1M input tokens of Sonnet = $3.00. Yesterday elsewhere:
  // 100k output tokens of Opus 4 = $7.50. A title with markup, shown as text.
  terminalSession("aaaaaaaa-1111-4111-8111-111111111111", work, "Fix the <b>checkout</b>", daysAgo(2), "claude-sonnet-4-20250514",
    { ...zero, input_tokens: 1_000_000 });
  terminalSession("aaaaaaaa-2222-4222-8222-222222222222", "/home/dev/blog", "Write the release notes", daysAgo(1), "claude-opus-4-20250514",
    { ...zero, output_tokens: 100_000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The numbers a chart was drawn with, read back from Chart.js. */
const chartData = (page, id) =>
  page.getByTestId(id).locator("canvas").evaluate((canvas) => {
    const chart = window.Chart?.getChart(canvas);
    return chart ? { labels: chart.data.labels, data: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : null;
  });

test("the analytics page adds up, draws its charts, and gives each chart's numbers as a table and CSV", async () => {
  const page = await server.newPage(browser, { viewport: { width: 1366, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/analytics`);
  await waitHydrated(page);
  // The index may still be reading: the page settles on the full figures.
  await page.waitForFunction(() => document.querySelector("[data-testid=total-cost]")?.innerText === "$10.50", null, { timeout: 30_000 });
  assert.equal(await page.getByTestId("total-sessions").innerText(), "2");
  assert.match(await page.getByTestId("cost-source").innerText(), /0 of 2 session\(s\) at Claude Code's own cost figures; the rest from the price table of \d{4}-\d{2}-\d{2}/);

  // Charts are drawn by Chart.js, from the report's numbers.
  await page.waitForFunction(() => document.querySelectorAll("canvas").length >= 4 && window.Chart && [...document.querySelectorAll("canvas")].every((c) => window.Chart.getChart(c)));
  const daily = await chartData(page, "chart-daily");
  assert.equal(daily.labels.length, 30, "the last 30 days, one bar each");
  const cost = daily.data.find((d) => d.label === "Cost").data;
  assert.deepEqual(cost.slice(-3), [3, 7.5, 0]);
  const tokens = daily.data.find((d) => d.label === "Tokens").data;
  assert.deepEqual(tokens.slice(-3), [1_000_000, 100_000, 0]);
  const models = await chartData(page, "chart-models");
  assert.deepEqual(models.labels, ["claude-opus-4-20250514", "claude-sonnet-4-20250514"]);
  assert.deepEqual(models.data[0].data, [7.5, 3]);
  const projects = await chartData(page, "chart-projects");
  assert.deepEqual(projects.labels, ["No project", "shop"]);
  const sessions = await chartData(page, "chart-sessions");
  assert.deepEqual(sessions.labels, ["Write the release notes", "Fix the <b>checkout</b>"]);
  await page.screenshot({ path: join(ARTIFACTS, "analytics.png"), fullPage: true });

  // The numbers behind a chart, as a table.
  const panel = page.getByTestId("chart-sessions");
  await panel.getByTestId("show-table").click();
  const table = panel.getByTestId("chart-table");
  await table.locator("tr", { hasText: "Fix the <b>checkout</b>" }).waitFor();
  assert.equal(await table.locator("b").count(), 0, "titles are text, not markup");
  assert.match(await table.innerText(), /\$7\.50/);
  await panel.getByTestId("show-table").click();
  await panel.locator("canvas").waitFor();

  // ...and as CSV, with the page's range.
  const href = await page.getByTestId("chart-daily").getByTestId("csv-link").getAttribute("href");
  assert.equal(href, "/api/analytics/csv?table=daily&days=30");
  const csv = await (await page.request.get(server.url + href)).text();
  assert.match(csv, new RegExp(`^day,cost_usd,`));
  assert.ok(csv.includes(`${daysAgo(2)},3.000000,1000000,0,0,0,1`), csv);
  assert.ok(csv.includes(`${daysAgo(1)},7.500000,0,100000,0,0,1`), csv);

  // All time, every project (a query with no field at all).
  await page.getByTestId("analytics-range").selectOption("all");
  await page.waitForFunction(() => document.querySelector("[data-testid=cost-source]")?.innerText.startsWith("2026-"));
  assert.equal(await page.getByTestId("total-cost").innerText(), "$10.50");
  // One project.
  await page.getByTestId("analytics-project").selectOption({ label: "shop" });
  await page.waitForFunction(() => document.querySelector("[data-testid=total-cost]")?.innerText === "$3.00");
  // A range with nothing in it: the empty state.
  await page.getByTestId("analytics-range").selectOption("custom");
  await page.getByTestId("analytics-from").fill("2020-01-01");
  await page.getByTestId("analytics-to").fill("2020-01-31");
  await page.getByTestId("empty-analytics").waitFor();
  // The plan windows are shown (nothing was sent in this test's last 5 hours on this machine).
  await page.getByTestId("window-5h").waitFor();
  await page.getByTestId("window-7d").waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("the analytics page fits a phone, with its charts", async () => {
  const phone = await server.newPage(browser, { viewport: { width: 390, height: 844 } });
  const errors = collectErrors(phone);
  await phone.goto(`${server.url}/analytics`);
  await waitHydrated(phone);
  await phone.waitForFunction(() => document.querySelector("[data-testid=total-cost]")?.innerText === "$10.50", null, { timeout: 30_000 });
  await phone.waitForFunction(() => window.Chart && [...document.querySelectorAll("canvas")].every((c) => window.Chart.getChart(c)));
  const widths = await phone.evaluate(() => ({
    doc: document.documentElement.scrollWidth - window.innerWidth,
    canvases: [...document.querySelectorAll("canvas")].map((c) => c.getBoundingClientRect().right <= window.innerWidth),
  }));
  assert.ok(widths.doc <= 0, `the page is wider than the phone by ${widths.doc}px`);
  assert.ok(widths.canvases.every(Boolean), "every chart fits the screen");
  await phone.screenshot({ path: join(ARTIFACTS, "analytics-phone.png"), fullPage: true });
  // The dark theme: the charts take their colours from it when drawn.
  await phone.evaluate(() => localStorage.setItem("flotilla-theme", "dark"));
  await phone.reload();
  await waitHydrated(phone);
  await phone.waitForFunction(() => window.Chart && [...document.querySelectorAll("canvas")].every((c) => window.Chart.getChart(c)));
  await phone.screenshot({ path: join(ARTIFACTS, "analytics-phone-dark.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await phone.close();
});
