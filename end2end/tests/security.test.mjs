// A hostile page in the owner's own browser, served from another loopback origin, tries every
// cross-site trick against a signed-in Flotilla. Nothing may change and nothing may be read:
// the assertions are on the server's state afterwards, not only on status codes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, ROOT, claudeEnvFor, launchBrowser, startFakeApi, startFlotilla } from "../harness.mjs";

let fake;
let server;
let browser;
let evil;
let work;

/** Every server function's endpoint, from the source: a new one is attacked too. */
function serverFunctions() {
  const names = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".rs")) {
        for (const m of readFileSync(path, "utf8").matchAll(/endpoint = "([a-z_]+)"/g)) names.push(m[1]);
      }
    }
  };
  walk(join(ROOT, "src"));
  return names;
}

/** The attacker's page: it runs every trick against `target` and records what it saw. */
function attackPage(target, instanceId, pwned) {
  const launch = { request: { cwd: "/tmp", permission_mode: "bypassPermissions", prompt: `fake:write ${pwned} pwned` } };
  return `<!doctype html><meta charset="utf-8"><title>Cute cats</title>
<h1>Cute cats</h1>
<iframe name="sink" style="width:10px;height:10px"></iframe>
<iframe id="framed" src="${target}/settings" style="width:400px;height:300px"></iframe>
<form id="form" method="POST" action="${target}/api/fn/launch_instance" enctype="text/plain" target="sink">
  <input name='${JSON.stringify(launch).slice(0, -1)}, "x": "' value='"}'>
</form>
<script>
const target = ${JSON.stringify(target)};
const fns = ${JSON.stringify(serverFunctions())};
const launch = ${JSON.stringify(JSON.stringify(launch))};
const results = { ws: {}, read: null, corsPost: null, posts: 0 };
async function quiet(p) { try { await p; } catch (e) {} }
async function socket(path) {
  return new Promise((resolve) => {
    const seen = { opened: false, messages: 0 };
    let ws;
    try { ws = new WebSocket(target.replace("http", "ws") + path); } catch (e) { resolve(seen); return; }
    ws.onopen = () => {
      seen.opened = true;
      ws.send(JSON.stringify({ type: "query", prompt: "fake:write ${pwned}-ws pwned" }));
    };
    ws.onmessage = () => { seen.messages += 1; };
    ws.onerror = () => resolve(seen);
    ws.onclose = () => resolve(seen);
    setTimeout(() => resolve(seen), 3000);
  });
}
(async () => {
  // "Simple" requests need no preflight: text/plain and form bodies to every server function.
  for (const name of fns) {
    for (const [type, body] of [["text/plain", launch], ["application/x-www-form-urlencoded", "id=${instanceId}&request=x"]]) {
      await quiet(fetch(target + "/api/fn/" + name, { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": type }, body }));
      results.posts += 1;
    }
  }
  for (const path of ["/api/instances", "/api/projects", "/api/instances/${instanceId}/stop", "/api/instances/${instanceId}/query", "/api/tokens"]) {
    await quiet(fetch(target + path, { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ name: "evil", cwd: "/tmp", prompt: "fake:write ${pwned} pwned" }) }));
    results.posts += 1;
  }
  // A JSON request needs a preflight, which is never granted.
  try {
    await fetch(target + "/api/instances", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ cwd: "/tmp" }) });
    results.corsPost = "sent";
  } catch (e) { results.corsPost = "blocked"; }
  // Reading: the response is opaque to another origin.
  try {
    const r = await fetch(target + "/api/instances", { credentials: "include" });
    results.read = await r.text();
  } catch (e) { results.read = "blocked"; }
  // A classic form POST (text/plain shaped like JSON).
  document.getElementById("form").submit();
  // WebSockets: the list, a read-only stream, and the interactive one.
  results.ws.list = await socket("/ws/instances");
  results.ws.stream = await socket("/ws/instances/${instanceId}/stream?since=0");
  results.ws.interact = await socket("/ws/instances/${instanceId}/interact");
  window.__results = results;
})();
</script>`;
}

before(async () => {
  fake = await startFakeApi();
  server = await startFlotilla({ env: claudeEnvFor(fake) });
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), "flotilla-e2e-sec-"));
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (evil ? evil.close(resolve) : resolve()));
  await server?.stop();
  await fake?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("a hostile page in the owner's browser changes nothing and reads nothing", async () => {
  // A real instance for the page to go after.
  const created = await server.api("/api/instances", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: work, name: "target", prompt: "hello" }),
  });
  assert.equal(created.status, 201);
  const instance = await created.json();
  const pwned = join(work, "pwned.txt");
  // The owner is signed in, in this very browser (signing in is audited, so before the count).
  const context = await server.newContext(browser);
  const auditBefore = (await (await server.api("/api/audit?limit=1000")).json()).entries.length;

  evil = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(attackPage(server.url, instance.id, pwned));
  });
  await new Promise((resolve) => evil.listen(0, "127.0.0.2", resolve));
  const evilUrl = `http://127.0.0.2:${evil.address().port}/`;

  const page = await context.newPage();
  await page.goto(evilUrl);
  await page.waitForFunction(() => window.__results, null, { timeout: 60_000 });
  const results = await page.evaluate(() => window.__results);
  await page.screenshot({ path: join(ARTIFACTS, "hostile-page.png") });

  assert.ok(results.posts > 80, `every server function and route was tried (${results.posts})`);
  assert.equal(results.corsPost, "blocked");
  assert.equal(results.read, "blocked");
  for (const [name, seen] of Object.entries(results.ws)) {
    assert.equal(seen.messages, 0, `the ${name} WebSocket gave the page nothing`);
    assert.equal(seen.opened, false, `the ${name} WebSocket was refused`);
  }
  // The framed Flotilla page did not render (frame-ancestors 'none').
  const framed = page.frames().find((f) => f !== page.mainFrame() && f.name() !== "sink");
  const framedHtml = framed ? await framed.content().catch(() => "") : "";
  assert.doesNotMatch(framedHtml, /Settings|Sign in|login-form/);

  // The server's state afterwards: nothing started, nothing written, nothing recorded.
  await new Promise((r) => setTimeout(r, 1500));
  const instances = await (await server.api("/api/instances")).json();
  assert.deepEqual(instances.map((i) => i.id), [instance.id]);
  const projects = await (await server.api("/api/projects")).json();
  assert.deepEqual(projects, []);
  const tokens = (await (await server.api("/api/audit?limit=1000")).json()).entries;
  assert.equal(tokens.length, auditBefore, "no operation got as far as the audit log");
  assert.equal(existsSync(pwned), false);
  assert.equal(existsSync(`${pwned}-ws`), false);
  const events = await (await server.api(`/api/instances/${instance.id}/events?since=0&limit=1000`)).json();
  assert.doesNotMatch(JSON.stringify(events), /pwned/);
  assert.ok(server.logs.join("").includes("refused a cross-origin request"));
  await context.close();
});

test("pages carry a Content-Security-Policy the app runs under", async () => {
  const page = await server.newPage(browser, { viewport: { width: 1280, height: 800 } });
  const violations = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/.test(msg.text())) violations.push(msg.text());
  });
  const response = await page.goto(`${server.url}/settings`);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers()["x-frame-options"], "DENY");
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
  // Nonces differ per response.
  const again = await server.api("/settings");
  assert.notEqual(again.headers.get("content-security-policy"), csp);
  assert.deepEqual(violations, []);
  await page.close();
});
