/**
 * kill -9 of one node of the reference deployment (three nodes behind HAProxy) under load:
 * publishes and asynchronous invocations go through the load balancer while a node is
 * SIGKILLed. Afterwards every acknowledged publish is there with its description, every
 * accepted asynchronous invocation has finished, the dead node's ones on a live node within
 * one lease period of its lapse, each run by exactly one node, clients saw only connection
 * failures that a retry fixed, and the node rejoins and serves again.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { createFunction, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { eventually } from "../helpers/eventually.js";
import { parseExposition } from "../helpers/prometheus.js";
import { openPool, type PgPool } from "../../src/store/postgres/driver.js";
import { startCluster, type Cluster } from "../cluster/cluster.js";
import { PG_OFF } from "../store/pg-schema.js";
import { minutes, PLAN } from "./plan.js";
import { Prng, suiteSeed } from "./prng.js";

const LEASE_SECONDS = 2;
/** How long an asynchronous invocation runs: long enough that some are mid-run when their node dies. */
const WORK_MS = 300;
/** The invocations sent to the victim just before its death run longer, so none can finish before it. */
const HELD_WORK_MS = 1_500;
/** Publishes acknowledged before the kill, and how long the load goes on after it. */
const ACKS_BEFORE_KILL = 20;
const LOAD_AFTER_KILL_MS = 3_000;
const CYCLES = PLAN.form === "short" ? 1 : 3;
/** Each asynchronous load worker submits one invocation per this many ms: well below what the nodes run, so no backlog hides a takeover's delay. */
const ASYNC_PACE_MS = 200;

/** What a client may see while a node dies: the connection failed, or the balancer answered 502/503 for it. */
function isConnectionFailure(error: unknown): boolean {
  const text = `${(error as { code?: unknown }).code ?? ""} ${(error as { message?: unknown }).message ?? ""}`;
  return /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|502|503|Bad Gateway|Service Unavailable|other side closed|fetch failed/i.test(text);
}

interface Ledger {
  /** Acknowledged publishes: version → description. */
  readonly published: Map<string, string>;
  /** Accepted asynchronous invocations (request ids). */
  readonly accepted: Set<string>;
  /** Requests that failed with a connection failure, and whether a retry then succeeded. */
  connectionFailures: number;
  /** Anything else a client saw: none expected. */
  readonly otherErrors: string[];
}

/** Runs `send` until it succeeds; connection failures are counted and retried, anything else recorded. */
async function withRetry<T>(ledger: Ledger, send: () => Promise<T>): Promise<T | null> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!isConnectionFailure(error)) {
        ledger.otherErrors.push(String((error as Error).message ?? error));
        return null;
      }
      ledger.connectionFailures += 1;
    }
  }
  ledger.otherErrors.push("a request failed 20 times in a row");
  return null;
}

async function loadWorker(scf: ScfClient, ledger: Ledger, kind: "publish" | "async", stop: { now: boolean }, n: number): Promise<void> {
  for (let i = 0; !stop.now; i += 1) {
    if (kind === "publish") {
      const description = `w${n}-${i}-${Date.now()}`;
      const answer = await withRetry(ledger, () => scf.PublishVersion({ FunctionName: "ledger", Description: description }));
      if (answer?.FunctionVersion) ledger.published.set(answer.FunctionVersion, description);
    } else {
      const answer = await withRetry(ledger, () => scf.Invoke({ FunctionName: "work", InvocationType: "Event", ClientContext: JSON.stringify({ n, i }) }));
      const id = (answer?.Result as { FunctionRequestId?: string } | undefined)?.FunctionRequestId;
      if (id) ledger.accepted.add(id);
      await new Promise((resolve) => setTimeout(resolve, ASYNC_PACE_MS)); // the load's pace, not a wait for an outcome
    }
  }
}

/** Every version of a function with its description, page by page (SCF pages hold at most 100). */
async function allVersions(scf: ScfClient, name: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let offset = 0; ; offset += 100) {
    const page = await scf.ListVersionByFunction({ FunctionName: name, Offset: offset, Limit: 100 });
    for (const v of page.Versions ?? []) found.set(v.Version ?? "", v.Description ?? "");
    if ((page.Versions ?? []).length < 100) return found;
  }
}

/** Asynchronous runs each node counted (its own metrics, since it started). */
async function asyncRuns(url: string): Promise<number> {
  return parseExposition(await (await fetch(`${url}/metrics`)).text()).sum("quiver_invocations_total", { source: "async" });
}

describe("kill -9 of a cluster node under load", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false, timeout: minutes(10) }, () => {
  let cluster: Cluster;
  let db: PgPool;
  const prng = new Prng(suiteSeed());

  before(async () => {
    cluster = await startCluster({ nodes: 3, leaseSeconds: LEASE_SECONDS, rateLimits: false });
    db = await openPool({ connectionString: cluster.schemaUrl, max: 2 });
    const scf = scfClient(cluster, ALICE);
    await createFunction(scf, { name: "ledger", files: { "index.js": "exports.main_handler = async () => 1;\n" } });
    await createFunction(scf, { name: "work", timeout: 10, files: { "index.js": `exports.main_handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? ${WORK_MS})); return e; };\n` } });
  });
  after(async () => {
    await db?.end();
    await cluster?.stop();
  });

  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    test(`cycle ${cycle + 1}: nothing acknowledged is lost, the dead node's work finishes once elsewhere, the node rejoins`, { timeout: minutes(5) }, async () => {
      const victim = cluster.nodes[prng.int(0, cluster.nodes.length - 1)];
      assert.ok(victim);
      const ledger: Ledger = { published: new Map(), accepted: new Set(), connectionFailures: 0, otherErrors: [] };
      const stop = { now: false };
      // Several clients: each keeps its own connections, so the balancer spreads them over the nodes.
      const workers = [
        ...Array.from({ length: 3 }, (_, n) => loadWorker(scfClient(cluster, ALICE), ledger, "publish", stop, n)),
        ...Array.from({ length: 3 }, (_, n) => loadWorker(scfClient(cluster, ALICE), ledger, "async", stop, n)),
      ];
      try {
        await eventually(() => ledger.published.size >= ACKS_BEFORE_KILL && ledger.accepted.size >= 6, { timeoutMs: 60_000, what: "load before the kill" });
        // Work the victim surely holds when it dies: accepted by it a moment before, each running for WORK_MS.
        const direct = scfClient(victim, ALICE);
        const held: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          const answer = await direct.Invoke({ FunctionName: "work", InvocationType: "Event", ClientContext: JSON.stringify({ victim: i, ms: HELD_WORK_MS }) });
          held.push((answer.Result as { FunctionRequestId: string }).FunctionRequestId);
        }
        for (const id of held) ledger.accepted.add(id);
        const { rows: running } = await db.query<{ id: string; claimed_by: string }>("SELECT id, claimed_by FROM async_invocations WHERE status = 'RUNNING'");
        const killedAt = Date.now();
        await victim.kill();
        await cluster.waitBackend(victim.index, "DOWN");
        await new Promise((resolve) => setTimeout(resolve, LOAD_AFTER_KILL_MS)); // the load itself runs on: this is its duration, not a wait for an outcome
        stop.now = true;
        await Promise.all(workers);

        assert.deepEqual(ledger.otherErrors, [], "clients saw only connection failures");

        // Every accepted invocation finishes; the dead node's within one lease of its lease lapsing.
        const deadline = (LEASE_SECONDS * 1.5 + 10) * 1000;
        const rows = await eventually(async () => {
          const { rows } = await db.query<{ id: string; status: string; claimed_by: string; finished_at: number | null }>("SELECT id, status, claimed_by, finished_at FROM async_invocations");
          const ours = rows.filter((row) => ledger.accepted.has(row.id));
          return ours.length === ledger.accepted.size && ours.every((row) => row.status !== "RUNNING") ? ours : null;
        }, { timeoutMs: deadline, what: "every accepted invocation finished" });
        assert.ok(rows.every((row) => row.status === "FINISHED"), `all FINISHED: ${rows.filter((r) => r.status !== "FINISHED").map((r) => `${r.id} ${r.status}`).join(", ")}`);
        const { rows: deadRows } = await db.query<{ id: string }>("SELECT id FROM nodes WHERE heartbeat_at < now() - make_interval(secs => $1)", [LEASE_SECONDS]);
        const dead = new Set(deadRows.map((row) => row.id));
        // The victim's unfinished invocations at the kill: each finished by the victim just before it died, or by a live node.
        const victimHeld = new Set(running.filter((row) => dead.has(row.claimed_by)).map((row) => row.id));
        const takenOver = rows.filter((row) => victimHeld.has(row.id) && !dead.has(row.claimed_by));
        const finishedByVictim = rows.filter((row) => victimHeld.has(row.id) && dead.has(row.claimed_by));
        assert.ok(finishedByVictim.every((row) => (row.finished_at ?? Infinity) <= killedAt + 100), "the dead node finished nothing after its death");
        for (const id of held) assert.ok(takenOver.some((row) => row.id === id), `${id}, accepted by the victim just before the kill, was finished by a live node`);
        const latest = Math.max(0, ...takenOver.map((row) => (row.finished_at ?? 0) - killedAt));
        // The lease lapses at most one lease after the kill, live nodes look every half lease, a run takes up to HELD_WORK_MS; 1.5 s for a busy 2-core machine.
        assert.ok(latest <= LEASE_SECONDS * 1500 + HELD_WORK_MS + 1_500, `the last taken-over invocation finished ${latest} ms after the kill`);

        // Exactly once: each live node ran exactly the invocations recorded as its own.
        const { rows: owners } = await db.query<{ claimed_by: string; n: number }>("SELECT claimed_by, count(*)::int AS n FROM async_invocations WHERE NOT (claimed_by = ANY($1)) GROUP BY claimed_by", [[...dead]]);
        const recordedOnLive = owners.reduce((sum, row) => sum + row.n, 0);
        const live = cluster.nodes.filter((node) => node.process !== null);
        const ranOnLive = (await Promise.all(live.map((node) => asyncRuns(node.url)))).reduce((a, b) => a + b, 0);
        assert.equal(ranOnLive, recordedOnLive, "runs counted by the live nodes = invocations the store gives them");

        // Every acknowledged publish is there, with what was asked.
        const scf = scfClient(cluster, ALICE);
        const descriptions = await allVersions(scf, "ledger");
        for (const [version, description] of ledger.published) assert.equal(descriptions.get(version), description, `version ${version}`);
        const numbers = [...descriptions.keys()].filter((v) => v !== "$LATEST").map(Number).sort((a, b) => a - b);
        assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), "numbered without gaps");

        // The node rejoins: the balancer sends it work again, and it answers.
        await victim.start();
        await cluster.waitBackend(victim.index, "UP");
        const again = await direct.PublishVersion({ FunctionName: "ledger", Description: "after rejoin" });
        assert.equal(Number(again.FunctionVersion), (numbers.at(-1) ?? 0) + 1);
        const invoked = await direct.Invoke({ FunctionName: "work", ClientContext: JSON.stringify({ rejoined: true }) });
        assert.equal(invoked.Result?.InvokeResult, 0);
        process.stdout.write(`# cluster kill -9 cycle ${cycle + 1}: node ${victim.index} killed after ${ACKS_BEFORE_KILL} publishes; ${ledger.published.size} publishes and ${ledger.accepted.size} async invocations acknowledged; ${ledger.connectionFailures} connection failures retried; ${takenOver.length} invocations finished by a live node after the kill, the last ${latest} ms after it\n`);
      } finally {
        stop.now = true;
        await Promise.all(workers);
        if (!victim.process) await victim.start().catch(() => undefined);
      }
    });
  }
});
