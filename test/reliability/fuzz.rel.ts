/**
 * Bounded fuzz of both dialects against a server child process: correctly signed requests with
 * mutated actions, paths, parameters and bodies, plus unsigned garbage. Every answer must be the
 * vendor's envelope without a 5xx, an internal error or a secret; the server must stay healthy
 * and give back the memory the run used. Replay a failure with QUIVER_RELIABILITY_SEED=<seed>.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { scfClient } from "../helpers/scf-client.js";
import { nodeZipBase64 } from "../helpers/zip.js";
import { footprintOf, removeFootprints, removeInstanceState } from "./debris.js";
import { fgsCase } from "./fuzz-fgs.js";
import { garbageCase } from "./fuzz-garbage.js";
import { scfCase, type FuzzCase } from "./fuzz-scf.js";
import { keepAliveAgent, send, type WireAnswer } from "./http.js";
import { minutes, PLAN } from "./plan.js";
import { Prng, suiteSeed } from "./prng.js";
import { mb, rssFallsTo, settledRss } from "./rss.js";
import { ALICE, BOB, SECRETS, startServerChild, writeAccounts, type ServerChild } from "./server.js";
import { verdict } from "./verdict.js";

const seed = suiteSeed();
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 20_000;
const HEALTH_EVERY = 250;
/** Share of cases that carry a 1-8 MB value. */
const HUGE_SHARE = 0.003;
const RSS_SLACK = 1.2;
const FUNCTION_NAME = "fz";

interface Problem {
  readonly index: number;
  readonly kind: string;
  readonly rule: string;
  readonly request: string;
  readonly answer: string;
}

type Generator = (i: number) => FuzzCase;

const clip = (text: string, n: number): string => (text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);

function describeRequest(c: FuzzCase): string {
  const headers = Object.entries(c.wire.headers).filter(([k]) => k !== "authorization").map(([k, v]) => `${k}: ${clip(v, 120)}`).join("; ");
  return `${c.label}\n      ${c.wire.method} ${clip(c.wire.path, 300)}\n      ${headers}\n      body ${clip(c.wire.body.toString("utf8"), 300)}`;
}

function describeAnswer(a: WireAnswer): string {
  return a.kind === "no answer" ? a.error : `HTTP ${a.status} ${clip(a.body.toString("utf8"), 300)}`;
}

function summary(name: string, problems: readonly Problem[]): string {
  const byRule = new Map<string, number>();
  for (const p of problems) byRule.set(p.rule, (byRule.get(p.rule) ?? 0) + 1);
  // What kinds of request broke each rule: the label without its index ("scf tc3-json \"toString\"").
  // The commonest kinds, then how many others there were, so a rare cause is not drowned by a common one.
  const kinds = (rule: string): string => {
    const counts = new Map<string, number>();
    for (const p of problems) if (p.rule === rule) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    const rest = sorted.slice(8);
    const others = rest.length === 0 ? "" : `; and ${rest.reduce((n, [, c]) => n + c, 0)} of ${rest.length} other kinds, e.g. ${rest.slice(0, 4).map(([k]) => k).join(", ")}`;
    return `${sorted.slice(0, 8).map(([k, n]) => `${n}× ${k}`).join(", ")}${others}`;
  };
  const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `  ${n} × ${rule}\n      e.g. ${kinds(rule)}`).join("\n");
  const examples = problems.slice(0, 12).map((p) => `  [${p.rule}]\n      ${p.request}\n      → ${p.answer}`).join("\n");
  return `${name}: ${problems.length} bad answers (seed ${seed}; replay with QUIVER_RELIABILITY_SEED=${seed} QUIVER_RELIABILITY=${PLAN.form})\n${rules}\nfirst ones:\n${examples}`;
}

void describe(`bounded fuzz of both dialects (${PLAN.fuzzPerDialect} signed requests per dialect, seed ${seed})`, () => {
  const dir = tempDir("quiver-rel-fuzz-");
  const dataDir = join(dir.path, "data");
  const agent = keepAliveAgent(CONCURRENCY);
  let server: ServerChild;
  let baseline = 0;
  let generators: { scf: Generator; fgs: Generator; garbage: Generator };

  async function healthy(): Promise<string | null> {
    if (!server.alive()) return `the server exited; ${server.outputTail()}`;
    const answer = await send(server.port, { method: "GET", path: "/healthz", headers: {}, body: Buffer.alloc(0) }, false, REQUEST_TIMEOUT_MS);
    if (answer.kind === "answer" && answer.status === 200) return null;
    return `GET /healthz: ${describeAnswer(answer)}`;
  }

  /**
   * Sends `count` cases, `CONCURRENCY` at a time, in the generator's order; returns the bad
   * answers. Signed requests share kept-alive connections, as SDKs do; garbage (`fresh`) gets a
   * connection each, since the server may rightly close it.
   */
  async function run(generate: Generator, count: number, fresh = false): Promise<Problem[]> {
    const problems: Problem[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const index = next;
        next += 1;
        const c = generate(index);
        const answer = await send(server.port, c.wire, fresh ? false : agent, REQUEST_TIMEOUT_MS);
        const rule = verdict(c, answer, SECRETS);
        if (rule !== null) problems.push({ index, kind: c.label.replace(/#\d+/, "").slice(0, 80), rule, request: describeRequest(c), answer: describeAnswer(answer) });
        if (index % HEALTH_EVERY === 0 || answer.kind === "no answer") {
          const sick = await healthy();
          if (sick !== null) throw new Error(`server unhealthy after ${c.label} (seed ${seed}): ${sick}\n${summary("so far", problems)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return problems;
  }

  before(
    async () => {
      server = await startServerChild({ dataDir, accountsFile: writeAccounts(dir.path) });
      const zipBase64 = await nodeZipBase64(FUNCTION_NAME);
      await scfClient({ endpoint: server.endpoint }, ALICE).CreateFunction({ FunctionName: FUNCTION_NAME, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: zipBase64 } });
      const make = (label: string): { scf: Generator; fgs: Generator; garbage: Generator } => {
        const scfRng = Prng.derive(seed, `${label}/scf`);
        const fgsRng = Prng.derive(seed, `${label}/fgs`);
        const garbageRng = Prng.derive(seed, `${label}/garbage`);
        const scfCtx = { endpoint: server.endpoint, keys: ALICE.tencent, otherKeys: BOB.tencent, functionName: FUNCTION_NAME, zipBase64 };
        const fgsCtx = { port: server.port, region: ALICE.huawei.region, keys: ALICE.huawei, otherKeys: BOB.huawei, functionName: FUNCTION_NAME, zipBase64 };
        return {
          scf: (i) => scfCase(scfRng, scfCtx, i, scfRng.chance(HUGE_SHARE)),
          fgs: (i) => fgsCase(fgsRng, fgsCtx, i, fgsRng.chance(HUGE_SHARE)),
          garbage: (i) => garbageCase(garbageRng, i),
        };
      };
      // Warm-up: the same mix with its own streams, so the baseline includes what a run allocates for good.
      const warm = make("warm-up");
      const warmCount = Math.max(300, Math.round(PLAN.fuzzPerDialect / 10));
      await run(warm.scf, warmCount);
      await run(warm.fgs, warmCount);
      await run(warm.garbage, Math.round(warmCount / 3), true);
      baseline = (await settledRss(server.pid, { deadlineMs: 30_000, between: healthy })).rss;
      generators = make("run");
    },
    { timeout: minutes(PLAN.form === "short" ? 3 : 15) },
  );

  after(async () => {
    agent.destroy();
    const footprints = server ? footprintOf(server.pid) : [];
    await server?.stop();
    removeFootprints(footprints);
    removeInstanceState(dataDir);
    dir.remove();
  });

  const perDialect = { timeout: minutes(PLAN.form === "short" ? 3 : 30) };

  void test(`SCF: ${PLAN.fuzzPerDialect} signed, mutated requests (TC3 JSON/form/GET, v1) get the SCF envelope, no 5xx, no internal error, no secret`, perDialect, async () => {
    const problems = await run(generators.scf, PLAN.fuzzPerDialect);
    assert.equal(problems.length, 0, summary("SCF", problems));
  });

  void test(`FunctionGraph: ${PLAN.fuzzPerDialect} signed, mutated requests get FunctionGraph errors, no 5xx, no internal error, no secret`, perDialect, async () => {
    const problems = await run(generators.fgs, PLAN.fuzzPerDialect);
    assert.equal(problems.length, 0, summary("FunctionGraph", problems));
  });

  void test(`unsigned garbage: ${PLAN.fuzzGarbage} unknown routes, malformed URLs, oversized headers, bad content types get the envelope of their path`, perDialect, async () => {
    const problems = await run(generators.garbage, PLAN.fuzzGarbage, true);
    assert.equal(problems.length, 0, summary("garbage", problems));
  });

  void test(`the server is healthy and its RSS is back within ${Math.round((RSS_SLACK - 1) * 100)} % of the post-warm-up baseline`, { timeout: 60_000 }, async () => {
    assert.equal(await healthy(), null);
    const limit = baseline * RSS_SLACK;
    const { ok, readings } = await rssFallsTo(server.pid, limit, { deadlineMs: 30_000, between: healthy });
    assert.ok(ok, `RSS ${mb(readings[readings.length - 1] ?? 0)} stayed above ${mb(limit)} (baseline ${mb(baseline)}); readings ${readings.map(mb).join(", ")}`);
  });
});
