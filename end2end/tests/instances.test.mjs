// Instances in the browser: start from the dashboard, stream, permission card, follow-up,
// reconnect after a network drop, inert rendering of Claude's output, stop and delete.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, startProxy, waitHydrated } from "../harness.mjs";

let fake;
let server;
let proxy; // The browser reaches the server through it, so a test can cut the network.
let browser;
let work;

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({
    env: claudeEnvFor(fake),
  });
  proxy = await startProxy(server.url);
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-work-"));
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("start an instance, approve its permission request, follow up, reconnect, stop, delete", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(proxy.url);
  await waitHydrated(page);

  // Bad input is answered where the user is looking, and nothing is created.
  await page.fill("#new-cwd", "relative/path");
  await page.getByTestId("start-instance").click();
  assert.match(await page.getByTestId("form-error").textContent(), /absolute path/);
  await page.fill("#new-cwd", "/no/such/directory");
  await page.getByTestId("start-instance").click();
  await page.waitForFunction(() => /does not exist/.test(document.querySelector("[data-testid=form-error]")?.textContent ?? ""));

  // Start: a Write that needs permission, then a slowly streamed answer.
  const note = join(work, "note.md");
  await page.fill("#new-cwd", work);
  await page.fill("#new-name", "e2e agent");
  await page.fill("#new-prompt", `Write a note, then talk.\nfake:write ${note} hello from the browser\nfake:slow 40 40`);
  await page.getByTestId("start-instance").click();
  await page.waitForFunction(() => /\/instances\/[0-9a-f-]+$/.test(location.pathname), null, { timeout: 30_000 });
  await waitHydrated(page);
  assert.equal(await page.getByTestId("instance-name").textContent(), "e2e agent");

  const card = page.locator("[data-testid=permission-card][data-state=pending]");
  await card.waitFor({ timeout: 30_000 });
  assert.match(await card.textContent(), /Write/);
  assert.equal(existsSync(note), false, "nothing is written before the user allows it");
  await page.screenshot({ path: join(ARTIFACTS, "chat-permission.png") });
  await card.getByTestId("allow-button").click();
  await page.locator("[data-testid=permission-outcome]").filter({ hasText: "Allowed" }).waitFor();

  // The answer streams in: the text grows while the turn runs.
  const streaming = page.locator(".prose-chat.streaming");
  await streaming.waitFor({ timeout: 30_000 });
  const early = (await streaming.textContent()).length;
  await page.waitForFunction(
    (n) => (document.querySelector(".prose-chat.streaming")?.textContent?.length ?? 1e9) > n + 20,
    early,
  );
  await page.getByTestId("turn-end").first().waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(note, "utf8"), "hello from the browser");
  assert.match(await page.getByTestId("messages").textContent(), /slow39/);

  // A follow-up from the composer; Claude's output is untrusted and must stay inert.
  const composer = page.getByTestId("composer");
  await composer.fill(
    'fake:text Hi <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3) **bold**',
  );
  await composer.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=turn-end]").length >= 2, null, { timeout: 30_000 });
  const reply = page.getByTestId("assistant-text").last();
  assert.match(await reply.textContent(), /<img src=x onerror=/, "raw HTML shows as text");
  assert.equal(await reply.locator("img, script").count(), 0);
  assert.equal(await reply.locator("strong").textContent(), "bold", "Markdown still renders");
  assert.equal(await reply.locator('a[href^="javascript"]').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  // A network drop: the page says so, reconnects, and catches up without duplicates.
  proxy.cut();
  await page.getByTestId("reconnecting").waitFor({ timeout: 15_000 });
  await page.waitForTimeout(1500); // Stay down through at least one failed reconnect.
  proxy.restore();
  await page.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 30_000 });
  await composer.fill("fake:text after the drop");
  await composer.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=turn-end]").length >= 3, null, { timeout: 30_000 });
  assert.equal(await page.getByTestId("user-message").count(), 3, "each prompt shows once");
  assert.match(await page.getByTestId("assistant-text").last().textContent(), /after the drop/);
  await page.screenshot({ path: join(ARTIFACTS, "chat.png") });

  // Phone width: the conversation and the composer fit.
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await composer.isVisible());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
  await page.screenshot({ path: join(ARTIFACTS, "chat-phone.png") });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Stop it: the status says so and the composer waits for a resume.
  await page.getByTestId("stop-button").click();
  await page.locator("[data-testid=status-badge][data-status=stopped]").first().waitFor({ timeout: 30_000 });
  assert.equal(await composer.isDisabled(), true);
  await page.getByTestId("resume-button").waitFor();

  // On the dashboard: stopped; delete asks first, then removes it.
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await page.waitForURL(`${proxy.url}/`);
  const row = page.getByTestId("instance-card").filter({ hasText: "e2e agent" });
  await row.locator("[data-testid=status-badge][data-status=stopped]").waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-instances.png") });
  await row.getByTestId("delete-button").click();
  await row.getByTestId("confirm-delete").click();
  await row.waitFor({ state: "detached", timeout: 15_000 }).catch(async (e) => {
    console.log("card:", await row.textContent(), "errors:", errors);
    throw e;
  });
  const list = await (await server.api("/api/instances")).json();
  assert.equal(list.length, 0);
  // Only what the test provoked: the refused create and the cut network.
  const unexpected = errors.filter((e) => !/status of 422|WebSocket|ERR_CONNECTION|ERR_EMPTY_RESPONSE|ERR_SOCKET|request failed/.test(e));
  assert.deepEqual(unexpected, []);
  await context.close();
});
