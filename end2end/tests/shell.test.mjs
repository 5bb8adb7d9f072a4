// The app shell: server rendering, hydration, navigation, theme, phone layout, health routes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, collectErrors, launchBrowser, startFlotilla, waitHydrated } from "../harness.mjs";

let server;
let browser;

before(async () => {
  server = await startFlotilla();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("healthz and readyz answer JSON", async () => {
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");

  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 200);
  const body = await ready.json();
  assert.equal(body.status, "ready");
  assert.equal(body.database.ok, true);
  assert.equal(body.database.migrations_applied, body.database.migrations_known);
  assert.equal(body.claude.found, true);
  assert.match(body.claude.version, /^\d+\.\d+\.\d+$/);
});

test("unknown API paths answer a JSON 404", async () => {
  const res = await server.api("/api/nope");
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error, "not_found");
  assert.match(body.message, /nope/);
});

test("the dashboard is rendered on the server", async () => {
  const html = await (await server.api("/")).text();
  assert.match(html, /<h1[^>]*>Dashboard<\/h1>/);
  assert.match(html, /No instances yet/);
  assert.match(html, /Claude Code/);

  // And it shows with scripts disabled.
  const context = await server.newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url);
  assert.equal(await page.locator("h1").first().textContent(), "Dashboard");
  assert.ok(await page.getByText("No instances yet").isVisible());
  await context.close();
});

test("hydrates: the theme toggle works and is remembered", async () => {
  const page = await server.newPage(browser);
  const errors = collectErrors(page);
  await page.goto(server.url);
  await waitHydrated(page);
  const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
  const before = await isDark();
  await page.getByTestId("theme-toggle").click();
  assert.equal(await isDark(), !before);
  await page.reload();
  await waitHydrated(page);
  assert.equal(await isDark(), !before, "the choice survives a reload");
  await page.getByTestId("theme-toggle").click();
  assert.equal(await isDark(), before);
  assert.deepEqual(errors, []);
  await page.close();
});

test("every nav link reaches its page, client-side", async () => {
  const page = await server.newPage(browser, { viewport: { width: 1280, height: 800 } });
  const errors = collectErrors(page);
  await page.goto(server.url);
  await waitHydrated(page);
  // A marker that a full page load would erase: navigation must be client-side.
  await page.evaluate(() => (window.__flotillaMarker = 42));
  const pages = [
    ["projects", "/projects", "Projects"],
    ["sessions", "/sessions", "Sessions"],
    ["mcp", "/mcp", "MCP servers"],
    ["analytics", "/analytics", "Analytics"],
    ["settings", "/settings", "Settings"],
    ["dashboard", "/", "Dashboard"],
  ];
  for (const [id, path, heading] of pages) {
    await page.getByTestId(`nav-${id}`).click();
    await page.waitForURL(`${server.url}${path}`);
    await page.waitForFunction((h) => document.querySelector("h1")?.textContent?.trim() === h, heading);
    assert.equal(await page.getByTestId(`nav-${id}`).getAttribute("aria-current"), "page");
    assert.match(await page.title(), new RegExp(`${heading} · Flotilla`));
  }
  assert.equal(await page.evaluate(() => window.__flotillaMarker), 42);
  // Pages also load directly.
  for (const [, path, heading] of pages) {
    const res = await server.api(path);
    assert.equal(res.status, 200);
    assert.match(await res.text(), new RegExp(heading));
  }
  const missing = await server.api("/no/such/page");
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Page not found/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("phone width: the sidebar opens from the menu and closes after navigating", async () => {
  const page = await server.newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const errors = collectErrors(page);
  await page.goto(server.url);
  await waitHydrated(page);
  const sidebar = page.getByTestId("sidebar");
  const onScreen = async () => {
    const box = await sidebar.boundingBox();
    return box !== null && box.x + box.width > 10;
  };
  await page.waitForFunction(() => true);
  assert.equal(await onScreen(), false, "sidebar starts hidden on a phone");
  await page.getByTestId("menu-button").click();
  await page.waitForTimeout(350); // the slide-in transition
  assert.equal(await onScreen(), true, "menu button opens the sidebar");
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-phone-menu.png") });
  await page.getByTestId("nav-projects").click();
  await page.waitForURL(`${server.url}/projects`);
  await page.waitForTimeout(350);
  assert.equal(await onScreen(), false, "navigating closes the sidebar");
  assert.deepEqual(errors, []);
  await page.close();
});

test("dashboard screenshots (light, dark)", async () => {
  const page = await server.newPage(browser, { viewport: { width: 1280, height: 800 } });
  const errors = collectErrors(page);
  await page.goto(server.url);
  await waitHydrated(page);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
  await page.evaluate(() => localStorage.setItem("flotilla-theme", "dark"));
  await page.reload();
  await waitHydrated(page);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-dark.png") });
  assert.deepEqual(errors, []);
  await page.close();
});
