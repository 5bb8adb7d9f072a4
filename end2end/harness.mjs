// Shared set-up of the end-to-end tests: starts the real Flotilla server (and, when a test needs
// one, the fake Anthropic API from tests/support) on free ports with temporary data directories,
// and launches Debian's chromium through playwright-core.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ARTIFACTS = join(ROOT, "end2end", "artifacts");
export const CLAUDE_BIN = join(ROOT, "node_modules", ".bin", "claude");
mkdirSync(ARTIFACTS, { recursive: true });

/** Spawns `cmd`, resolves with the first match of `pattern` in its stdout/stderr. */
function spawnAndWaitFor(cmd, args, options, pattern, what) {
  const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const logs = [];
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${logs.join("")}`)), 30_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      logs.push(text);
      const m = logs.join("").match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${logs.join("")}`));
    });
  });
  return { child, logs, found };
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The fake Anthropic Messages API (cargo example `fake_anthropic`). */
export async function startFakeApi() {
  const bin = join(ROOT, "target", "debug", "examples", "fake_anthropic");
  const { child, found } = spawnAndWaitFor(bin, [], {}, /listening on (http:\/\/[0-9.:]+)/, "fake API");
  const [, url] = await found;
  return { url, stop: () => stopChild(child) };
}

/** The owner every test server has (unless started with `firstRun`). */
export const OWNER = { username: "owner", password: "correct horse battery staple" };

/**
 * The Flotilla server on a free port with a temporary data dir and claude home.
 * FLOTILLA_E2E_BINARY=release runs target/release/flotilla copied alone into a temporary
 * directory (it must find its site inside itself); otherwise the debug build.
 *
 * As a user would, the harness sets the owner's password with `flotilla user set-password`
 * (skipped with `firstRun`, to test the first-run page) and creates an API token with
 * `flotilla token create` for its own API calls (`server.api`). Instances may start in any
 * folder (`--allow-free-paths`) unless `confined`.
 */
export async function startFlotilla({ env = {}, args = [], firstRun = false, confined = false } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), "flotilla-e2e-"));
  const dataDir = join(scratch, "data");
  const claudeHome = join(scratch, "home");
  mkdirSync(claudeHome);
  let bin;
  const childEnv = { ...process.env, NO_COLOR: "1", RUST_LOG: "info", ...env };
  delete childEnv.LEPTOS_SITE_ROOT;
  let cwd = ROOT;
  if (process.env.FLOTILLA_E2E_BINARY === "release") {
    const binDir = join(scratch, "bin");
    mkdirSync(binDir);
    bin = join(binDir, "flotilla");
    copyFileSync(join(ROOT, "target", "release", "flotilla"), bin);
    cwd = scratch;
  } else {
    bin = join(ROOT, "target", "debug", "flotilla");
    childEnv.LEPTOS_SITE_ROOT = join(ROOT, "target", "site");
  }
  const admin = (adminArgs, input = "") => {
    const out = spawnSync(bin, [...adminArgs, "--data-dir", dataDir], { cwd, env: childEnv, input, encoding: "utf8" });
    if (out.status !== 0) throw new Error(`flotilla ${adminArgs.join(" ")} failed: ${out.stderr}`);
    return out.stdout;
  };
  if (!firstRun) admin(["user", "set-password", "--username", OWNER.username], `${OWNER.password}\n`);
  const token = admin(["token", "create", "--name", "e2e"]).trim().split("\n").pop();
  const { child, logs, found } = spawnAndWaitFor(
    bin,
    [
      "serve",
      "--bind", "127.0.0.1:0",
      "--data-dir", dataDir,
      "--claude-home", claudeHome,
      "--claude-bin", CLAUDE_BIN,
      ...(confined ? [] : ["--allow-free-paths"]),
      ...args,
    ],
    { cwd, env: childEnv },
    /listening on (http:\/\/[0-9.:]+)/,
    "flotilla",
  );
  const [, url] = await found;
  let signedIn = null; // the browser state of a signed-in owner, made once
  const server = {
    url,
    dataDir,
    claudeHome,
    scratch,
    logs,
    child,
    token,
    admin,
    /** fetch() with the harness's API token, as a script would call the API. */
    api(path, init = {}) {
      return fetch(url + path, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    },
    /** Signs `page` in through the sign-in page. */
    async signIn(page, { username = OWNER.username, password = OWNER.password } = {}) {
      await page.goto(`${url}/login`);
      await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
      await page.getByTestId("login-username").fill(username);
      await page.getByTestId("login-password").fill(password);
      await page.getByTestId("login-submit").click();
      await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 30_000 });
    },
    /** A browser context signed in as the owner (signing in through the page the first time). */
    async newContext(browser, options = {}) {
      if (!signedIn) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await server.signIn(page);
        signedIn = await context.storageState();
        await context.close();
      }
      return browser.newContext({ ...options, storageState: signedIn });
    },
    /** A page in a signed-in context of its own (closing the page closes the context). */
    async newPage(browser, options = {}) {
      const context = await server.newContext(browser, options);
      const page = await context.newPage();
      page.once("close", () => context.close().catch(() => {}));
      return page;
    },
    async stop() {
      await stopChild(child);
      // Kept for a failed run: scripts/test.sh shows any panic in them.
      writeFileSync(join(ARTIFACTS, `server-${new URL(url).port}.log`), logs.join(""));
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return server;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** The environment that points the `claude` processes Flotilla starts at the fake API. */
export function claudeEnvFor(fake) {
  return {
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "sk-fake",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
  };
}

/** Collects console errors and uncaught exceptions of a page; tests assert it stays empty. */
export function collectErrors(page) {
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => {
    // A request the page itself dropped because the test navigated away is not a failure.
    if (req.failure()?.errorText === "net::ERR_ABORTED") return;
    errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  return errors;
}

/** Waits until the wasm bundle has hydrated the page. */
export async function waitHydrated(page) {
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
}

/**
 * A TCP proxy in front of `targetUrl`, to simulate a network drop: `cut()` closes every open
 * connection (WebSockets included) and refuses new ones until `restore()`.
 */
export async function startProxy(targetUrl) {
  const net = await import("node:net");
  const target = new URL(targetUrl);
  const open = new Set();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
