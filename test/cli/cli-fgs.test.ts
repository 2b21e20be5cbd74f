/**
 * The quiver CLI's FunctionGraph commands that need more than the FunctionGraph SDK, end to end
 * against a real `quiver serve` child with `--dialect fgs`: triggers from s.yaml (TIMER and
 * APIG, replaced on redeploy) and serverless.yml, `trigger list` and `trigger fire`, `logs`
 * (LTS, with `--qualifier`, `--since`, `--json`) and `logs --follow`; a schedule FunctionGraph
 * cannot take refused before anything changes, and a fire route that answers 404 (Huawei
 * Cloud's, which has none) named as such.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { runCli, spawnCli, waitForListening, waitForOutput, type CliProcess, type CliRun } from "../helpers/cli.js";

const handler = (marker: string): string => `exports.handler = async (event) => { console.log("log line ${marker}"); console.log("second line ${marker}"); return { marker: ${JSON.stringify(marker)}, event }; };\n`;

function json<T>(run: CliRun): T {
  assert.equal(run.code, 0, `exit ${String(run.code)}; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const NO_KEYS = { TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined, HUAWEICLOUD_SDK_AK: undefined, HUAWEICLOUD_SDK_SK: undefined, HUAWEICLOUD_SDK_PROJECT_ID: undefined };

interface LogJson { requestId: string; startTime: string; retCode: number | null; durationMs: number | null; log: string; result: string | null }

describe("the quiver CLI with --dialect fgs: triggers, trigger fire and logs", () => {
  const dir = tempDir("quiver-cli-fgs-");
  const data = join(dir.path, "data");
  let server: CliProcess;
  let endpoint = "";
  // The server's default account (its Huawei keys and project) is read from its data dir.
  const q = (args: readonly string[]): Promise<CliRun> =>
    runCli([...args, "--dialect", "fgs", "--endpoint", endpoint, "--data-dir", data], { env: { ...NO_KEYS, HOME: dir.path } });

  before(async () => {
    server = spawnCli(["serve", "--port", "0", "--data-dir", data, "--log-level", "silent", "--prewarm-nodejs", "0", "--prewarm-python", "0"]);
    endpoint = await waitForListening(server, 60_000);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
    dir.remove();
  });

  it("deploy from s.yaml creates its TIMER and APIG triggers (replaced on redeploy); trigger fire runs the timer; logs and logs --follow read them from LTS", { timeout: 180_000 }, async () => {
    const project = join(dir.path, "fg-ticker");
    mkdirSync(join(project, "code"), { recursive: true });
    writeFileSync(join(project, "code", "index.js"), handler("tick"));
    writeFileSync(join(project, "s.yaml"), [
      "edition: 1.0.0", "name: ticker", "services:", "  ticker:", "    component: fgs", "    props:", "      function:", "        functionName: fg-ticker",
      "        handler: index.handler", "        runtime: Node.js18.15", "        codeUri: ./code", "      trigger:",
      "        - triggerTypeCode: TIMER", "          status: DISABLED", "          eventData:", "            name: nightly", "            scheduleType: Cron", "            schedule: 0 0 3 * * *", "            userEvent: from-yaml",
      "        - triggerTypeCode: APIG", "          eventData:", "            name: web", "            auth: NONE", "            protocol: HTTP", "            timeout: 5000", "",
    ].join("\n"));
    const deployed = json<{ function: string; triggers: string[] }>(await q(["deploy", project, "--json"]));
    assert.deepEqual([deployed.function, deployed.triggers], ["fg-ticker", ["nightly", "web"]]);
    const again = json<{ triggers: string[] }>(await q(["deploy", project, "--json"]));
    assert.deepEqual(again.triggers, ["nightly", "web"]);

    type Listed = { name: string; type: string; enabled: boolean; description: string };
    const triggers = json<Listed[]>(await q(["trigger", "list", "fg-ticker", "--json"])).sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(triggers.map((t) => [t.name, t.type, t.enabled]), [["nightly", "TIMER", false], ["web", "APIG", true]], "one of each: the redeploy replaced them");
    const timer = JSON.parse(triggers[0]?.description ?? "{}") as Record<string, unknown>;
    assert.deepEqual([timer["schedule_type"], timer["schedule"], timer["user_event"]], ["Cron", "0 0 3 * * *", "from-yaml"]);
    const apig = JSON.parse(triggers[1]?.description ?? "{}") as Record<string, unknown>;
    assert.deepEqual([apig["path"], apig["auth"], apig["protocol"]], ["/default/fg-ticker", "NONE", "HTTP"]);
    assert.match(String(apig["invoke_url"]), /\/apig\/[^/]+\/default\/fg-ticker$/);

    const follow = spawnCli(["logs", "fg-ticker", "--follow", "--dialect", "fgs", "--endpoint", endpoint, "--data-dir", data]);
    let requestId = "";
    let afterFire = "";
    try {
      const fired = json<{ function: string; trigger: string; requestId: string }>(await q(["trigger", "fire", "fg-ticker", "nightly", "--json"]));
      requestId = fired.requestId;
      assert.match(requestId, /^[0-9a-f-]{36}$/, "a disabled timer fires on demand too");
      await waitForOutput(follow, new RegExp(`^── \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ${requestId}\\n`, "m"), 60_000);
      await waitForOutput(follow, /log line tick\nsecond line tick\n/, 10_000);
      afterFire = new Date().toISOString();
    } finally {
      follow.child.kill("SIGINT");
      assert.equal(await follow.exited, 0, "--follow stops cleanly on Ctrl-C");
    }

    const logs = json<LogJson[]>(await q(["logs", "fg-ticker", "--since", "10m", "--json"]));
    assert.equal(logs.length, 1, JSON.stringify(logs));
    assert.deepEqual({ ...logs[0], startTime: "" }, { requestId, startTime: "", retCode: null, durationMs: null, log: "log line tick\nsecond line tick\n", result: null }, "LTS tells the lines, not the outcome");
    assert.equal(json<LogJson[]>(await q(["logs", "fg-ticker", "--qualifier", "latest", "--json"])).length, 1, "the timer ran the head");
    const text = await q(["logs", "fg-ticker"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^── \\S+ \\S+  ${requestId}\\nlog line tick\\nsecond line tick\\n$`));

    const version = json<{ version: string }>(await q(["publish", "fg-ticker", "--json"])).version;
    assert.deepEqual(json<LogJson[]>(await q(["logs", "fg-ticker", "--qualifier", version, "--json"])), [], "nothing ran the published version");
    assert.deepEqual(json<LogJson[]>(await q(["logs", "fg-ticker", "--since", afterFire, "--json"])), [], "the fire started before --since");
  });

  it("serverless.yml events through FunctionGraph: the SCF cron without its year; a schedule FunctionGraph cannot take is refused before the deploy", { timeout: 180_000 }, async () => {
    const project = join(dir.path, "scf-style");
    mkdirSync(project);
    writeFileSync(join(project, "index.js"), handler("scf"));
    const yaml = (cron: string): string => ["component: scf", "inputs:", "  name: scf-style", "  handler: index.handler", "  runtime: Node.js18.15", "  events:",
      "    - timer:", "        parameters:", "          name: morning", `          cronExpression: "${cron}"`, "          argument: hello", ""].join("\n");
    writeFileSync(join(project, "serverless.yml"), yaml("0 30 9 * * MON *"));
    assert.deepEqual(json<{ triggers: string[] }>(await q(["deploy", project, "--json"])).triggers, ["morning"]);
    const [listed] = json<{ name: string; description: string }[]>(await q(["trigger", "list", "scf-style", "--json"]));
    const eventData = JSON.parse(listed?.description ?? "{}") as Record<string, unknown>;
    assert.deepEqual([listed?.name, eventData["schedule_type"], eventData["schedule"], eventData["user_event"]], ["morning", "Cron", "0 30 9 * * MON", "hello"]);
    const fired = json<{ requestId: string }>(await q(["trigger", "fire", "scf-style", "morning", "--json"]));
    assert.match(fired.requestId, /^[0-9a-f-]{36}$/);

    writeFileSync(join(project, "serverless.yml"), yaml("0 30 9 * * MON 2030"));
    writeFileSync(join(project, "index.js"), handler("must-not-deploy"));
    const refused = await q(["deploy", project]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /timer morning: schedule "0 30 9 \* \* MON 2030" names years \(2030\), which FunctionGraph crons cannot/);
    const still = await q(["invoke", "scf-style"]);
    assert.equal((JSON.parse(still.stdout) as { marker: string }).marker, "scf", `refused before the code was deployed; stderr: ${still.stderr}`);
    const unknown = await q(["trigger", "fire", "scf-style", "evening"]);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /scf-style has no timer trigger named evening/);
  });

  it("an s.yaml Rate timer through SCF is refused with what to do; an unknown trigger key is named", { timeout: 120_000 }, async () => {
    const project = join(dir.path, "rate");
    mkdirSync(project);
    writeFileSync(join(project, "index.js"), handler("rate"));
    const sYaml = (extra: string): string => ["edition: 3.0.0", "resources:", "  rate:", "    props:", "      function:", "        functionName: rate", "      trigger:",
      "        triggerTypeCode: TIMER", "        eventData:", "          scheduleType: Rate", "          schedule: 5m", extra, ""].join("\n");
    writeFileSync(join(project, "s.yaml"), sYaml(""));
    const throughScf = await runCli(["deploy", project, "--endpoint", endpoint, "--data-dir", data], { env: { ...NO_KEYS, HOME: dir.path } });
    assert.equal(throughScf.code, 2);
    assert.match(throughScf.stderr, /timer timer-1: schedule "5m" is a FunctionGraph Rate, which SCF timers cannot express: deploy with --dialect fgs/);
    writeFileSync(join(project, "s.yaml"), sYaml("          bucket: b"));
    const badKey = await q(["deploy", project]);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /resources\.rate\.props\.trigger\.eventData\.bucket is not supported by quiver deploy \(supported here: name, scheduleType, schedule, userEvent\)/);
  });

  it("trigger fire against an endpoint without Quiver's fire route (Huawei Cloud's answer, 404) says so", { timeout: 60_000 }, async () => {
    // Stands in for Huawei Cloud, which is not reachable here: it lists one timer and has no fire route.
    const cloud: Server = createServer((request, response) => {
      const listing = request.method === "GET" && /^\/v2\/p1\/fgs\/triggers\/[^/]+$/.test(request.url ?? "");
      response.writeHead(listing ? 200 : 404, { "content-type": "application/json" });
      response.end(listing
        ? JSON.stringify([{ trigger_id: "0123456789abcdef0123456789abcdef", trigger_type_code: "TIMER", trigger_status: "ACTIVE", event_data: { name: "nightly", schedule_type: "Rate", schedule: "1d" } }])
        : JSON.stringify({ error_code: "APIG.0101", error_msg: "The API does not exist or has not been published in an environment" }));
    });
    await new Promise<void>((resolve) => cloud.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(cloud.address() as AddressInfo).port}`;
      const run = await runCli(["trigger", "fire", "fn", "nightly", "--dialect", "fgs", "--endpoint", url, "--ak", "AK", "--sk", "SK", "--project-id", "p1", "--region", "cn-north-4"], { env: { ...NO_KEYS, HOME: dir.path } });
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /has no timer fire route \(HTTP 404 APIG\.0101\): firing a timer now is Quiver's own addition to FunctionGraph's API, which Huawei Cloud does not serve/);
      assert.match(run.stderr, /^hint: on Huawei Cloud, test the function with `quiver invoke --dialect fgs` and a TIMER event instead/m);
      const asJson = await runCli(["trigger", "fire", "fn", "nightly", "--json", "--dialect", "fgs", "--endpoint", url, "--ak", "AK", "--sk", "SK", "--project-id", "p1", "--region", "cn-north-4"], { env: { ...NO_KEYS, HOME: dir.path } });
      assert.equal(asJson.code, 4);
      assert.equal((JSON.parse(asJson.stdout) as { error: { code: string } }).error.code, "APIG.0101");
    } finally {
      await new Promise<void>((resolve) => cloud.close(() => resolve()));
    }
  });
});
