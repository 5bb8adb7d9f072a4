// The Sessions page: a session the real CLI ran and ones "run in a terminal" (transcripts written
// straight into the claude home) are listed with their cost, found by search, and the page fits
// a phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, waitHydrated } from "../harness.mjs";

let fake;
let server;
let browser;
let work;

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({ env: claudeEnvFor(fake) });
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-sessions-"));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A transcript as the CLI writes it: a prompt, then one API message written as two lines. */
function terminalSession(id, cwd, prompt, day, usage) {
  const common = { cwd, sessionId: id, version: "2.1.331", gitBranch: "main", isSidechain: false };
  const msg = { id: `msg_${id}`, type: "message", role: "assistant", model: "claude-sonnet-4-20250514", usage };
  const lines = [
    { type: "user", message: { role: "user", content: prompt }, uuid: `${id}-u1`, parentUuid: null, timestamp: `${day}T10:00:00.000Z`, ...common },
    { type: "assistant", message: { ...msg, content: [{ type: "text", text: "Looking." }] }, requestId: `req_${id}`, uuid: `${id}-a1`, timestamp: `${day}T10:00:01.000Z`, ...common },
    { type: "assistant", message: { ...msg, content: [{ type: "text", text: "Done <img src=x onerror=alert(1)>" }] }, requestId: `req_${id}`, uuid: `${id}-a2`, timestamp: `${day}T10:00:02.000Z`, ...common },
  ];
  const dir = join(server.claudeHome, ".claude", "projects", cwd.replace(/[^A-Za-z0-9]/g, "-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}

test("sessions from the CLI and from a terminal, with cost, searchable, on desktop and phone", async () => {
  // One run by Flotilla (the real CLI against the fake API)...
  const res = await server.api("/api/instances", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: work, name: "indexed", prompt: "Summarise the changelog\nbriefly" }),
  });
  assert.equal(res.status, 201);
  const instance = await res.json();
  // ...and two "from a terminal", one of them with markup in its prompt (shown as text).
  terminalSession("11111111-1111-4111-8111-111111111111", "/home/dev/shop", "Fix the checkout <b>bug</b>", "2026-11-20",
    { input_tokens: 1000000, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  terminalSession("22222222-2222-4222-8222-222222222222", "/home/dev/blog", "Write the release notes", "2026-11-21",
    { input_tokens: 2000, output_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

  const page = await server.newPage(browser, { viewport: { width: 1366, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/sessions`);
  await waitHydrated(page);
  const rows = page.getByTestId("session-row");
  // The page refreshes itself: the CLI's session appears once its turn is written.
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-row]").length === 3, null, { timeout: 60_000 });
  const cli = rows.filter({ hasText: "Summarise the changelog" });
  await cli.waitFor();
  const state = await (await server.api(`/api/instances/${instance.id}`)).json();
  assert.ok(state.cost_usd > 0);
  const shop = rows.filter({ hasText: "Fix the checkout <b>bug</b>" });
  // One API message written as two lines counts once: 1M input tokens of Sonnet are $3.00.
  assert.equal(await shop.getByTestId("session-cost").innerText(), "$3.00");
  assert.match(await shop.innerText(), /1 API message/);
  assert.equal(await page.locator("[data-testid=session-row] b").count(), 0, "prompts are text, not markup");
  await page.getByTestId("index-ready").waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "sessions.png") });

  // Search: Enter applies it.
  await page.getByTestId("session-search").fill("release notes");
  await page.getByTestId("session-search").press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-row]").length === 1);
  assert.match(await rows.first().innerText(), /Write the release notes/);
  await page.getByTestId("session-search").fill("nothing like this");
  await page.getByTestId("session-apply").click();
  await page.getByTestId("empty-sessions").waitFor();
  await page.getByRole("button", { name: "Clear" }).click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-row]").length === 3);
  assert.deepEqual(errors, []);

  await page.close();

  const phone = await server.newPage(browser, { viewport: { width: 390, height: 844 } });
  await phone.goto(`${server.url}/sessions`);
  await waitHydrated(phone);
  await phone.getByTestId("session-row").nth(2).waitFor();
  const fits = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, "the list fits a phone");
  await phone.screenshot({ path: join(ARTIFACTS, "sessions-phone.png"), fullPage: true });
  await phone.close();
});

test("a session replays in the chat's items, step by step and played back, and forks at a message", async () => {
  const res = await server.api("/api/instances", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: work, name: "replayed", prompt: "Replay this conversation" }),
  });
  assert.equal(res.status, 201);
  const instance = await res.json();
  const page = await server.newPage(browser, { viewport: { width: 1366, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/sessions`);
  await waitHydrated(page);
  const row = page.getByTestId("session-row").filter({ hasText: "Replay this conversation" });
  // Wait for its reply to be indexed (the row says so), then open it.
  await row.filter({ hasText: /[1-9] API message/ }).waitFor({ timeout: 60_000 });
  await row.getByTestId("session-title").click();
  await page.getByTestId("session-detail").waitFor();
  await waitHydrated(page);
  assert.equal(await page.getByTestId("session-detail-title").innerText(), "Replay this conversation");
  const replay = page.getByTestId("replay");
  const position = page.getByTestId("replay-position");
  const total = Number((await position.innerText()).split(" / ")[1]);
  assert.ok(total >= 2, `a prompt and a reply to replay, got ${total}`);
  await replay.getByTestId("user-message").filter({ hasText: "Replay this conversation" }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "session-detail.png") });

  // Step through it: from the start nothing, one step the prompt.
  await page.getByTestId("replay-start").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=replay-position]").innerText.startsWith("0 /"));
  assert.equal(await replay.getByTestId("user-message").count(), 0);
  await page.getByTestId("replay-step").click();
  await replay.getByTestId("user-message").waitFor();
  // Play runs to the end with the original timing (pauses shortened).
  await page.getByTestId("replay-play").click();
  await page.waitForFunction((t) => document.querySelector("[data-testid=replay-position]").innerText === `${t} / ${t}`, total, { timeout: 30_000 });

  // The outline has each message; "Fork here" on the prompt starts a new instance on a copy.
  const prompt = page.getByTestId("outline-message").filter({ hasText: "Replay this conversation" }).first();
  await prompt.getByTestId("fork-here").click();
  await page.waitForURL(/\/instances\//);
  await page.getByTestId("chat").waitFor();
  const forkId = page.url().split("/instances/")[1];
  assert.notEqual(forkId, instance.id);
  const fork = await (await server.api(`/api/instances/${forkId}`)).json();
  assert.notEqual(fork.session_id, instance.session_id);

  // A terminal session whose folder is gone: resume says why, where the user is looking.
  await page.goto(`${server.url}/sessions/22222222-2222-4222-8222-222222222222`);
  await waitHydrated(page);
  await page.getByTestId("resume-session").click();
  const error = page.getByTestId("session-error");
  await error.waitFor();
  assert.match(await error.innerText(), /does not exist|not a directory|project/);
  // Markup Claude wrote is shown inert.
  await page.goto(`${server.url}/sessions/11111111-1111-4111-8111-111111111111`);
  await waitHydrated(page);
  await page.getByTestId("replay").getByText("Done").first().waitFor();
  assert.equal(await page.locator("[data-testid=replay] img").count(), 0);
  // The one 422 is the resume refused above, answered on the page.
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  await page.close();

  const phone = await server.newPage(browser, { viewport: { width: 390, height: 844 } });
  await phone.goto(`${server.url}/sessions/11111111-1111-4111-8111-111111111111`);
  await waitHydrated(phone);
  await phone.getByTestId("outline").waitFor();
  const fits = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, "the session page fits a phone");
  await phone.screenshot({ path: join(ARTIFACTS, "session-detail-phone.png"), fullPage: true });
  await phone.close();
});

test("a transcript is imported from the page, two sessions merge, and the family tree shows it", async () => {
  const page = await server.newPage(browser, { viewport: { width: 1366, height: 1200 } });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/sessions`);
  await waitHydrated(page);

  // A file that is not a transcript is refused where the user is looking.
  await page.getByTestId("import-open").click();
  const bad = join(work, "bad.jsonl");
  writeFileSync(bad, "not json\n");
  await page.getByTestId("import-file").setInputFiles(bad);
  await page.getByTestId("import-submit").click();
  await page.getByTestId("import-error").waitFor();
  assert.match(await page.getByTestId("import-error").innerText(), /line 1 is not a JSON object/);
  await page.screenshot({ path: join(ARTIFACTS, "sessions-import-error.png") });

  // A session from another machine, given a folder here.
  const id = "33333333-3333-4333-8333-333333333333";
  const common = { cwd: "/elsewhere/project", sessionId: id, version: "2.1.331", gitBranch: "main", isSidechain: false };
  const good = join(work, "good.jsonl");
  writeFileSync(good, [
    { type: "user", message: { role: "user", content: "Imported from afar" }, uuid: `${id}-u1`, parentUuid: null, timestamp: "2026-11-22T09:00:00.000Z", ...common },
    { type: "assistant", message: { id: "msg_far", type: "message", role: "assistant", model: "claude-sonnet-4-20250514", content: [{ type: "text", text: "Hello from afar." }],
      usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
      requestId: "req_far", uuid: `${id}-a1`, parentUuid: `${id}-u1`, timestamp: "2026-11-22T09:00:01.000Z", ...common },
  ].map((l) => JSON.stringify(l)).join("\n") + "\n");
  await page.getByTestId("import-file").setInputFiles(good);
  await page.getByTestId("import-cwd").fill(work);
  await page.getByTestId("import-submit").click();
  await page.waitForURL(new RegExp(`/sessions/${id}$`));
  await page.getByTestId("session-detail").waitFor();
  assert.equal(await page.getByTestId("session-detail-title").innerText(), "Imported from afar");
  assert.match(await page.getByTestId("session-detail").innerText(), new RegExp(work.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));

  // Merge: tick two sessions; a third cannot be ticked.
  await page.goto(`${server.url}/sessions`);
  await waitHydrated(page);
  const rows = page.getByTestId("session-row");
  await rows.filter({ hasText: "Summarise the changelog" }).getByTestId("merge-select").check();
  await page.getByTestId("merge-bar").waitFor();
  await rows.filter({ hasText: "Imported from afar" }).getByTestId("merge-select").check();
  assert.ok(await rows.filter({ hasText: "Write the release notes" }).getByTestId("merge-select").isDisabled());
  await page.getByTestId("merge-instruction").fill("Pick the better one.");
  await page.screenshot({ path: join(ARTIFACTS, "sessions-merge.png") });
  await page.getByTestId("merge-start").click();
  await page.waitForURL(/\/instances\//);
  // The merged session's first prompt is the brief of both.
  await page.getByTestId("user-message").filter({ hasText: "Session A: Summarise the changelog" }).waitFor({ timeout: 30_000 });
  await page.getByTestId("user-message").filter({ hasText: "Session B: Imported from afar" }).waitFor();
  const instance = await (await server.api(`/api/instances/${page.url().split("/instances/")[1]}`)).json();

  // Its page shows the family: both sessions it came from, and itself.
  for (let i = 0; i < 150; i++) {
    if ((await server.api(`/api/sessions/${instance.session_id}`)).status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.goto(`${server.url}/sessions/${instance.session_id}`);
  await waitHydrated(page);
  const family = page.getByTestId("family-tree");
  await family.waitFor();
  assert.equal(await family.getByRole("link", { name: "Summarise the changelog", exact: true }).count(), 1);
  assert.equal(await family.getByRole("link", { name: "Imported from afar", exact: true }).count(), 1);
  assert.equal(await family.getByTestId("family-current").count(), 2, "the merge sits under both its parents");
  assert.match(await family.getByTestId("family-current").first().innerText(), /^Merge of “Summarise the changelog” and “Imported from afar”/);
  await page.screenshot({ path: join(ARTIFACTS, "session-family.png") });
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  await page.close();
});

test("a session forked in a terminal (claude --resume --fork-session) shows in its parent's family", async () => {
  // The parent, then its fork as the CLI writes one: the parent's lines under the new id, then its own.
  const parent = "77777777-7777-4777-8777-777777777777";
  const fork = "88888888-8888-4888-8888-888888888888";
  const usage = { input_tokens: 500, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  terminalSession(parent, "/home/dev/garden", "Plan the garden beds", "2026-11-22", usage);
  const dir = join(server.claudeHome, ".claude", "projects", "-home-dev-garden");
  const copied = readFileSync(join(dir, `${parent}.jsonl`), "utf8").split("\n").filter(Boolean)
    .map((l) => JSON.parse(l)).map((l) => ({ ...l, sessionId: fork }));
  const own = { cwd: "/home/dev/garden", sessionId: fork, version: "2.1.331", gitBranch: "main", isSidechain: false };
  copied.push(
    { type: "user", message: { role: "user", content: "Now the watering" }, uuid: `${fork}-u2`, parentUuid: `${parent}-a2`, timestamp: "2026-11-22T11:00:00.000Z", ...own },
    { type: "assistant", message: { id: `msg_${fork}`, type: "message", role: "assistant", model: "claude-sonnet-4-20250514", usage, content: [{ type: "text", text: "Drip lines." }] },
      requestId: `req_${fork}`, uuid: `${fork}-a3`, parentUuid: `${fork}-u2`, timestamp: "2026-11-22T11:00:01.000Z", ...own },
  );
  writeFileSync(join(dir, `${fork}.jsonl`), copied.map((l) => JSON.stringify(l)).join("\n") + "\n");
  for (let i = 0; i < 150; i++) {
    if ((await server.api(`/api/sessions/${fork}`)).status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const page = await server.newPage(browser, { viewport: { width: 1366, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/sessions/${parent}`);
  await waitHydrated(page);
  const family = page.getByTestId("family-tree");
  await family.waitFor();
  // The fork sits under its parent (the page's session), marked as a fork, its cost its own.
  const child = family.locator(`[data-testid=family-member][data-session="${parent}"] [data-testid=family-member][data-session="${fork}"]`);
  await child.waitFor();
  assert.match(await child.innerText(), /fork/);
  // Titled by its own first prompt, not the parent's it repeats.
  assert.match(await child.innerText(), /Now the watering/);
  await page.screenshot({ path: join(ARTIFACTS, "session-family-cli-fork.png") });
  assert.deepEqual(errors, []);
  await page.close();
});
