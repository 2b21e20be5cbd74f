/**
 * The quiver CLI end to end against a real `quiver serve` child: deploy from a directory and
 * from serverless.yml, publish, versions, diff, alias shift / promote / rollback, invoke (flag,
 * file, stdin), logs (and --follow), trigger list / fire, functions, namespaces, --json, dev
 * (hot reload), FunctionGraph through --dialect fgs; bad flags, missing credentials and refused
 * requests with their messages and exit codes; the progress indicator on a terminal and none
 * when piped.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { cliCommandLine, runCli, spawnCli, waitForListening, waitForOutput, type CliProcess, type CliRun } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";

const handler = (marker: string): string => `exports.main_handler = async (event) => { console.log("log line ${marker}"); return { marker: ${JSON.stringify(marker)}, name: event.name ?? null, greeting: process.env.GREETING ?? null }; };\n`;

function json<T>(run: CliRun): T {
  assert.equal(run.code, 0, `exit ${String(run.code)}; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

describe("the quiver CLI against quiver serve", () => {
  const dir = tempDir("quiver-cli-");
  const data = join(dir.path, "data");
  const root = join(dir.path, "code");
  let server: CliProcess;
  let endpoint = "";
  // The server's default account is read from its data dir: no other credentials are given.
  const q = (args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<CliRun> =>
    runCli([...args, "--endpoint", endpoint, "--data-dir", data], { ...options, env: { TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined, HOME: dir.path, ...options.env } });

  before(async () => {
    mkdirSync(root, { recursive: true });
    server = spawnCli(["serve", "--port", "0", "--data-dir", data, "--log-level", "silent", "--hot-reload-root", root, "--prewarm-nodejs", "0", "--prewarm-python", "0"]);
    endpoint = await waitForListening(server, 60_000);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
    dir.remove();
  });

  it("deploy from a directory (honouring .quiverignore), invoke with an event from a flag, a file and stdin", { timeout: 180_000 }, async () => {
    const app = join(root, "hello");
    mkdirSync(join(app, "node_modules", "left-out"), { recursive: true });
    writeFileSync(join(app, "index.js"), handler("v1"));
    writeFileSync(join(app, "notes.log"), "not packaged");
    writeFileSync(join(app, "node_modules", "left-out", "index.js"), "not packaged");
    writeFileSync(join(app, ".quiverignore"), "*.log\nnode_modules/\n");
    const deployed = json<{ function: string; created: boolean; status: string; files: number }>(await q(["deploy", app, "--json", "--env", "GREETING=hi"]));
    assert.deepEqual([deployed.function, deployed.created, deployed.status, deployed.files], ["hello", true, "Active", 1]);

    const byFlag = await q(["invoke", "hello", "--event", '{"name":"flag"}']);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.deepEqual(JSON.parse(byFlag.stdout), { marker: "v1", name: "flag", greeting: "hi" });
    const eventFile = join(dir.path, "event.json");
    writeFileSync(eventFile, '{"name":"file"}');
    assert.equal((JSON.parse((await q(["invoke", "hello", "--event-file", eventFile])).stdout) as { name: string }).name, "file");
    const byStdin = await q(["invoke", "hello", "--log", "--json"], { input: '{"name":"stdin"}' });
    const outcome = json<{ result: string; log: string; error?: string }>(byStdin);
    assert.equal((JSON.parse(outcome.result) as { name: string }).name, "stdin");
    assert.match(outcome.log, /log line v1/);
  });

  it("publish, versions, diff (config, files, unified diff), alias shift / promote / rollback", { timeout: 180_000 }, async () => {
    const app = join(dir.path, "shop");
    mkdirSync(app);
    writeFileSync(join(app, "index.js"), handler("one"));
    writeFileSync(join(app, "old.txt"), "removed later\n");
    const first = json<{ version: string; alias: { name: string; version: string } }>(await q(["deploy", app, "--publish", "--alias", "prod", "--json"]));
    assert.equal(first.version, "1");
    assert.deepEqual(first.alias, { name: "prod", version: "1" });

    writeFileSync(join(app, "index.js"), handler("two"));
    writeFileSync(join(app, "new.txt"), "added\n");
    rmSync(join(app, "old.txt"));
    const second = json<{ version: string; alias: { version: string; additional: { version: string; weight: number } } }>(await q(["deploy", app, "--memory", "256", "--publish", "--alias", "prod", "--weight", "20", "--json"]));
    assert.equal(second.version, "2");
    assert.deepEqual(second.alias, { name: "prod", version: "1", additional: { version: "2", weight: 20 } }, "a 20 % canary of version 2 on prod");

    const versions = json<{ version: string }[]>(await q(["versions", "shop", "--json"]));
    assert.deepEqual(versions.map((v) => v.version), ["$LATEST", "1", "2"]);

    const diff = await q(["diff", "shop", "1", "2"]);
    assert.equal(diff.code, 1, "diff exits 1 when the versions differ");
    assert.match(diff.stdout, /config memoryMb: 128 → 256/);
    assert.match(diff.stdout, /^\+ new\.txt$/m);
    assert.match(diff.stdout, /^- old\.txt$/m);
    assert.match(diff.stdout, /^M index\.js$/m);
    assert.match(diff.stdout, /^-exports\.main_handler.*"one"/m);
    assert.match(diff.stdout, /^\+exports\.main_handler.*"two"/m);
    const same = await q(["diff", "shop", "2", "2", "--json"]);
    assert.equal(same.code, 0);
    assert.deepEqual(JSON.parse(same.stdout), { config: [], added: [], removed: [], changed: [] });

    const shifted = json<{ version: string; additional: { weight: number } }>(await q(["alias", "shift", "shop", "prod", "2", "--weight", "50", "--json"]));
    assert.deepEqual([shifted.version, shifted.additional.weight], ["1", 50]);
    const promoted = json<{ version: string; additional?: unknown }>(await q(["alias", "promote", "shop", "prod", "--json"]));
    assert.deepEqual(promoted, { name: "prod", version: "2" });
    const invokedProd = await q(["invoke", "shop", "--qualifier", "prod"]);
    assert.equal((JSON.parse(invokedProd.stdout) as { marker: string }).marker, "two");
    const rolledBack = json<{ version: string }>(await q(["alias", "rollback", "shop", "prod", "--json"]));
    assert.equal(rolledBack.version, "1", "rollback without a canary goes to the previous version");
    assert.equal((JSON.parse((await q(["invoke", "shop", "--qualifier", "prod"])).stdout) as { marker: string }).marker, "one");
    const list = await q(["alias", "list", "shop"]);
    assert.match(list.stdout, /^prod\s+1\s+-$/m);
  });

  it("deploy from serverless.yml with a timer; trigger list and fire; logs and logs --follow", { timeout: 180_000 }, async () => {
    const project = join(dir.path, "ticker-project");
    mkdirSync(join(project, "src"), { recursive: true });
    writeFileSync(join(project, "src", "index.js"), handler("tick"));
    writeFileSync(join(project, "serverless.yml"), [
      "component: scf", "name: ticker-instance", "inputs:", "  name: ticker", "  src: ./src", "  handler: index.main_handler", "  runtime: Nodejs18.15",
      "  memorySize: 256", "  timeout: 10", "  environment:", "    variables:", "      GREETING: from-yaml", "  events:", "    - timer:", "        parameters:",
      "          name: nightly", "          cronExpression: \"0 0 3 * * * *\"", "          enable: true", "",
    ].join("\n"));
    const deployed = json<{ function: string; triggers: string[] }>(await q(["deploy", project, "--json"]));
    assert.deepEqual([deployed.function, deployed.triggers], ["ticker", ["nightly"]]);
    const triggers = json<{ name: string; type: string; enabled: boolean }[]>(await q(["trigger", "list", "ticker", "--json"]));
    assert.deepEqual(triggers.map((t) => [t.name, t.type, t.enabled]), [["nightly", "timer", true]]);

    const follow = spawnCli(["logs", "ticker", "--follow", "--endpoint", endpoint, "--data-dir", data]);
    try {
      const fired = json<{ requestId: string }>(await q(["trigger", "fire", "ticker", "nightly", "--json"]));
      assert.match(fired.requestId, /^[0-9a-f-]{36}$/);
      await waitForOutput(follow, new RegExp(`${fired.requestId}[^\\n]*ok`), 60_000);
      await waitForOutput(follow, /log line tick/, 10_000);
    } finally {
      follow.child.kill("SIGINT");
      assert.equal(await follow.exited, 0, "--follow stops cleanly on Ctrl-C");
    }
    const logs = json<{ requestId: string; log: string }[]>(await q(["logs", "ticker", "--since", "10m", "--json"]));
    assert.equal(logs.length, 1);
    assert.match(logs[0]?.log ?? "", /log line tick/);
  });

  it("functions, namespaces and --dialect fgs through the FunctionGraph SDK", { timeout: 180_000 }, async () => {
    const functions = json<{ name: string }[]>(await q(["functions", "--json"]));
    assert.ok(["hello", "shop", "ticker"].every((name) => functions.some((f) => f.name === name)), JSON.stringify(functions));
    assert.deepEqual(json<string[]>(await q(["namespaces", "--json"])), ["default"]);

    const app = join(dir.path, "fg-app");
    mkdirSync(app);
    writeFileSync(join(app, "index.js"), handler("fg"));
    const deployed = json<{ function: string; status: string }>(await q(["deploy", app, "--dialect", "fgs", "--handler", "index.main_handler", "--json"]));
    assert.equal(deployed.status, "Active");
    const invoked = await q(["invoke", "fg-app", "--dialect", "fgs", "--event", '{"name":"huawei"}']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.equal((JSON.parse(invoked.stdout) as { name: string }).name, "huawei");
    assert.equal(json<{ version: string }>(await q(["publish", "fg-app", "--dialect", "fgs", "--json"])).version.length > 0, true);
  });

  it("dev: hot reload of a directory under the server's root; an edit reaches the next invoke", { timeout: 180_000 }, async () => {
    const app = join(root, "live");
    mkdirSync(app);
    writeFileSync(join(app, "index.js"), handler("before"));
    const dev = json<{ hotReloadDir: string; status: string }>(await q(["dev", app, "--no-follow", "--json"]));
    assert.deepEqual([dev.hotReloadDir, dev.status], [app, "Active"]);
    assert.equal((JSON.parse((await q(["invoke", "live"])).stdout) as { marker: string }).marker, "before");
    writeFileSync(join(app, "index.js"), handler("after"));
    // The CLI is a client: what it can observe is the function's answer.
    await eventually(async () => (JSON.parse((await q(["invoke", "live"])).stdout) as { marker: string }).marker === "after", { timeoutMs: 30_000, what: "the edit runs" });
    const outside = join(dir.path, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "index.js"), handler("x"));
    const refused = await q(["dev", outside, "--no-follow"]);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /InvalidParameterValue\.Code: Hot reload refused: .* is outside the hot-reload root/);
    assert.match(refused.stderr, /hint: hot reload needs `quiver serve --hot-reload-root DIR`/);
  });

  it("failures: bad flags (2), refused requests with the vendor's code and a hint (4), missing credentials (3), an unreachable endpoint (5), a failing function (1)", { timeout: 180_000 }, async () => {
    const badFlag = await q(["invoke", "hello", "--bogus"]);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /unknown option '--bogus'/);
    const badCommand = await q(["deploi"]);
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command 'deploi'/);
    const badWeight = await q(["alias", "shift", "shop", "prod", "2", "--weight", "150"]);
    assert.equal(badWeight.code, 2);
    assert.match(badWeight.stderr, /--weight is a percentage from 0 to 100/);

    const missing = await q(["invoke", "nope"]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /^quiver: ResourceNotFound\.Function: /m);
    assert.match(missing.stderr, /^hint: list the functions with `quiver functions`/m);
    const missingJson = await q(["invoke", "nope", "--json"]);
    assert.equal(missingJson.code, 4);
    assert.equal((JSON.parse(missingJson.stdout) as { error: { code: string } }).error.code, "ResourceNotFound.Function");

    const noKeys = await runCli(["functions", "--endpoint", endpoint, "--data-dir", join(dir.path, "no-such-data")], { env: { TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined, HOME: dir.path } });
    assert.equal(noKeys.code, 3);
    assert.match(noKeys.stderr, /no Tencent SCF credentials: tried --secret-id and --secret-key; TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY; tccli's/);
    const wrongKeys = await runCli(["functions", "--endpoint", endpoint, "--secret-id", "AKIDunknown", "--secret-key", "nope"]);
    assert.equal(wrongKeys.code, 3);
    assert.match(wrongKeys.stderr, /AuthFailure\.SecretIdNotFound/);
    const fromEnv = await runCli(["functions", "--endpoint", endpoint, "--json"], { env: { TENCENTCLOUD_SECRET_ID: "AKIDunknown", TENCENTCLOUD_SECRET_KEY: "x", HOME: dir.path } });
    assert.equal(fromEnv.code, 3, "the environment's keys are used (and refused) before the data dir is looked at");

    // tccli's credential file (profile "default", or --profile) comes before the data dir.
    mkdirSync(join(dir.path, ".tccli"), { recursive: true });
    writeFileSync(join(dir.path, ".tccli", "work.credential"), JSON.stringify({ secretId: "AKIDfromTccli", secretKey: "k" }));
    const fromTccli = await q(["functions", "--profile", "work"]);
    assert.equal(fromTccli.code, 3);
    assert.match(fromTccli.stderr, /AuthFailure\.SecretIdNotFound/, "the tccli profile's keys were used");

    const unreachable = await runCli(["functions", "--endpoint", "http://127.0.0.1:1", "--secret-id", "a", "--secret-key", "b"]);
    assert.equal(unreachable.code, 5);
    assert.match(unreachable.stderr, /cannot reach the endpoint/);

    const app = join(dir.path, "thrower");
    mkdirSync(app);
    writeFileSync(join(app, "index.js"), "exports.main_handler = async () => { throw new Error('boom'); };\n");
    json(await q(["deploy", app, "--json"]));
    const failed = await q(["invoke", "thrower"]);
    assert.equal(failed.code, 1, "a function's failure exits 1");
    assert.match(failed.stdout, /boom/);

    const badYaml = join(dir.path, "bad-yaml");
    mkdirSync(badYaml);
    writeFileSync(join(badYaml, "serverless.yml"), "component: scf\ninputs:\n  name: x\n  vpcConfig:\n    vpcId: v\n");
    const refused = await q(["deploy", badYaml]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /serverless\.yml: inputs\.vpcConfig is not supported by quiver deploy \(supported here: name, src, handler/);
  });

  it("a terminal shows the progress indicator; piped output has none, and --json is one clean document", { timeout: 180_000 }, async () => {
    const app = join(dir.path, "tty");
    mkdirSync(app);
    writeFileSync(join(app, "index.js"), handler("tty"));
    const args = ["deploy", app, "--endpoint", endpoint, "--data-dir", data];
    // `script` gives the command a pseudo-terminal for stdout and stderr.
    const { stdout: onTty } = await promisify(execFile)("script", ["-qec", cliCommandLine(args), "/dev/null"], { env: { ...process.env, HOME: dir.path, TERM: "xterm" } });
    assert.match(onTty, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Packaging/, "a spinner while packaging");
    assert.match(onTty, /✔ Waiting for tty to be Active/);
    const piped = await q(["deploy", app]);
    assert.equal(piped.code, 0);
    assert.equal(piped.stderr, "", "nothing but the result when not on a terminal");
    for (const garbage of ["\r", "\u001b", "⠋", "✔"]) assert.ok(!piped.stdout.includes(garbage), `no ${JSON.stringify(garbage)} in piped output`);
    assert.match(piped.stdout, /^Updated default\/tty: Active, 1 files, \d+ bytes\n$/);
    const asJson = await q(["deploy", app, "--json"]);
    assert.equal(asJson.stderr, "");
    assert.equal((JSON.parse(asJson.stdout) as { function: string }).function, "tty");
  });

  it("--help for every command, with an example", { timeout: 180_000 }, async () => {
    const top = await runCli(["--help"]);
    assert.equal(top.code, 0);
    for (const command of ["serve", "deploy", "dev", "functions", "namespaces", "versions", "publish", "trigger", "diff", "alias", "invoke", "logs"]) assert.match(top.stdout, new RegExp(`^  ${command}\\b`, "m"), command);
    const helps = await Promise.all([["deploy"], ["dev"], ["invoke"], ["logs"], ["diff"], ["alias", "shift"], ["trigger", "fire"], ["publish"], ["versions"], ["functions"]].map((words) => runCli([...words, "--help"])));
    for (const help of helps) {
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: quiver /m);
      assert.match(help.stdout, /Examples?:\n {2}quiver /);
    }
    const serveHelp = await runCli(["serve", "--help"]);
    assert.match(serveHelp.stdout, /^Usage: quiver serve \[options\]/);
    assert.match(serveHelp.stdout, /--hot-reload-root DIR/);
  });
});
