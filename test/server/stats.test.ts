/**
 * `GET /quiver/v1/stats`: a function's invocations, errors and p50/p99 duration per version, for
 * the account that signed the request only — the console's charts. Another account's keys find
 * nothing of it, whatever they ask for.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB, type TestAccount } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { sdkDate, signHeaders } from "../helpers/fgs-http.js";
import { tc3TailHeaders } from "../helpers/live-tail.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, invoke, scfClient } from "../helpers/scf-client.js";

const STATS_PATH = "/quiver/v1/stats";

const HANDLER = `exports.main_handler = async (event) => { if (event.fail) throw new Error("no"); return "ok"; };`;

interface Series { invocations: number[]; errors: number[]; throttles: number[]; p50Ms: (number | null)[]; p99Ms: (number | null)[] }
interface Stats { functionId: string; from: number; to: number; bucketMs: number; complete: boolean; times: number[]; versions: Record<string, Series> }

async function stats(server: TestQuiver, query: Record<string, string>, signer: { tencent: TestAccount } | { huawei: TestAccount } | null): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = new URLSearchParams(query).toString();
  const headers = signer === null
    ? {}
    : "tencent" in signer
      ? tc3TailHeaders(server.endpoint, signer.tencent.tencent, raw, { path: STATS_PATH })
      : signHeaders({ method: "GET", host: server.endpoint, path: STATS_PATH, query, headers: {}, body: Buffer.alloc(0), ak: signer.huawei.huawei.accessKey, sk: signer.huawei.huawei.secretKey, date: sdkDate() });
  const res = await fetch(`${server.url}${STATS_PATH}?${raw}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe("per-account statistics for the console", () => {
  let server: TestQuiver;

  before(async () => {
    // Rate limits are tested on a server of their own below; here they would only slow the checks.
    server = await startQuiver({ rateLimits: { enabled: false } });
    const alice = scfClient(server, ALICE);
    await createFunction(alice, { name: "canary", files: { "index.js": HANDLER } });
    await alice.PublishVersion({ FunctionName: "canary" });
    await alice.PublishVersion({ FunctionName: "canary", Description: "same code, second version" });
    await invoke(alice, "canary", {}, { Qualifier: "1" });
    await invoke(alice, "canary", {}, { Qualifier: "1" });
    await invoke(alice, "canary", {}, { Qualifier: "2" });
    await invoke(alice, "canary", { fail: true }, { Qualifier: "2" });
    // BOB has a function of the same name, invoked once.
    const bob = scfClient(server, BOB);
    await createFunction(bob, { name: "canary", files: { "index.js": HANDLER } });
    await invoke(bob, "canary", {});
  });
  after(async () => server.stop());

  it("counts each version's invocations and errors, with p50/p99 durations, in the last hour", async () => {
    const body = (await eventually(async () => {
      const { status, body } = await stats(server, { function: "canary" }, { tencent: ALICE });
      assert.equal(status, 200, JSON.stringify(body));
      const s = body as unknown as Stats;
      return sum(s.versions["1"]?.invocations ?? []) + sum(s.versions["2"]?.invocations ?? []) === 4 ? s : null;
    }, { what: "four recorded invocations" }));
    assert.deepEqual(Object.keys(body.versions).sort(), ["1", "2"]);
    assert.equal(body.bucketMs, 60_000);
    assert.equal(body.times.length, 60);
    assert.equal(body.complete, true);
    const [v1, v2] = [body.versions["1"], body.versions["2"]];
    assert.ok(v1 && v2);
    assert.equal(sum(v1.invocations), 2);
    assert.equal(sum(v1.errors), 0);
    assert.equal(sum(v2.errors), 1);
    const filled = v2.p99Ms.filter((v) => v !== null);
    assert.equal(filled.length, 1, "one bucket holds version 2's invocations");
    assert.ok((filled[0] ?? -1) >= 0);
  });

  it("answers another account's keys with its own function, never the first account's", async () => {
    const { status, body } = await eventually(async () => {
      const answer = await stats(server, { function: "canary" }, { tencent: BOB });
      const s = answer.body as unknown as Stats;
      return sum(s.versions["$LATEST"]?.invocations ?? []) === 1 ? answer : null;
    }, { what: "BOB's one invocation" });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys((body as unknown as Stats).versions), ["$LATEST"], "none of ALICE's versions");
  });

  it("does not find a function of another account or another region", async () => {
    const alicesOnly = await stats(server, { function: "canary", namespace: "default" }, { huawei: ALICE });
    assert.equal(alicesOnly.status, 404, "ALICE's Huawei keys read her FunctionGraph region, where no canary exists");
    const bobs = await stats(server, { function: "nothing-here" }, { tencent: BOB });
    assert.equal(bobs.status, 404);
    assert.deepEqual((bobs.body["error"] as { code: string }).code, "FunctionNotFound");
  });

  it("refuses unsigned requests, a missing function and a bad window", async () => {
    const unsigned = await stats(server, { function: "canary" }, null);
    assert.equal(unsigned.status, 401);
    assert.equal((unsigned.body["error"] as { code: string }).code, "AuthMissing");
    const noName = await stats(server, {}, { tencent: ALICE });
    assert.equal(noName.status, 400);
    for (const minutes of ["0", "1441", "abc", "-5"]) {
      const bad = await stats(server, { function: "canary", minutes }, { tencent: ALICE });
      assert.equal(bad.status, 400, minutes);
      assert.match((bad.body["error"] as { message: string }).message, /minutes/);
    }
  });

  it("a forged signature reads nothing", async () => {
    const raw = "function=canary";
    const headers = tc3TailHeaders(server.endpoint, { secretId: ALICE.tencent.secretId, secretKey: BOB.tencent.secretKey }, raw, { path: STATS_PATH });
    const res = await fetch(`${server.url}${STATS_PATH}?${raw}`, { headers });
    assert.equal(res.status, 401);
  });

  describe("rate", () => {
    it("answers at most 5 requests per second per account, then 429", async () => {
      // A burst well over the rate, sent at once: the bucket holds 5, so most are refused.
      const limited = await startQuiver();
      try {
        await createFunction(scfClient(limited, BOB), { name: "canary", files: { "index.js": HANDLER } });
        const answers = await Promise.all(Array.from({ length: 20 }, () => stats(limited, { function: "canary" }, { tencent: BOB })));
        const refused = answers.filter((a) => a.status === 429);
        assert.ok(refused.length >= 10, `${refused.length} of 20 refused`);
        assert.equal((refused[0]?.body["error"] as { code: string }).code, "RateLimited");
        assert.ok(answers.some((a) => a.status === 200));
      } finally {
        await limited.stop();
      }
    });
  });
});
