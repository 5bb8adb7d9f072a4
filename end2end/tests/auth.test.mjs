// Signing in, as a new owner would: first run, sign out and in, an API token made in Settings
// and used and revoked, the audit log, and the pages at phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, collectErrors, launchBrowser, startFlotilla, waitHydrated } from "../harness.mjs";

let server;
let browser;
const PASSWORD = "a long enough first-run password";

before(async () => {
  server = await startFlotilla({ firstRun: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function noSidewaysScroll(page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
}

test("first run, sign out, sign in, a token made in Settings, used and revoked", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);

  // No owner yet: every page leads to the setup.
  await page.goto(`${server.url}/projects`);
  await page.waitForURL(`${server.url}/setup`);
  await waitHydrated(page);
  await page.screenshot({ path: join(ARTIFACTS, "setup.png") });
  await page.getByTestId("setup-password").fill("short");
  await page.getByTestId("setup-confirm").fill("short");
  await page.getByTestId("setup-submit").click();
  assert.match(await page.getByTestId("setup-error").textContent(), /at least 10/);
  await page.getByTestId("setup-username").fill("ada");
  await page.getByTestId("setup-password").fill(PASSWORD);
  await page.getByTestId("setup-confirm").fill(PASSWORD);
  await page.getByTestId("setup-submit").click();
  await page.waitForURL(`${server.url}/`);
  await waitHydrated(page);
  await page.getByTestId("signed-in-as").waitFor();
  assert.match(await page.getByTestId("signed-in-as").textContent(), /ada/);

  // Sign out: the app asks to sign in again, and remembers where we were going.
  await page.getByTestId("sign-out").click();
  await page.waitForURL(/\/login/);
  await page.goto(`${server.url}/settings?tab=tokens`);
  await page.waitForURL(/\/login\?next=/);
  await waitHydrated(page);
  await page.screenshot({ path: join(ARTIFACTS, "login.png") });
  await page.getByTestId("login-username").fill("ada");
  await page.getByTestId("login-password").fill("not the password");
  await page.getByTestId("login-submit").click();
  await page.getByTestId("login-error").waitFor();
  assert.match(await page.getByTestId("login-error").textContent(), /wrong username or password/);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.waitForURL(`${server.url}/settings?tab=tokens`);
  await waitHydrated(page);

  // An API token: shown once, works, listed, revoked from the page, refused at once.
  await page.getByTestId("token-name").fill("ci");
  await page.getByTestId("create-token").click();
  await page.getByTestId("fresh-token").waitFor();
  const token = (await page.getByTestId("fresh-token-value").textContent()).trim();
  assert.match(token, /^flt_/);
  await page.screenshot({ path: join(ARTIFACTS, "settings-tokens.png") });
  const asCi = () => fetch(`${server.url}/api/instances`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await asCi()).status, 200);
  const row = page.locator("[data-testid=token-row][data-name=ci]");
  await row.getByTestId("revoke-token").click();
  await row.getByTestId("confirm-revoke-token").click();
  await row.getByText("Revoked").waitFor();
  assert.equal((await asCi()).status, 401);

  // The audit log shows what was done, by whom.
  await page.goto(`${server.url}/settings?tab=audit`);
  await waitHydrated(page);
  await page.getByTestId("audit-row").first().waitFor();
  const audit = await page.getByTestId("audit-table").textContent();
  assert.match(audit, /fn create_token/);
  assert.match(audit, /fn revoke_token/);
  assert.match(audit, /owner:ada/);
  await page.getByTestId("audit-text").fill("revoke");
  await page.getByTestId("audit-filter").click();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=audit-row]")].every((r) => /revoke/.test(r.textContent)));
  await page.screenshot({ path: join(ARTIFACTS, "settings-audit.png") });

  // Access settings: a malformed origin is refused where the user is looking.
  await page.goto(`${server.url}/settings?tab=access`);
  await waitHydrated(page);
  await page.fill("#allowed-origins", "not an origin");
  await page.getByText("Save access settings").click();
  await page.getByText(/is not an origin/).waitFor();
  await page.fill("#allowed-origins", "https://flotilla.example.com");
  await page.getByText("Save access settings").click();
  await page.getByText("Saved; in force now.").waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "settings-access.png") });

  // Only what the test provoked: the refused sign-in and the malformed origin.
  const unexpected = errors.filter((e) => !/status of (401|422)/.test(e));
  assert.deepEqual(unexpected, []);
  await context.close();
});

test("sign-in and settings fit a phone", async () => {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const anonymous = await browser.newContext(phone);
  const page = await anonymous.newPage();
  await page.goto(`${server.url}/login`);
  await waitHydrated(page);
  await noSidewaysScroll(page);
  await page.screenshot({ path: join(ARTIFACTS, "login-phone.png") });
  await server.signIn(page, { username: "ada", password: PASSWORD });
  for (const tab of ["account", "tokens", "access", "audit"]) {
    await page.goto(`${server.url}/settings?tab=${tab}`);
    await waitHydrated(page);
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(ARTIFACTS, `settings-${tab}-phone.png`) });
  }
  await anonymous.close();
});
