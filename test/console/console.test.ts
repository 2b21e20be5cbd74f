/**
 * The web console in a real browser: Playwright drives Debian's Chromium against a real Quiver
 * (listening on loopback) seeded through the official SDK. Each test does what a person would —
 * sign in, read, publish, compare, shift an alias, invoke, watch the live tail, fire a timer —
 * and checks what the page shows and what the APIs then report. Every page must load without a
 * console error, be usable from the keyboard and readable 360 px wide.
 *
 * Screenshots of each page go to a temporary folder, or to docs/console/ (the README's tour)
 * with QUIVER_CONSOLE_SCREENSHOTS=docs/console.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { after, afterEach, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB, type TestAccount } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { exchange } from "../helpers/raw-http.js";
import { BOB_FUNCTION, FUNCTION, OTHER_NAMESPACE, seed, seedHuawei, type Seeded } from "./seed.js";
import type { ScfClient } from "../helpers/scf-client.js";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Playwright cannot download a browser here. */
const CHROMIUM = process.env["QUIVER_CHROMIUM"] ?? "/usr/bin/chromium";
const SHOTS = process.env["QUIVER_CONSOLE_SCREENSHOTS"] ?? mkdtempSync(join(tmpdir(), "quiver-console-shots-"));

describe("web console", { timeout: 600_000 }, () => {
  let server: TestQuiver;
  let seeded: Seeded;
  /** ALICE's functions in her FunctionGraph region, read through SCF with that region. */
  let huaweiScope: ScfClient;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Console errors and uncaught page errors of every page opened by the current test. */
  let problems: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium was not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or point QUIVER_CHROMIUM at a Chromium binary. The console tests need a real browser and are not skipped.`);
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startQuiver();
    seeded = await seed(server);
    huaweiScope = await seedHuawei(server);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    const seen = problems;
    problems = [];
    assert.deepEqual(seen, [], "no console errors");
  });

  async function open(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${server.url}/console`);
    return page;
  }

  async function signIn(page: Page, account: TestAccount, secretKey = account.tencent.secretKey): Promise<void> {
    await page.getByLabel("SecretId").fill(account.tencent.secretId);
    await page.getByLabel("SecretKey").fill(secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function signedIn(width = 1280): Promise<Page> {
    const page = await open(width);
    await signIn(page, ALICE);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    return page;
  }

  async function go(page: Page, hash: string): Promise<void> {
    // A string: the test is compiled without the DOM library.
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  }

  const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it("refuses a wrong secret key and shows why, with no data, and forgets the key", async () => {
    const page = await open();
    await shot(page, "01-sign-in");
    await page.getByLabel(/Remember in this tab/).check();
    await signIn(page, ALICE, "not-the-secret-key-of-alice-000000");
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /AuthFailure\.SignatureFailure/);
    assert.equal(await page.getByRole("heading", { name: "Functions" }).count(), 0);
    assert.equal(await page.getByText(FUNCTION).count(), 0);
    assert.equal(await page.evaluate("sessionStorage.length + localStorage.length"), 0, "refused keys are not remembered");
  });

  it("lists an account's functions by namespace with status, runtime and time, and searches them", async () => {
    const page = await signedIn();
    const table = page.getByRole("table", { name: "Functions" });
    await table.getByRole("link", { name: FUNCTION }).waitFor();
    assert.deepEqual(await table.getByRole("link").allInnerTexts(), ["billing", FUNCTION]);
    const row = table.getByRole("row").filter({ hasText: FUNCTION });
    assert.match(await row.innerText(), /Active\s+Nodejs18\.15\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    await shot(page, "02-functions");
    await page.getByLabel("Search").fill("bill");
    await eventually(async () => ((await table.getByRole("link").allInnerTexts()).join() === "billing" ? true : null), { what: "only billing matches" });
    await page.getByLabel("Namespace").selectOption(OTHER_NAMESPACE);
    await page.getByLabel("Search").fill("");
    await table.getByRole("link", { name: "reports" }).waitFor();
    assert.deepEqual(await table.getByRole("link").allInnerTexts(), ["reports"]);
  });

  it("shows the configuration, the concurrency and the code files of $LATEST", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: FUNCTION }).click();
    await page.getByRole("heading", { name: "Configuration of $LATEST" }).waitFor();
    const fields = page.locator("dl.fields");
    await fields.getByText("Memory (MB)").waitFor();
    assert.match(await fields.innerText(), /Memory \(MB\)\s+256/);
    assert.match(await fields.innerText(), /STAGE=prod\s+TAX=on/);
    // The provisioned instance of version 1 (seeded): asked for 1, and running once it started.
    const provisioned = page.getByRole("table", { name: "Provisioned concurrency" });
    await provisioned.waitFor();
    assert.match((await provisioned.getByRole("row").allInnerTexts())[1] ?? "", /^1\t1\t[01]\t(InProgress|Done)/);
    // The code, downloaded through GetFunctionAddress and unzipped in the page.
    const files = page.getByRole("list", { name: "Code files" });
    await files.waitFor();
    assert.deepEqual((await files.getByRole("button").allTextContents()).map((t) => t.replace(/\s+\S+ K?B$/, "")), ["README.md", "index.js", "lib/tax.js", "lib/total.js"]);
    await files.getByRole("button", { name: /README\.md/ }).click();
    assert.match(await page.getByLabel("Contents of README.md").innerText(), /now with tax/);
    await shot(page, "03-function");
  });

  it("publishes $LATEST with a description", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/versions`);
    await page.getByLabel("Description of the new version").fill("from the console");
    await page.getByRole("button", { name: "Publish $LATEST" }).click();
    await page.getByRole("status").filter({ hasText: "Published version 3." }).waitFor();
    await page.getByRole("table", { name: "Versions" }).getByRole("row").filter({ hasText: "from the console" }).waitFor();
    const listed = await seeded.alice.ListVersionByFunction({ FunctionName: FUNCTION });
    assert.ok(listed.Versions?.some((v) => v.Version === "3" && v.Description === "from the console"));
    await shot(page, "04-versions");
  });

  it("refuses to delete a version an alias routes to, and says which alias", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/versions`);
    await page.getByRole("button", { name: "Delete version 1" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /UnsupportedOperation\.AliasBind.*Version 1 was not deleted.*alias "live"/s);
    const listed = await seeded.alice.ListVersionByFunction({ FunctionName: FUNCTION });
    assert.ok(listed.Versions?.some((v) => v.Version === "1"), "version 1 is still there");
  });

  it("compares two versions side by side, configuration differences highlighted", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/compare?a=1&b=2`);
    const table = page.getByRole("table", { name: "Configuration compared" });
    await table.waitFor();
    const changed = await table.locator("tr.changed th").allInnerTexts();
    assert.deepEqual(changed, ["Memory (MB)", "Timeout (s)", "Environment", "Code size (bytes)"]);
    assert.match(await page.getByText(/settings? differ/).innerText(), /4 settings differ/);
    const files = page.getByRole("list", { name: "Files compared" });
    await files.waitFor();
    const listed = (await files.getByRole("button").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.deepEqual(listed, ["changed README.md", "changed index.js", "removed lib/legacy.js", "added lib/tax.js", "same lib/total.js"]);
    assert.match((await page.getByLabel("Differences in README.md").locator(".add").allInnerTexts()).join("\n"), /\+ Sums an order's items, now with tax\./);
    await shot(page, "05-compare");
  });

  it("moves an alias's traffic split, then rolls back and promotes with a confirmation", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/aliases`);
    const card = page.getByRole("article", { name: "Alias live" });
    await card.getByRole("img", { name: /80 % to version 1, 20 % to version 2/ }).waitFor();
    await shot(page, "06-aliases");
    await card.getByLabel("Share of traffic to the second version (percent)").fill("50");
    await card.getByRole("button", { name: "Save split" }).click();
    await card.getByRole("status").filter({ hasText: "50 % to 2" }).waitFor();
    const weights = async (): Promise<unknown> => (await seeded.alice.GetAlias({ FunctionName: FUNCTION, Name: "live" })).RoutingConfig?.AdditionalVersionWeights;
    assert.deepEqual(await weights(), [{ Version: "2", Weight: 0.5 }]);
    await card.getByRole("img", { name: /50 % to version 1, 50 % to version 2/ }).waitFor();

    await card.getByRole("button", { name: "Roll back to 1" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    assert.deepEqual(await weights(), [{ Version: "2", Weight: 0.5 }], "cancelled: nothing changed");
    await card.getByRole("button", { name: "Promote 2" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await card.getByRole("status").filter({ hasText: "Promoted 2." }).waitFor();
    const alias = await seeded.alice.GetAlias({ FunctionName: FUNCTION, Name: "live" });
    assert.equal(alias.FunctionVersion, "2");
    assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? [], []);
    // Back to the seeded split for the tests that follow.
    await seeded.alice.UpdateAlias({ FunctionName: FUNCTION, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.2 }] } });
  });

  it("invokes a qualifier with an event checked as JSON first, and shows result, log, duration, memory and version", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/invoke`);
    const editor = page.getByLabel("Event (JSON)");
    await editor.fill('{"items": [1, 2,');
    await page.getByText(/Not valid JSON/).waitFor();
    assert.equal(await page.getByRole("button", { name: "Invoke" }).isDisabled(), true);
    await editor.fill('{"items": [1, 2, 3]}');
    await page.getByLabel("Qualifier").selectOption("2");
    await page.getByRole("button", { name: "Invoke" }).click();
    const outcome = page.getByRole("region", { name: "Invocation result" });
    await outcome.waitFor();
    assert.equal(await outcome.getByTestId("served-version").innerText(), "2");
    const text = await outcome.innerText();
    assert.match(text, /Succeeded/);
    assert.match(text, /"mark":"v2","total":6/);
    assert.match(text, /orders v2 handling \{"items":\[1,2,3\]\}/);
    assert.match(text, /\d+(\.\d+)? ms · \d+(\.\d)? (KB|MB|B)/);
    await shot(page, "07-invoke");
  });

  it("shows a log line in the live tail while it is printed, and a past request's full record", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/logs`);
    await page.getByRole("region", { name: "Live tail" }).locator(".dot.live").waitFor();
    await seeded.alice.Invoke({ FunctionName: FUNCTION, Qualifier: "1", ClientContext: JSON.stringify({ probe: "tail-probe-1" }) });
    const tail = page.getByTestId("tail");
    await tail.getByText(/orders v1 handling \{"probe":"tail-probe-1"\}/).waitFor();
    await tail.getByText(/success · [\d.]+ ms · version 1/).waitFor();

    const history = page.getByRole("region", { name: "Past invocations" });
    await history.getByLabel("Qualifier").selectOption("1");
    await history.getByLabel("Result").selectOption("is0");
    await history.getByRole("button", { name: "Filter" }).click();
    await eventually(async () => ((await history.getByRole("table", { name: "Invocations" }).getByRole("row").count()) >= 2 ? true : null), { what: "version 1's invocations listed" });
    await history.getByRole("button", { name: /Show the record of/ }).first().click();
    const record = page.getByRole("region", { name: "Invocation record" });
    assert.match(await record.innerText(), /START RequestId: \S+ Version: 1/);
    await shot(page, "08-logs");

    // The seeded call of version 2 that threw is the one function error of version 2.
    await history.getByLabel("Qualifier").selectOption("2");
    await history.getByLabel("Result").selectOption("UserCodeException");
    await history.getByRole("button", { name: "Filter" }).click();
    await eventually(async () => {
      const rows = await history.getByRole("table", { name: "Invocations" }).getByRole("row").allInnerTexts();
      return rows.length === 2 && /failed \(430\)/.test(rows[1] ?? "") ? true : null;
    }, { what: "exactly the failed invocation of version 2" });
  });

  it("lists triggers by qualifier with their URLs, disables and enables one, and fires a timer now", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/triggers`);
    const latest = page.getByRole("table", { name: "Triggers of $LATEST" });
    const url = latest.getByRole("link", { name: /\/scf\/1250000001\/ap-guangzhou\/default\/orders\/web/ });
    await url.first().waitFor();
    const href = await url.first().getAttribute("href");
    assert.ok(href);
    assert.equal((await fetch(href)).status, 200, "the trigger URL shown answers");
    await shot(page, "09-triggers");

    const web = latest.getByRole("row").filter({ hasText: "web" });
    await web.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("status").filter({ hasText: "web disabled." }).waitFor();
    const state = async (): Promise<number | undefined> => (await seeded.alice.ListTriggers({ FunctionName: FUNCTION })).Triggers?.find((t) => t.TriggerName === "web")?.Enable;
    assert.equal(await state(), 0);
    await web.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("status").filter({ hasText: "web enabled." }).waitFor();
    assert.equal(await state(), 1);

    const timer = page.getByRole("table", { name: "Triggers of 2" }).getByRole("row").filter({ hasText: "nightly" });
    await timer.getByRole("button", { name: "Fire now" }).click();
    const fired = await page.getByRole("status").filter({ hasText: "Fired nightly" }).innerText();
    const requestId = /request (\S+)\./.exec(fired)?.[1];
    assert.ok(requestId, fired);
    await eventually(async () => {
      const logs = await seeded.alice.GetFunctionLogs({ FunctionName: FUNCTION, FunctionRequestId: requestId });
      return logs.Data?.[0]?.RetCode === 0 ? true : null;
    }, { what: "the fired timer's invocation recorded" });
  });

  it("charts invocations, errors and p50/p99 duration per version", async () => {
    const page = await signedIn();
    await go(page, `#/fn/default/${FUNCTION}/metrics`);
    await page.getByRole("table", { name: "Totals per version" }).waitFor();
    for (const title of ["Invocations", "Errors", "Duration p50 / p99 (ms)"]) {
      // Drawn once the page has rendered (an effect), so waited for.
      await page.getByRole("figure", { name: title }).locator("canvas").waitFor();
    }
    const rows = await page.getByRole("table", { name: "Totals per version" }).getByRole("row").allInnerTexts();
    const v2 = rows.find((r) => r.startsWith("2\t"));
    assert.ok(v2, rows.join("\n"));
    assert.match(v2, /^2\t\d+\t[1-9]\d*\t/, "version 2's failed call is counted as an error");
    await shot(page, "10-metrics");
  });

  it("shows a second account nothing of the first", async () => {
    const page = await open();
    await signIn(page, BOB);
    const table = page.getByRole("table", { name: "Functions" });
    await table.getByRole("link", { name: BOB_FUNCTION }).waitFor();
    assert.deepEqual(await table.getByRole("link").allInnerTexts(), [BOB_FUNCTION]);
    assert.deepEqual(await page.getByLabel("Namespace").locator("option").allInnerTexts(), ["default"]);
    for (const tab of ["overview", "metrics", "logs"]) {
      await go(page, `#/fn/default/${FUNCTION}/${tab}`);
      await page.getByRole("alert").first().waitFor();
      assert.match(await page.getByRole("alert").first().innerText(), /ResourceNotFound\.Function/);
      assert.equal(await page.getByText("STAGE=prod").count(), 0);
    }
  });

  it("signs out, forgetting the keys; remembers them in the tab only when asked", async () => {
    const page = await open();
    await page.getByLabel("SecretId").fill(ALICE.tencent.secretId);
    await page.getByLabel("SecretKey").fill(ALICE.tencent.secretKey);
    await page.getByLabel(/Remember in this tab/).check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    assert.equal(await page.evaluate("localStorage.length"), 0, "nothing in localStorage");
    await page.reload();
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal(await page.evaluate("sessionStorage.length + localStorage.length"), 0);
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();

    const plain = await signedIn();
    assert.equal(await plain.evaluate("sessionStorage.length + localStorage.length"), 0, "without remember, the keys are kept in memory only");
  });

  it("is usable from the keyboard alone", async () => {
    const page = await open();
    await page.keyboard.press("Tab"); // the skip link
    await page.keyboard.press("Tab"); // Tencent
    await page.keyboard.press("Tab"); // SecretId (the radio group is one stop)
    await page.keyboard.type(ALICE.tencent.secretId);
    await page.keyboard.press("Tab");
    await page.keyboard.type(ALICE.tencent.secretKey);
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: FUNCTION }).waitFor();
    await page.getByRole("link", { name: FUNCTION }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Configuration of $LATEST" }).waitFor();
    // The tabs are links in order; Enter follows the focused one.
    await page.getByRole("link", { name: "Aliases" }).focus();
    await page.keyboard.press("Enter");
    const card = page.getByRole("article", { name: "Alias live" });
    await card.getByRole("button", { name: "Roll back to 1" }).focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.getByRole("dialog").isVisible(), true);
    await page.keyboard.press("Escape");
    assert.equal(await page.getByRole("dialog").isVisible(), false, "Escape cancels the confirmation");
    assert.deepEqual((await seeded.alice.GetAlias({ FunctionName: FUNCTION, Name: "live" })).RoutingConfig?.AdditionalVersionWeights, [{ Version: "2", Weight: 0.2 }]);
  });

  it("works the same with Huawei keys: FunctionGraph lists, shows code, compares it, moves an alias, invokes and fires", async () => {
    const page = await open();
    await page.getByLabel("Huawei FunctionGraph").check();
    await page.getByLabel("Access key (AK)").fill(ALICE.huawei.accessKey);
    await page.getByLabel("Secret key (SK)").fill(ALICE.huawei.secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    const table = page.getByRole("table", { name: "Functions" });
    await table.getByRole("link", { name: FUNCTION }).waitFor();
    assert.deepEqual(await table.getByRole("link").allInnerTexts(), [FUNCTION], "only the functions of the keys' region");
    assert.match(await page.locator(".who").innerText(), new RegExp(ALICE.huawei.region));

    await go(page, `#/fn/default/${FUNCTION}/overview`);
    await page.getByRole("list", { name: "Code files" }).getByRole("button", { name: /lib\/tax\.js/ }).click();
    assert.match(await page.getByLabel("Contents of lib/tax.js").innerText(), /exports\.tax = /);
    await page.getByText("No instances are provisioned for any version or alias.").waitFor();
    assert.match(await page.locator("dl.fields").innerText(), /Code source\s+package/);
    await shot(page, "13-huawei-code");

    await go(page, `#/fn/default/${FUNCTION}/compare?a=1&b=2`);
    const files = page.getByRole("list", { name: "Files compared" });
    await files.waitFor();
    const listed = (await files.getByRole("button").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.deepEqual(listed, ["changed README.md", "changed index.js", "removed lib/legacy.js", "added lib/tax.js", "same lib/total.js"]);
    assert.match(await page.getByText(/^Files: /).innerText(), /1 added, 1 removed, 2 changed/);
    await files.getByRole("button", { name: /index\.js/ }).click();
    const diff = page.getByLabel("Differences in index.js");
    assert.match((await diff.locator(".del").allInnerTexts()).join("\n"), /-\s+console\.log\("orders v1 handling/);
    assert.match((await diff.locator(".add").allInnerTexts()).join("\n"), /\+\s+console\.log\("orders v2 handling/);
    await shot(page, "14-huawei-compare");

    await go(page, `#/fn/default/${FUNCTION}/aliases`);
    const card = page.getByRole("article", { name: "Alias live" });
    await card.getByRole("img", { name: /70 % to version 1, 30 % to version 2/ }).waitFor();
    await card.getByLabel("Share of traffic to the second version (percent)").fill("40");
    await card.getByRole("button", { name: "Save split" }).click();
    await card.getByRole("status").filter({ hasText: "40 % to 2" }).waitFor();
    assert.deepEqual((await huaweiScope.GetAlias({ FunctionName: FUNCTION, Name: "live" })).RoutingConfig?.AdditionalVersionWeights, [{ Version: "2", Weight: 0.4 }]);

    await go(page, `#/fn/default/${FUNCTION}/invoke`);
    await page.getByLabel("Qualifier").selectOption("1");
    await page.getByRole("button", { name: "Invoke" }).click();
    const outcome = page.getByRole("region", { name: "Invocation result" });
    await outcome.waitFor();
    assert.equal(await outcome.getByTestId("served-version").innerText(), "1");
    assert.match(await outcome.innerText(), /"mark":"v1"/);

    await go(page, `#/fn/default/${FUNCTION}/triggers`);
    const timer = page.getByRole("table", { name: "Triggers of 2" }).getByRole("row").filter({ hasText: "hourly" });
    await timer.getByRole("button", { name: "Fire now" }).click();
    await page.getByRole("status").filter({ hasText: /Fired hourly: request \S+\./ }).waitFor();

    await go(page, `#/fn/default/${FUNCTION}/metrics`);
    const totals = page.getByRole("table", { name: "Totals per version" });
    await totals.waitFor();
    assert.ok((await totals.getByRole("row").allInnerTexts()).some((row) => /^2\t[1-9]/.test(row)), "version 2's invocations counted");
  });

  it("is readable 360 px wide: no page wider than the screen", async () => {
    const page = await signedIn(360);
    const fits = async (what: string): Promise<void> => {
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      assert.ok(width <= 360, `${what} is ${width} px wide`);
    };
    await page.getByRole("link", { name: FUNCTION }).waitFor();
    await fits("the function list");
    await shot(page, "11-functions-360px");
    for (const tab of ["overview", "versions", "compare", "aliases", "invoke", "logs", "triggers", "metrics"]) {
      await go(page, `#/fn/default/${FUNCTION}/${tab}`);
      await page.locator(`.tabs a[aria-current="page"]`).waitFor();
      await eventually(async () => ((await page.getByText("Loading…").count()) === 0 ? true : null), { what: `the ${tab} page loaded` });
      await fits(`the ${tab} page`);
      if (tab === "aliases") await shot(page, "12-aliases-360px");
    }
  });
});

describe("console files", () => {
  let server: TestQuiver;
  before(async () => (server = await startQuiver()));
  after(async () => server.stop());

  it("serves the page uncached with a strict CSP, and its files immutable under a content hash", async () => {
    const page = await fetch(`${server.url}/console`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "no-cache");
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await page.text();
    const main = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
    assert.ok(main);
    const asset = await fetch(`${server.url}${main}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.match(asset.headers.get("content-type") ?? "", /^text\/javascript/);
    const vendor = /"preact":"([^"]+)"/.exec(html)?.[1];
    assert.ok(vendor);
    assert.equal((await fetch(`${server.url}${vendor}`)).status, 200);
    const stale = await fetch(`${server.url}/console/0000000000000000/app/main.js`);
    assert.equal(stale.status, 404);
    assert.equal(stale.headers.get("cache-control"), "no-store");
    // Sent raw: fetch would resolve the dots (even encoded ones) itself.
    for (const path of ["app/../../../package.json", "app/%2e%2e/%2e%2e/%2e%2e/package.json", "vendor/preact/../package.json"]) {
      const { responses } = await exchange(server.port, `GET ${main.replace("app/main.js", path)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.equal(responses[0]?.status, 404, `nothing outside the console's files: ${path}`);
    }
  });
});
