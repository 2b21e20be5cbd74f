/**
 * `GET /readyz` answers 200 only while the store answers and the runtime engine is ready, and
 * says which check failed otherwise; `/healthz` stays a constant answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { startQuiver } from "../helpers/quiver.js";

describe("/readyz", () => {
  it("is ready with the store reachable and the engine ready, and not once the store is gone", async () => {
    const server = await startQuiver();
    try {
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: "ready", checks: { store: "ok", runtime: "ok" } });

      // The store closed under the server: what a lost database looks like to a probe.
      await server.quiver.store.close();
      const gone = await fetch(`${server.url}/readyz`);
      assert.equal(gone.status, 503);
      const body = (await gone.json()) as { status: string; checks: { store: string; runtime: string } };
      assert.equal(body.status, "not ready");
      assert.match(body.checks.store, /^failed: /);
      assert.equal(body.checks.runtime, "ok");

      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200, "liveness does not depend on the store");
    } finally {
      await server.stop();
    }
  });
});
