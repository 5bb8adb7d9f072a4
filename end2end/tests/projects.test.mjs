// Projects in the browser: create one from a template, create a worktree, start an instance in
// it, see what it changed in the diff viewer, stage, let Claude draft the message, commit.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, waitHydrated } from "../harness.mjs";

let fake;
let server;
let browser;

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({
    env: {
      ...claudeEnvFor(fake),
      // A fresh machine has no git identity; commits need one.
      GIT_AUTHOR_NAME: "E2E",
      GIT_AUTHOR_EMAIL: "e2e@example.com",
      GIT_COMMITTER_NAME: "E2E",
      GIT_COMMITTER_EMAIL: "e2e@example.com",
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
});

async function api(path) {
  const response = await server.api(path);
  return response.json();
}

test("template project → worktree → instance → diff → commit", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(server.url + "/projects");
  await waitHydrated(page);

  // Empty state, and the form is already open.
  await page.getByTestId("empty-projects").waitFor();
  await page.fill("#project-name", "demo");
  await page.selectOption("#project-template", "empty");
  await page.getByTestId("create-project").click();
  await page.waitForFunction(() => /^\/projects\/[0-9a-f-]+$/.test(location.pathname), null, { timeout: 30_000 });
  assert.equal(await page.getByTestId("project-name").textContent(), "demo");
  await page.getByTestId("empty-worktrees").waitFor();

  // A worktree on a new branch; a bad branch name is answered in the form.
  await page.fill("#wt-branch", "bad..name");
  await page.getByTestId("create-worktree").click();
  await page.waitForFunction(() => /branch/i.test(document.querySelector("[data-testid=form-error]")?.textContent ?? ""));
  await page.fill("#wt-branch", "feature/hello");
  await page.getByTestId("create-worktree").click();
  await page.waitForFunction(() => /^\/worktrees\/[0-9a-f-]+$/.test(location.pathname), null, { timeout: 30_000 });
  const worktreeUrl = page.url();
  assert.equal(await page.getByTestId("worktree-branch").textContent(), "feature/hello");
  const [worktree] = await api("/api/worktrees");
  assert.equal(worktree.branch, "feature/hello");

  // Claude in the worktree writes a file (edits allowed there without asking).
  const file = join(worktree.path, "hello.txt");
  await page.getByTestId("worktree-prompt").fill(`Say hello in a file.\nfake:write ${file} hello from the agent`);
  await page.selectOption("[data-testid=start-instance-here] select", "acceptEdits");
  await page.getByTestId("start-in-worktree").click();
  await page.waitForFunction(() => /^\/instances\/[0-9a-f-]+$/.test(location.pathname), null, { timeout: 30_000 });
  const instanceId = page.url().split("/").pop();
  for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(file), "the agent wrote the file");
  const instance = await api(`/api/instances/${instanceId}`);
  assert.equal(instance.worktree_id, worktree.id);
  assert.equal(instance.cwd, worktree.path);

  // The instance page links to its worktree, where its work is reviewed.
  assert.equal(await page.getByTestId("review-link").getAttribute("href"), `/worktrees/${worktree.id}`);

  // The dashboard groups the instance under its project.
  await page.goto(server.url + "/");
  await waitHydrated(page);
  await page.getByTestId("instance-group").filter({ hasText: "demo" }).getByTestId("instance-card").waitFor();

  // Its change in the diff viewer.
  await page.goto(worktreeUrl);
  await waitHydrated(page);
  assert.equal(await page.getByTestId("breadcrumb-project").textContent(), "demo");
  await page.getByTestId("uncommitted-badge").waitFor();
  const unstaged = page.getByTestId("unstaged-files");
  await unstaged.getByText("hello.txt").click();
  const diff = page.getByTestId("diff-view");
  await diff.locator("tr.diff-add").filter({ hasText: "hello from the agent" }).waitFor();
  assert.equal(await diff.getByTestId("diff-path").textContent(), "hello.txt");
  await page.getByRole("button", { name: "Side by side" }).click();
  await diff.locator("td.diff-add").filter({ hasText: "hello from the agent" }).first().waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "worktree-diff.png") });

  // Stage, let Claude draft the message, edit it, commit.
  await page.getByRole("button", { name: "Stage hello.txt" }).click();
  await page.getByTestId("staged-files").getByText("hello.txt").waitFor();
  await page.getByTestId("draft-message").click();
  await page.waitForFunction(
    () => /Hello from fake API/.test(document.querySelector("[data-testid=commit-message]")?.value ?? ""),
    null,
    { timeout: 60_000 },
  );
  await page.getByTestId("commit-message").fill("Add hello.txt\n\nWritten by the agent.");
  await page.getByTestId("commit-button").click();
  await page.getByTestId("commit-done").waitFor();
  await page.getByTestId("commit-log").getByText("Add hello.txt").waitFor();
  await page.getByTestId("staged-files").getByText("None").waitFor();
  const subject = execFileSync("git", ["-C", worktree.path, "log", "-1", "--format=%s"]).toString().trim();
  assert.equal(subject, "Add hello.txt");
  const status = execFileSync("git", ["-C", worktree.path, "status", "--porcelain"]).toString();
  assert.equal(status.trim(), "", "nothing left uncommitted");
  await page.screenshot({ path: join(ARTIFACTS, "worktree-committed.png") });

  // The header's badge says what the review panel says: gone after the commit, back (without a
  // reload) after a change on disk, gone again when it is undone.
  await page.getByTestId("uncommitted-badge").waitFor({ state: "detached" });
  const later = join(worktree.path, "later.txt");
  writeFileSync(later, "changed on disk\n");
  await page.getByTestId("unstaged-files").getByText("later.txt").waitFor();
  await page.getByTestId("uncommitted-badge").waitFor();
  rmSync(later);
  await page.getByTestId("uncommitted-badge").waitFor({ state: "detached" });

  // The explorer shows the file in Monaco (served by Flotilla) and saves an edit (Ctrl+S).
  await page.getByTestId("tab-files").click();
  await page.getByTestId("tree-file").filter({ hasText: "hello.txt" }).click();
  const monaco = page.locator("[data-testid=code-editor] .monaco-editor");
  await monaco.waitFor({ timeout: 30_000 });
  await monaco.locator(".view-lines").filter({ hasText: "hello from the agent" }).waitFor();
  await monaco.locator(".view-lines").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("edited in the browser");
  await page.locator(".badge-warn").filter({ hasText: "Unsaved" }).waitFor();
  await page.keyboard.press("Control+S");
  await page.waitForFunction(() => document.querySelector("[data-testid=save-file]")?.disabled === true);
  assert.equal(execFileSync("cat", [file]).toString(), "edited in the browser");
  await page.screenshot({ path: join(ARTIFACTS, "explorer-monaco.png") });

  // The one 422 is the bad branch name, answered in the form.
  const unexpected = errors.filter((e) => !/status of 422/.test(e));
  assert.deepEqual(unexpected, [], "no other errors in the browser console");
  await context.close();
});
