import autocannon from "autocannon";
import { shuffled } from "./results.js";
import type { SignedRequest } from "./scf-client.js";
import { summarize, type Summary } from "./stats.js";

export interface LoadResult {
  readonly connections: number;
  readonly seconds: number;
  /** Completed 2xx requests per second over the whole run. */
  readonly throughput: number;
  readonly latency: Summary;
  readonly errors: number;
}

/**
 * Keep-alive load with autocannon (raw sockets, pre-built request bytes: the cheapest client we
 * have, and it still shares the 2 cores with the server). Latencies come from its per-response
 * event, which carries fractional milliseconds (its histogram keeps whole ones).
 */
export async function load(port: number, request: SignedRequest, connections: number, seconds: number, path = "/"): Promise<LoadResult> {
  const run = await measure(port, request, connections, seconds, path);
  return { connections, seconds, throughput: run.ok / seconds, latency: summarize(run.samples), errors: run.errors };
}

interface Run {
  readonly ok: number;
  readonly errors: number;
  readonly samples: number[];
}

function measure(port: number, request: SignedRequest, connections: number, seconds: number, path: string): Promise<Run> {
  const samples: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}${path}`,
        connections,
        duration: seconds,
        method: "POST",
        headers: request.headers,
        body: request.body,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({ ok: result.requests.total - result.non2xx, errors: result.errors + result.timeouts + result.non2xx, samples });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      if (samples.length < 2_000_000) samples.push(responseTime);
    });
  });
}

export interface LoadTarget {
  readonly port: number;
  readonly request: SignedRequest;
}

/**
 * Load on several servers in turn: `rounds` rounds, each giving every server (in a shuffled
 * order) `seconds / rounds` of load, so that a change in the host's speed during the
 * measurement falls on all of them alike instead of on whichever ran in the slow stretch.
 * This host's speed drifts by ±10 % between consecutive seconds-long windows, more than a
 * 5 % target can tell apart from one window per server; the shorter the rounds, the less of
 * the drift one server can get alone. Each result is over all its rounds.
 */
export async function loadInTurns<K extends string>(targets: Readonly<Record<K, LoadTarget>>, connections: number, seconds: number, rounds: number): Promise<Record<K, LoadResult>> {
  const names = Object.keys(targets) as K[];
  const runs = new Map<K, Run[]>(names.map((name) => [name, []]));
  const each = seconds / rounds;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of shuffled(names)) {
      const target = targets[name];
      runs.get(name)?.push(await measure(target.port, target.request, connections, each, "/"));
    }
  }
  const results = {} as Record<K, LoadResult>;
  for (const name of names) {
    const mine = runs.get(name) ?? [];
    const ok = mine.reduce((sum, run) => sum + run.ok, 0);
    results[name] = { connections, seconds, throughput: ok / seconds, latency: summarize(mine.flatMap((run) => run.samples)), errors: mine.reduce((sum, run) => sum + run.errors, 0) };
  }
  return results;
}
