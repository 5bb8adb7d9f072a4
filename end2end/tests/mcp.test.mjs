// The MCP pages: a server added through the form (where Claude Code reads it), tested, inspected
// (a tool called through the form made from its schema, resources, templates, prompts, the
// JSON-RPC log beside stderr), edited and removed; a hanging server says why; an instance shows
// its servers; a server made from the Python template is built and inspected; phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, ROOT, claudeEnvFor, collectErrors, launchBrowser, startFakeApi, startFlotilla, waitHydrated } from "../harness.mjs";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 1000 };
const SCRIPT = join(ROOT, "tests", "support", "mcp_server.py");

let fake;
let server;
let browser;
let work;

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({ env: claudeEnvFor(fake), args: ["--mcp-timeout-secs", "3"] });
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-mcp-"));
  execFileSync("git", ["init", "-q", "-b", "main", work]);
  execFileSync("git", ["-C", work, "-c", "user.name=E2E", "-c", "user.email=e2e@example.com", "commit", "-q", "--allow-empty", "-m", "start"]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Fills the add/edit form for a stdio server. */
async function fillServer(page, { name, scope = "user", args = [SCRIPT], env = "" }) {
  const form = page.getByTestId("mcp-server-form");
  await form.getByTestId("mcp-name").fill(name);
  if (await form.getByTestId("mcp-scope").count()) await form.getByTestId("mcp-scope").selectOption(scope);
  await form.getByTestId("mcp-command").fill("python3");
  await form.getByTestId("mcp-args").fill(args.join("\n"));
  await form.getByTestId("mcp-env").fill(env);
  return form;
}

test("a server is added, tested, inspected (tools, resources, prompts, log), edited and removed", async () => {
  const page = await server.newPage(browser, { viewport: DESKTOP });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/mcp`);
  await waitHydrated(page);
  await page.getByTestId("no-mcp-servers").waitFor();

  // Added through the form, as Claude Code keeps it.
  await page.getByTestId("add-mcp-server").click();
  // A bad name is refused where the user is looking.
  const form = await fillServer(page, { name: "tester", env: "TOKEN=s3cret" });
  await form.getByTestId("mcp-command").fill("no-such-program-here");
  await form.getByTestId("mcp-save").click();
  await form.getByTestId("mcp-form-error").waitFor();
  assert.match(await form.getByTestId("mcp-form-error").innerText(), /not an executable/);
  await form.getByTestId("mcp-command").fill("python3");
  await form.getByTestId("mcp-save").click();
  const card = page.getByTestId("mcp-server").filter({ hasText: "tester" });
  await card.waitFor();
  assert.match(await card.innerText(), /Secrets \(hidden\): TOKEN/);
  assert.ok(!(await page.content()).includes("s3cret"), "the secret is not in the page");
  const config = JSON.parse(readFileSync(join(server.claudeHome, ".claude.json"), "utf8"));
  assert.equal(config.mcpServers.tester.env.TOKEN, "s3cret");
  assert.equal(config.mcpServers.tester.type, "stdio");

  // Test connection.
  await card.getByTestId("test-mcp-server").click();
  const outcome = card.getByTestId("test-outcome");
  await outcome.waitFor();
  assert.match(await outcome.innerText(), /Connected to flotilla-test-server in \d+ ms: 2 tool\(s\)/);
  await page.screenshot({ path: join(ARTIFACTS, "mcp.png") });

  // The inspector.
  await card.getByTestId("inspect-link").click();
  await page.getByTestId("mcp-inspector").waitFor();
  await waitHydrated(page);
  await page.getByTestId("connect").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=connection-state]")?.innerText === "connected");
  assert.match(await page.getByTestId("server-info").innerText(), /flotilla-test-server 1\.0\.0/);
  const tools = page.getByTestId("tool");
  assert.deepEqual(await tools.evaluateAll((els) => els.map((e) => e.dataset.name)), ["echo", "add"]);
  // A form made from echo's schema: a text field and a switch.
  const panel = page.getByTestId("tool-panel");
  await panel.locator("[data-field=message]").fill("hello");
  await panel.locator("[data-field=shout]").check();
  await panel.getByTestId("schema-submit").click();
  const result = page.getByTestId("call-result");
  await result.getByTestId("result-text").waitFor();
  assert.equal(await result.getByTestId("result-text").innerText(), "Echo: HELLO");
  // A required field left empty is caught before the call.
  await tools.filter({ hasText: "add" }).click();
  await panel.locator("[data-field=a]").fill("2");
  await panel.getByTestId("schema-submit").click();
  // The browser holds the form back at the empty required field.
  assert.equal(await panel.locator("[data-field=b]").evaluate((el) => el.validity.valueMissing), true);
  assert.equal(await page.getByTestId("call-result").count(), 1, "no second call was made");
  // Or the arguments as JSON.
  await panel.getByTestId("toggle-raw").click();
  await panel.getByTestId("raw-arguments").fill('{"a": 40, "b": 2}');
  await panel.getByTestId("schema-submit").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=result-text]")?.innerText === "42");
  await page.screenshot({ path: join(ARTIFACTS, "mcp-inspector.png") });

  // Resources: text shown, binary offered as a download, a template filled in.
  await page.getByTestId("tab-resources").click();
  await page.getByTestId("resource").filter({ hasText: "hello" }).click();
  await page.getByTestId("resource-text").filter({ hasText: "Hello from the test server" }).waitFor();
  await page.getByTestId("resource").filter({ hasText: "blob" }).click();
  await page.getByTestId("resource-download").waitFor();
  const template = page.getByTestId("resource-template");
  await template.getByRole("textbox", { name: "name" }).fill("Ada");
  await template.getByRole("button", { name: "Read" }).click();
  await page.getByTestId("resource-text").filter({ hasText: "Hello, Ada!" }).waitFor();

  // Prompts.
  await page.getByTestId("tab-prompts").click();
  await page.getByTestId("prompt-form").locator("[data-field=name]").fill("Bob");
  await page.getByTestId("prompt-form").getByRole("button", { name: "Get prompt" }).click();
  await page.getByTestId("prompt-result").filter({ hasText: "Please greet Bob" }).waitFor();

  // The JSON-RPC log beside the server's stderr, followed live.
  await page.getByTestId("tab-log").click();
  await page.getByTestId("rpc-log").filter({ hasText: '"method":"initialize"' }).waitFor();
  await page.getByTestId("rpc-log").filter({ hasText: "prompts/get" }).waitFor();
  await page.getByTestId("stderr-log").filter({ hasText: "test server ready" }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "mcp-log.png") });

  // Edit (the secret stays as it was) and remove (asked first).
  await page.goto(`${server.url}/mcp`);
  await waitHydrated(page);
  // The list says, on the card, that the inspector is connected and what it has done.
  await card.getByTestId("mcp-live").filter({ hasText: /connected · \d+ tool\(s\) · 2 call\(s\)/ }).waitFor();
  await card.getByTestId("edit-mcp-server").click();
  await card.getByTestId("mcp-server-form").getByTestId("mcp-name").fill("tester2");
  await card.getByTestId("mcp-server-form").getByTestId("mcp-save").click();
  const renamed = page.getByTestId("mcp-server").filter({ hasText: "tester2" });
  await renamed.waitFor();
  const after = JSON.parse(readFileSync(join(server.claudeHome, ".claude.json"), "utf8"));
  assert.equal(after.mcpServers.tester2.env.TOKEN, "s3cret");
  assert.equal(after.mcpServers.tester, undefined);
  await renamed.getByTestId("remove-mcp-server").click();
  await renamed.getByTestId("confirm-remove").click();
  await page.getByTestId("no-mcp-servers").waitFor();
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  await page.close();
});

test("a hanging server says why, an instance shows its servers, and the MCP pages fit a phone", async () => {
  // A server that never answers: the inspector gives up after the timeout, in words.
  const hangs = await (await server.api("/api/mcp/servers", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "hangs", scope: "user", command: "python3", args: [SCRIPT, "--hang"] }),
  })).json();
  const page = await server.newPage(browser, { viewport: DESKTOP });
  await page.goto(`${server.url}/mcp/${hangs.id}`);
  await waitHydrated(page);
  await page.getByTestId("connect").click();
  await page.getByTestId("inspector-error").waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId("inspector-error").innerText(), /did not answer the handshake within 3 s/);
  await server.api(`/api/mcp/servers/${hangs.id}`, { method: "DELETE" });

  // An instance gets the servers Claude Code reads: its page shows them and their tools.
  await server.api("/api/mcp/servers", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "tester", scope: "user", command: "python3", args: [SCRIPT] }),
  });
  const instance = await (await server.api("/api/instances", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: work, name: "with-mcp", prompt: "hello" }),
  })).json();
  await page.goto(`${server.url}/instances/${instance.id}`);
  await waitHydrated(page);
  const status = page.getByTestId("mcp-server-status").filter({ hasText: "tester connected" });
  await status.waitFor({ timeout: 60_000 });
  await page.getByTestId("mcp-status").locator("summary").click();
  assert.match(await page.getByTestId("mcp-status").innerText(), /2 tool\(s\): add, echo/);
  await page.screenshot({ path: join(ARTIFACTS, "mcp-instance.png") });
  await page.close();

  const phone = await server.newPage(browser, { viewport: PHONE });
  const errors = collectErrors(phone);
  const [tester] = (await (await server.api("/api/mcp/servers")).json()).servers;
  // The inspector first, so the list shows the card's live badge at phone width too.
  for (const [url, name] of [[`/mcp/${tester.id}`, "mcp-inspector-phone"], ["/mcp", "mcp-phone"]]) {
    await phone.goto(server.url + url);
    await waitHydrated(phone);
    if (url !== "/mcp") {
      await phone.getByTestId("connect").click();
      await phone.waitForFunction(() => document.querySelector("[data-testid=connection-state]")?.innerText === "connected");
    } else {
      await phone.getByTestId("mcp-live").filter({ hasText: "connected" }).waitFor();
    }
    const over = await phone.evaluate(() => {
      const main = document.querySelector("main");
      return Math.max(document.documentElement.scrollWidth - window.innerWidth, main ? main.scrollWidth - main.clientWidth : 0);
    });
    assert.ok(over <= 0, `${url} is wider than a phone by ${over}px`);
    await phone.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
  assert.deepEqual(errors, []);
  await phone.close();
});

test("a server made from the Python template is built, inspected and answers", async () => {
  const page = await server.newPage(browser, { viewport: DESKTOP });
  const errors = collectErrors(page);
  await page.goto(`${server.url}/mcp`);
  await waitHydrated(page);
  await page.getByTestId("scaffold-open").click();
  await page.getByTestId("scaffold-name").fill("py-tools");
  await page.getByTestId("scaffold-template").selectOption("python");
  await page.getByTestId("scaffold-submit").click();
  await page.waitForURL(/\/mcp\/[^/]+\?build=1/);
  await page.getByTestId("mcp-inspector").waitFor();
  // Built (a virtual environment with the mcp package), then connected.
  await page.waitForFunction(() => document.querySelector("[data-testid=connection-state]")?.innerText === "connected", null, { timeout: 180_000 });
  const panel = page.getByTestId("tool-panel");
  await panel.locator("[data-field=a]").fill("2");
  await panel.locator("[data-field=b]").fill("3");
  await panel.getByTestId("schema-submit").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=result-text]")?.innerText === "5");
  await page.getByTestId("tab-log").click();
  await page.getByTestId("rpc-log").filter({ hasText: "building:" }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "mcp-scaffolded.png") });
  // Its files are a click away, in the explorer of its project.
  await page.getByTestId("edit-files").click();
  await page.waitForURL(/\/projects\/[^/]+\?tab=files/);
  await page.getByText("server.py").first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
