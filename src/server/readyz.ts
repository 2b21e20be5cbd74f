/**
 * `GET /readyz`: whether this node can serve invocations now: its metadata store answers a read,
 * and its runtime engine is ready (isolation decided, interpreters found, pools filling).
 * `/healthz` stays a constant answer for liveness probes. See docs/observability.md, "Health".
 */
import type { FastifyInstance } from "fastify";
import type { MetadataStore } from "../core/ports.js";

/** A check that takes longer than this counts as failed: a probe wants an answer, not a hang. */
export const READY_CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessSources {
  readonly store: Pick<MetadataStore, "getFunctionById">;
  /** Resolves once the engine can start instances; rejects when it never will. */
  readonly engineReady: () => Promise<void>;
}

type Check = "ok" | string;

export function registerReadiness(app: FastifyInstance, sources: ReadinessSources): void {
  app.get("/readyz", async (_request, reply) => {
    const [store, runtime] = await Promise.all([
      // A primary-key read that finds nothing: the store is reachable and answers queries.
      check(() => sources.store.getFunctionById("readyz-probe")),
      check(sources.engineReady),
    ]);
    const ready = store === "ok" && runtime === "ok";
    return reply.code(ready ? 200 : 503).header("cache-control", "no-store").send({ status: ready ? "ready" : "not ready", checks: { store, runtime } });
  });
}

/** "ok", or why not (the error, or the timeout). */
async function check(run: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([run().then((): Check => "ok", (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
