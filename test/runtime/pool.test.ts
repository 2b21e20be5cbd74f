import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { transition } from "../../src/runtime/index.js";
import { eventually } from "../helpers/eventually.js";
import { fixture, request } from "./helpers.js";

/** Returns a token drawn once per process: it tells instances apart (sandboxed processes all see pid 2). */
const SLEEPY = "const token = Math.random(); exports.main_handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return token; };";

void describe("instance state machine", () => {
  void it("allows the lifecycle and rejects illegal moves", () => {
    assert.equal(transition("starting", "idle"), "idle");
    assert.equal(transition("idle", "busy"), "busy");
    assert.equal(transition("busy", "idle"), "idle");
    assert.equal(transition("busy", "retiring"), "retiring");
    assert.throws(() => transition("dead", "idle"), /illegal/);
    assert.throws(() => transition("retiring", "busy"), /illegal/);
    assert.throws(() => transition("starting", "busy"), /illegal/);
  });
});

void describe("pool limits", () => {
  void it("caps instances per function, queues, then rejects with concurrency-limit", async () => {
    const f = await fixture();
    const engine = f.engine({ maxInstancesPerFunction: 1, queueLimit: 1 });
    try {
      const sha = await f.zip({ "index.js": SLEEPY });
      const [a, b, c] = await Promise.all([
        engine.invoke(request({ sha, event: { ms: 300 } })),
        engine.invoke(request({ sha, event: { ms: 0 } })),
        engine.invoke(request({ sha, event: { ms: 0 } })),
      ]);
      assert.equal(a.error, null);
      assert.equal(b.error, null, "the queued call is served by the same instance");
      assert.equal(b.result, a.result);
      assert.equal(c.error?.kind, "concurrency-limit");
      assert.equal(engine.stats().total, 1);
    } finally {
      await engine.close();
    }
  });

  void it("fails a queued call after queueTimeoutMs", async () => {
    const f = await fixture();
    const engine = f.engine({ maxInstancesPerFunction: 1, queueTimeoutMs: 100 });
    try {
      const sha = await f.zip({ "index.js": SLEEPY });
      const [a, b] = await Promise.all([engine.invoke(request({ sha, event: { ms: 600 } })), engine.invoke(request({ sha }))]);
      assert.equal(a.error, null);
      assert.equal(b.error?.kind, "concurrency-limit");
    } finally {
      await engine.close();
    }
  });

  void it("evicts idle instances of other functions at the global cap", async () => {
    const f = await fixture();
    const engine = f.engine({ maxInstancesTotal: 1 });
    try {
      const sha = await f.zip({ "index.js": SLEEPY });
      const a = await engine.invoke(request({ sha, key: "a" }));
      const b = await engine.invoke(request({ sha, key: "b" }));
      assert.equal(a.error, null);
      assert.equal(b.error, null);
      assert.notEqual(a.result, b.result);
      assert.equal(engine.stats().total, 1);
      assert.deepEqual(Object.keys(engine.stats().perKey), ["b"]);
    } finally {
      await engine.close();
    }
  });

  void it("retires idle instances after idleTimeoutMs", async () => {
    const f = await fixture();
    const engine = f.engine({ idleTimeoutMs: 150 });
    try {
      const sha = await f.zip({ "index.js": SLEEPY });
      const a = await engine.invoke(request({ sha }));
      assert.equal(engine.stats().states.idle, 1);
      await eventually(() => engine.stats().total === 0, { timeoutMs: 2_000, what: "the idle instance retires" });
      assert.equal(engine.stats().total, 0);
      const b = await engine.invoke(request({ sha }));
      assert.notEqual(b.result, a.result, "a new process serves after retirement");
    } finally {
      await engine.close();
    }
  });
});
