// Daily use: the chat follows the agent (and stops when the reader scrolls up), the permission
// card is reachable on a phone, an interrupt reads as words, unsaved edits survive a file switch
// and leaving asks first, and every page of the router fits a phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, ROOT, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, waitHydrated } from "../harness.mjs";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

let fake;
let server;
let browser;
let work;
let repo;

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({
    env: {
      ...claudeEnvFor(fake),
      GIT_AUTHOR_NAME: "E2E",
      GIT_AUTHOR_EMAIL: "e2e@example.com",
      GIT_COMMITTER_NAME: "E2E",
      GIT_COMMITTER_EMAIL: "e2e@example.com",
    },
  });
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-daily-"));
  repo = join(work, "repo");
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  writeFileSync(join(repo, "a.txt"), "first file\n");
  writeFileSync(join(repo, "b.txt"), "second file\n");
  execFileSync("git", ["-C", repo, "add", "."]);
  execFileSync("git", ["-C", repo, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", "commit", "-qm", "start"]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function post(path, body) {
  const response = await server.api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${path}: ${JSON.stringify(json)}`);
  return json;
}

/** How far the conversation's bottom is below what it shows. */
const distance = (page) =>
  page.getByTestId("messages").evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

async function turns(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=turn-end]").length >= n, n, { timeout: 60_000 });
}

test("the chat sticks to the bottom, stops when scrolled up, and offers jump to latest", async () => {
  const long = "fake:text " + "A long line of output that wraps on a phone. ".repeat(12);
  const instance = await post("/api/instances", { cwd: repo, name: "scroller", prompt: long });
  const page = await server.newPage(browser, { viewport: PHONE });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/instances/${instance.id}`);
  await waitHydrated(page);
  await turns(page, 1);
  const composer = page.getByTestId("composer");
  for (let i = 2; i <= 4; i++) {
    await composer.fill(long);
    await composer.press("Enter");
    await turns(page, i);
  }
  // Opened fresh, the page starts at the newest message, not the oldest.
  await page.reload();
  await waitHydrated(page);
  await turns(page, 4);
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=messages]");
    return el.scrollHeight > el.clientHeight + 200 && el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  });
  assert.equal(await page.getByTestId("jump-to-latest").count(), 0);

  // At the bottom, streamed output stays in view as it grows.
  await composer.fill("fake:slow 60 40");
  await composer.press("Enter");
  await page.locator(".prose-chat.streaming").waitFor({ timeout: 30_000 });
  await page.waitForTimeout(800);
  assert.ok((await distance(page)) < 48, "new output while at the bottom is visible");
  await turns(page, 5);
  assert.ok((await distance(page)) < 48);

  // Scrolled up, the view stays put and counts what arrives.
  await page.getByTestId("messages").evaluate((el) => { el.scrollTop = 0; });
  await page.getByTestId("jump-to-latest").waitFor();
  await composer.fill(long);
  await composer.press("Enter");
  await turns(page, 6);
  assert.equal(await page.getByTestId("messages").evaluate((el) => el.scrollTop), 0, "the reader's place is kept");
  await page.getByTestId("jump-to-latest").filter({ hasText: /\(\d+ new\)/ }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "chat-jump-phone.png") });
  await page.getByTestId("jump-to-latest").click();
  await page.getByTestId("jump-to-latest").waitFor({ state: "detached" });
  assert.ok((await distance(page)) < 48, "the jump lands at the bottom");

  // An interrupt reads as words; the CLI's diagnostic is not on the page.
  await composer.fill("fake:slow 200 50");
  await composer.press("Enter");
  await page.locator(".prose-chat.streaming").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("interrupt-button").innerText(), /Interrupt/, "the button says what it does");
  await page.getByTestId("interrupt-button").click();
  await turns(page, 7);
  const end = page.getByTestId("turn-end").last();
  assert.match(await end.textContent(), /Turn interrupted/);
  assert.doesNotMatch(await page.locator("main").innerText(), /ede_diagnostic|result_type=/);
  await page.screenshot({ path: join(ARTIFACTS, "chat-interrupted-phone.png") });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the permission card's buttons are visible and clickable at phone width", async () => {
  const note = join(work, "phone-note.md");
  const instance = await post("/api/instances", {
    cwd: work,
    name: "asks first",
    prompt: `Write a note.\nfake:write ${note} written from a phone`,
  });
  const page = await server.newPage(browser, { viewport: PHONE });
  await page.goto(`${server.url}/instances/${instance.id}`);
  await waitHydrated(page);
  const card = page.locator("[data-testid=permission-card][data-state=pending]");
  await card.waitFor({ timeout: 30_000 });
  const allow = card.getByTestId("allow-button");
  const box = await allow.boundingBox();
  const composerBox = await page.getByTestId("composer").boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= composerBox.y, `Allow is above the composer: ${JSON.stringify({ box, composerBox })}`);
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width);
  await page.screenshot({ path: join(ARTIFACTS, "chat-permission-phone.png") });
  await allow.click({ trial: false });
  // Answered, the question folds into the card of the call it was about: one card per call.
  await page.getByTestId("tool-card").filter({ hasText: "phone-note.md" }).getByTestId("permission-outcome").filter({ hasText: "Allowed" }).waitFor();
  await turns(page, 1);
  assert.equal(await page.getByTestId("permission-card").count(), 0, "no second card for the answered question");
  assert.equal(readFileSync(note, "utf8"), "written from a phone");
  await page.close();
});

test("unsaved edits are kept across a file switch, and leaving asks first", async () => {
  const project = await post("/api/projects", { name: "daily", path: repo });
  const page = await server.newPage(browser, { viewport: DESKTOP });
  await page.goto(`${server.url}/projects/${project.id}?tab=files`);
  await waitHydrated(page);
  const open = async (name) => {
    await page.getByTestId("tree-file").filter({ hasText: name }).click();
    await page.locator("[data-testid=editor] .font-mono").filter({ hasText: name }).waitFor();
    const monaco = page.locator("[data-testid=code-editor] .monaco-editor");
    await monaco.waitFor({ timeout: 30_000 });
    return monaco;
  };
  let monaco = await open("a.txt");
  await monaco.locator(".view-lines").filter({ hasText: "first file" }).waitFor();
  await monaco.locator(".view-lines").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("changed but not saved");
  await page.locator(".badge-warn").filter({ hasText: "Unsaved" }).waitFor();

  // Another file, then back: the edit is still there, marked in the tree.
  monaco = await open("b.txt");
  await monaco.locator(".view-lines").filter({ hasText: "second file" }).waitFor();
  await page.getByTestId("tree-file").filter({ hasText: "a.txt" }).getByTestId("tree-unsaved").waitFor();
  monaco = await open("a.txt");
  await monaco.locator(".view-lines").filter({ hasText: "changed but not saved" }).waitFor();
  await page.locator(".badge-warn").filter({ hasText: "Unsaved" }).waitFor();
  assert.equal(readFileSync(join(repo, "a.txt"), "utf8"), "first file\n", "nothing written yet");

  // Following a link asks; "Cancel" stays on the page with the edit.
  let asked = null;
  page.once("dialog", (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await page.getByRole("link", { name: "Projects" }).first().click();
  await page.waitForTimeout(500);
  assert.match(asked ?? "", /unsaved changes in 1 file/);
  assert.match(page.url(), /tab=files/);
  await page.locator(".badge-warn").filter({ hasText: "Unsaved" }).waitFor();

  // Closing the tab asks too (the browser's own prompt).
  const closing = new Promise((resolve) => page.once("dialog", (dialog) => { resolve(dialog.type()); dialog.accept(); }));
  await page.close({ runBeforeUnload: true });
  assert.equal(await closing, "beforeunload");
});

test("every page of the router fits a phone", async () => {
  // The page list is read from the router itself, so a new page is covered without a change here.
  const source = readFileSync(join(ROOT, "src", "app.rs"), "utf8");
  const paths = [...source.matchAll(/<Route path=path!\("([^"]*)"\)/g)].map((m) => m[1]);
  assert.ok(paths.length >= 9, `found the routes: ${paths}`);
  const [project] = await (await server.api("/api/projects")).json();
  const worktree = await post("/api/worktrees", { project_id: project.id, branch: "phone/check" });
  const [instance] = await (await server.api("/api/instances")).json();
  // The instances above ran real sessions; the index lists them within a scan or two.
  let session;
  for (let i = 0; i < 100 && !session; i++) {
    [session] = (await (await server.api("/api/sessions?limit=1")).json()).items;
    if (!session) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(session, "a session to show");
  const mcp = await post("/api/mcp/servers", { name: "phone-check", scope: "user", command: "python3", args: [join(ROOT, "tests", "support", "mcp_server.py")] });
  const ids = { "/instances/": instance.id, "/projects/": project.id, "/worktrees/": worktree.id, "/sessions/": session.id, "/mcp/": mcp.id };
  const urls = paths.map((path) => {
    if (!path.includes(":")) return path;
    const prefix = Object.keys(ids).find((p) => path.startsWith(p));
    assert.ok(prefix, `no id to fill in ${path}: add one to this test`);
    return path.replace(/:[a-z_]+/, ids[prefix]);
  });
  // The pages with tabs, each tab.
  urls.push(`/projects/${project.id}?tab=changes`, `/projects/${project.id}?tab=files`, `/projects/${project.id}?tab=settings`, `/projects/${project.id}?tab=cleanup`, `/projects/${project.id}?tab=sessions`, `/projects/${project.id}?tab=mcp`);
  urls.push(`/worktrees/${worktree.id}?tab=files`, `/worktrees/${worktree.id}?tab=sessions`, "/settings?tab=tokens", "/settings?tab=access", "/settings?tab=mcp", "/settings?tab=audit");
  const phone = await server.newPage(browser, { viewport: PHONE });
  const desktop = await server.newPage(browser, { viewport: DESKTOP });
  const overflowing = [];
  for (const url of urls) {
    const name = url.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "dashboard";
    for (const [page, size] of [[phone, "phone"], [desktop, "desktop"]]) {
      await page.goto(server.url + url);
      await waitHydrated(page);
      await page.waitForTimeout(300);
      // Neither the document nor the main column (which scrolls on its own) may be wider than
      // the screen; wide content (code, diffs) scrolls inside its own box.
      const over = await page.evaluate(() => {
        const main = document.querySelector("main");
        return Math.max(document.documentElement.scrollWidth - window.innerWidth, main ? main.scrollWidth - main.clientWidth : 0);
      });
      if (size === "phone" && over > 0) overflowing.push(`${url}: ${over}px`);
      await page.screenshot({ path: join(ARTIFACTS, `page-${name}-${size}.png`), fullPage: true });
    }
  }
  assert.deepEqual(overflowing, [], "pages wider than a phone");
  await phone.close();
  await desktop.close();
});
