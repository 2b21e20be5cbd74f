import { RedisLimiter } from "../../src/cluster/redis-limiter.js";
import { RedisLink } from "../../src/cluster/redis-link.js";
import { RateLimiter } from "../../src/dialects/shared/rate-limiter.js";
import { openPool } from "../../src/store/postgres/driver.js";
import { ALICE } from "../../test/helpers/accounts.js";
import { startCluster } from "../../test/cluster/cluster.js";
import { REDIS_URL, removeKeys, testKeyPrefix } from "../../test/cluster/redis.js";
import { createTestSchema, urlWithSchema } from "../../test/store/pg-schema.js";
import { load, type LoadResult } from "../lib/load.js";
import type { Plan } from "../lib/plan.js";
import { sample, type Results } from "../lib/results.js";
import { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { makeZip } from "../lib/zip.js";
import { invokeChecked, invokeRequest, setupInvokeFunctions } from "./invoke.js";

const SECTION = "Cluster";
const CONNECTIONS = 50;

/**
 * Publish p50 and warm invoke throughput of the reference deployment (HAProxy, PostgreSQL
 * store and blobs, Redis) with three nodes and with one, same machine, same run: what the
 * cluster costs and gives on one host (on 2 cores three nodes share the same CPUs).
 */
export async function clusterScaling(plan: Plan, results: Results): Promise<void> {
  const measured: Record<number, { publish: number; invoke: LoadResult }> = {};
  for (const nodes of [1, 3]) {
    const cluster = await startCluster({ nodes, rateLimits: false });
    const client = new ScfBenchClient(Number(new URL(cluster.url).port), ALICE.tencent.secretId, ALICE.tencent.secretKey);
    try {
      await setupInvokeFunctions(client);
      await client.call("CreateFunction", { FunctionName: "cluster-pub", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await makeZip(1024)).toString("base64") } });
      const publishes = summarize(await sample(plan.publishSamples, () => client.call("PublishVersion", { FunctionName: "cluster-pub" })));
      results.add({ section: SECTION, name: `PublishVersion through HAProxy, ${nodes} node${nodes > 1 ? "s" : ""}`, unit: "ms", summary: publishes });
      const request = invokeRequest(client, "echo-node", "1");
      await invokeChecked(client, request);
      // Unmeasured warm-up: every node starts its instances before we count.
      await load(client.port, request, CONNECTIONS, 1);
      const invoke = await load(client.port, request, CONNECTIONS, plan.loadSeconds);
      results.add({ section: SECTION, name: `warm Invoke through HAProxy, ${nodes} node${nodes > 1 ? "s" : ""}, ${CONNECTIONS} connections`, unit: "req/s", value: invoke.throughput, summary: invoke.latency, note: `${invoke.errors} errors` });
      measured[nodes] = { publish: publishes.p50, invoke };
    } finally {
      client.close();
      await cluster.stop();
    }
  }
  const one = measured[1];
  const three = measured[3];
  if (one && three) {
    results.note(`cluster: three nodes vs one on this machine: publish p50 ${three.publish.toFixed(2)} vs ${one.publish.toFixed(2)} ms, warm invoke ${three.invoke.throughput.toFixed(0)} vs ${one.invoke.throughput.toFixed(0)} req/s`);
  }
}

/**
 * What one rate-limit check costs: the per-node token bucket, the cluster's GCRA in Redis
 * (one EVAL round trip), and the same GCRA as one PostgreSQL statement on an UNLOGGED table
 * (the alternative the cluster could have used without Redis).
 */
export async function limiterCost(plan: Plan, results: Results): Promise<void> {
  const n = plan.warmSamples;
  const local = new RateLimiter();
  results.add({ section: SECTION, name: "rate-limit check: in memory (one node)", unit: "ms", summary: summarize(await sample(n, async () => local.take("scf:a:Invoke", 1e9))) });

  const prefix = testKeyPrefix();
  const link = new RedisLink(REDIS_URL, prefix, { warn: () => undefined, info: () => undefined });
  try {
    if (!(await link.waitReady(5_000))) throw new Error(`Redis at ${REDIS_URL} did not answer`);
    const redis = new RedisLimiter(link, local);
    results.add({ section: SECTION, name: "rate-limit check: GCRA in Redis (cluster)", unit: "ms", summary: summarize(await sample(n, () => redis.take("scf:a:Invoke", 1e9))) });
  } finally {
    await link.close();
    await removeKeys(prefix);
  }

  const schema = await createTestSchema();
  const pool = await openPool({ connectionString: urlWithSchema(schema.name), max: 1 });
  try {
    await pool.query("CREATE UNLOGGED TABLE rate_gcra (key TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL)");
    const interval = 1e6 / 1e9;
    const take = (): Promise<unknown> => pool.query(
      `INSERT INTO rate_gcra AS r (key, tat) VALUES ($1, extract(epoch FROM clock_timestamp()) * 1e6 + $2)
       ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, extract(epoch FROM clock_timestamp()) * 1e6) + $2
       WHERE GREATEST(r.tat, extract(epoch FROM clock_timestamp()) * 1e6) + $2 - extract(epoch FROM clock_timestamp()) * 1e6 <= $3
       RETURNING 1`,
      ["scf:a:Invoke", interval, interval * 1e9],
    );
    results.add({ section: SECTION, name: "rate-limit check: GCRA in PostgreSQL (one UPDATE, unlogged table)", unit: "ms", summary: summarize(await sample(n, take)) });
  } finally {
    await pool.end();
    await schema.drop();
  }
}
