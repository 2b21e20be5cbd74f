/**
 * A function whose instances are all busy and whose wait queue is full answers its trigger URLs
 * with the gateway's 429 (SCF `{errno: 432}`, APIG `APIG.0308`) at once, as an invoke is refused,
 * never a hung connection: here one instance per function and no queue.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, scfClient } from "../helpers/scf-client.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";

/** Holds its instance for a second, then answers. */
const SLOW = { "index.js": "exports.main_handler = async () => { await new Promise((r) => setTimeout(r, 1000)); return { done: true }; };\n" };

describe("trigger URLs of a busy function", () => {
  let server: TestQuiver;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, engine: { maxInstancesPerFunction: 1, queueLimit: 0 } });
    const scf = scfClient(server);
    await createFunction(scf, { name: "slow", files: SLOW, timeout: 10 });
    await createHttpTrigger(server, { account: ALICE, functionName: "slow", name: "url" });
    // APIG paths are served in the account's FunctionGraph region.
    await createFunction(scfClient(server, ALICE, { region: ALICE.huawei.region }), { name: "slowfg", files: SLOW, timeout: 10 });
    await createHttpTrigger(server, { account: ALICE, functionName: "slowfg", name: "api", settings: { flavour: "apig", path: "/slow" } });
  });
  after(async () => server.stop());

  it("SCF: the request that finds every instance busy is 429 with the request id; the other runs", async () => {
    const url = scfTriggerUrl(server, ALICE, "slow", "url");
    const answers = await Promise.all([fetch(url), fetch(url)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 429]);
    const busy = answers.find((a) => a.status === 429);
    const body = (await busy?.json()) as { errno: number; requestId: string };
    assert.equal(body.errno, 432, "SCF's function status code for a concurrency limit");
    assert.equal(body.requestId, busy?.headers.get("x-scf-request-id"));
  });

  it("APIG: the request that finds every instance busy is 429 APIG.0308 with the request id; the other runs", async () => {
    const url = server.quiver.triggerUrls.apig(ALICE.huawei.projectId, "/slow");
    const answers = await Promise.all([fetch(url), fetch(url)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 429]);
    const busy = answers.find((a) => a.status === 429);
    const body = (await busy?.json()) as { error_code: string; request_id: string };
    assert.equal(body.error_code, "APIG.0308");
    assert.equal(body.request_id, busy?.headers.get("x-request-id"));
  });
});
