import autocannon from "autocannon";
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
export function load(port: number, request: SignedRequest, connections: number, seconds: number, path = "/"): Promise<LoadResult> {
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
        const ok = result.requests.total - result.non2xx;
        resolve({ connections, seconds, throughput: ok / seconds, latency: summarize(samples), errors: result.errors + result.timeouts + result.non2xx });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      if (samples.length < 2_000_000) samples.push(responseTime);
    });
  });
}
