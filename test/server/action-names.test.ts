/**
 * Action and operation names come from the caller. Names an object would answer from its
 * prototype (`constructor`, `toString`, `__proto__`...) must get the vendor's unknown-action
 * error like any other unknown name, never run something, and never echo a secret.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { ConfigError, parseConfig, type ConfigInput } from "../../src/config/config.js";
import { SCF_RATE_LIMITS } from "../../src/dialects/scf/plugin.js";
import { ActionRates, DEFAULT_RATE_LIMIT, RateLimiter } from "../../src/dialects/shared/rate-limiter.js";
import { createQuiver } from "../../src/server/app.js";
import { ALICE, BOB, tempDir } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { expectScfError, scfClient, SIGNING_MODES } from "../helpers/scf-client.js";
import { sendTc3 } from "../helpers/tc3.js";

/** Every name `Object.prototype` and `Function.prototype` answer, and the usual suspects. */
const PROTOTYPE_NAMES: readonly string[] = [
  ...new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Function.prototype),
    "__proto__", "prototype", "constructor", "toString", "valueOf", "hasOwnProperty", "then", "toJSON",
  ]),
];

const SECRETS = [ALICE.tencent.secretKey, ALICE.huawei.secretKey, ALICE.huawei.authToken, BOB.huawei.secretKey];

function assertNoSecret(text: string, what: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} leaks a secret key: ${text.slice(0, 300)}`);
}

void describe("hostile action names", { timeout: 120_000 }, () => {
  let server: TestQuiver;
  let alice: Caller;
  const { projectId, region, accessKey, secretKey } = ALICE.huawei;
  const urn = `urn:fss:${region}:${projectId}:function:default:f`;

  before(async () => {
    // Rate limits on, so a name that reached the rate table would be counted (or refused) there.
    server = await startQuiver({ rateLimits: { enabled: true, overrides: { ListFunctions: 1000 } } });
    alice = { port: server.port, projectId, ak: accessKey, sk: secretKey };
  });
  after(async () => server.stop());

  void it("SCF answers InvalidAction to every prototype name in X-TC-Action, without a secret in the body", async () => {
    for (const action of [...PROTOTYPE_NAMES, ""]) {
      const reply = await sendTc3(server.url, { action, body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
      assert.equal(reply.status, 200, action);
      assert.equal(reply.body.Response.Error?.Code, "InvalidAction", `${action}: ${JSON.stringify(reply.body)}`);
      assert.deepEqual(Object.keys(reply.body.Response).sort(), ["Error", "RequestId"], action);
      assertNoSecret(JSON.stringify(reply.body), action);
    }
  });

  void it("SCF answers InvalidAction to every prototype name however it is signed (X-TC-Action, v1 Action=, GET and POST)", async () => {
    for (const mode of SIGNING_MODES) {
      const scf = scfClient({ endpoint: `127.0.0.1:${server.port}` }, ALICE, mode);
      for (const action of PROTOTYPE_NAMES) {
        const error = await expectScfError(scf.request(action, {}), "InvalidAction");
        assertNoSecret(error.message, `${mode.signMethod} ${mode.reqMethod} ${action}`);
      }
    }
  });

  void it("FunctionGraph answers its documented 404 to every prototype name in a path, for every method", async () => {
    const shapes = (name: string): [string, string][] => [
      ["GET", `/v2/${projectId}/fgs/functions/${urn}/${name}`],
      ["POST", `/v2/${projectId}/fgs/functions/${urn}/${name}`],
      ["PUT", `/v2/${projectId}/fgs/functions/${urn}/${name}`],
      ["DELETE", `/v2/${projectId}/fgs/functions/${urn}/${name}`],
      ["GET", `/v2/${projectId}/fgs/${name}`],
      ["POST", `/v2/${projectId}/${name}/functions`],
      ["GET", `/v1.0/${projectId}/fss/functions/${urn}/${name}`],
      ["PATCH", `/v2/${projectId}/fgs/functions/${urn}/${name}`],
    ];
    for (const name of PROTOTYPE_NAMES) {
      for (const [method, path] of shapes(name)) {
        // Fastify does not read GET bodies, so only the others carry one (and sign it).
        const answer = await call(alice, method, path, method === "GET" ? undefined : {});
        assert.equal(answer.status, 404, `${method} ${path}: ${answer.text}`);
        assert.deepEqual(answer.json(), { error_code: "FSS.0404", error_msg: "Not found the specified resource" }, `${method} ${path}`);
        assertNoSecret(answer.text, `${method} ${path}`);
      }
    }
  });

  void it("the server still serves real actions afterwards", async () => {
    const scf = scfClient({ endpoint: `127.0.0.1:${server.port}` }, ALICE);
    assert.deepEqual((await scf.ListFunctions({})).Functions, []);
    const listed = await call(alice, "GET", `/v2/${projectId}/fgs/functions`);
    assert.equal(listed.status, 200, listed.text);
  });
});

void describe("rate limits keyed by action name", () => {
  void it("a rate override must name a real action: `--rate-limit constructor=5` stops the start", async () => {
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty", "PublishVerison"]) {
      const input = configFromArgs(["serve", "--rate-limit", `${name}=5`]) as ConfigInput;
      const dir = tempDir();
      try {
        const config = parseConfig({ ...(JSON.parse(JSON.stringify(input)) as ConfigInput), dataDir: dir.path, logLevel: "silent" });
        await assert.rejects(createQuiver(config), (error: unknown) => error instanceof ConfigError && error.message.includes(`"${name}"`), name);
      } finally {
        dir.remove();
      }
    }
  });

  void it("`__proto__` and other non-names are refused as rate-limit flags", () => {
    for (const flag of ["__proto__=5", "prototype.x=5", "to String=5"]) {
      assert.throws(() => configFromArgs(["serve", "--rate-limit", flag]), ConfigError, flag);
    }
  });

  void it("a rate lookup sees only own entries: prototype names get the default rate, never NaN", () => {
    const overrides = parseConfig({ rateLimits: { overrides: { PublishVersion: 50 } } }).rateLimits;
    const rates = new ActionRates(new RateLimiter(() => 0), overrides, "scf", SCF_RATE_LIMITS);
    for (const name of PROTOTYPE_NAMES) assert.equal(rates.rateOf(name), DEFAULT_RATE_LIMIT, name);
    assert.equal(rates.rateOf("PublishVersion"), 50);
    assert.equal(rates.rateOf("ListVersionByFunction"), 20);
  });
});
