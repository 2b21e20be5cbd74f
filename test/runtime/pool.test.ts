import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { transition, type Engine, type EngineOptions } from "../../src/runtime/index.js";
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

void describe("when another instance starts", () => {
  /**
   * An engine with `opts`, a version of SLEEPY with a history (one cold call, then `warm`
   * sequential calls of `ms`: its start and call times are known), `use`, then the engine closed.
   */
  async function withHistory<T>(opts: Partial<EngineOptions>, ms: number, warm: number, use: (engine: Engine, sha: string) => Promise<T>): Promise<T> {
    const f = await fixture();
    const engine = f.engine(opts);
    try {
      const sha = await f.zip({ "index.js": SLEEPY });
      for (let i = 0; i <= warm; i++) assert.equal((await engine.invoke(request({ sha, event: { ms } }))).error, null);
      return await use(engine, sha);
    } finally {
      await engine.close();
    }
  }

  /** Instances running after eight concurrent calls of ~1 ms. */
  async function afterEightShortCalls(engine: Engine, sha: string): Promise<number> {
    const results = await Promise.all(Array.from({ length: 8 }, () => engine.invoke(request({ sha }))));
    for (const r of results) assert.equal(r.error, null);
    return engine.stats().total;
  }

  void it("short calls wait for the busy instance instead of starting one each; eager scale-out starts one each", async () => {
    const patient = await withHistory({ patientScaleOut: true, eagerInstances: 1 }, 0, 5, afterEightShortCalls);
    const eager = await withHistory({ patientScaleOut: false, eagerInstances: 1 }, 0, 5, afterEightShortCalls);
    assert.equal(eager, 8, "eager: a new instance for each call that found none idle");
    // Patient: eight calls of ~1 ms are served by the warm instance well within one start time.
    // (A stalled machine could make a call wait out a start: a second instance, still far from eight.)
    assert.ok(patient <= 2, `patient: ${patient} instances for 8 short calls`);
  });

  void it("up to eagerInstances (cores + 1 by default), short calls still start instances", async () => {
    // The first call takes the warm instance, the next two start instances 2 and 3, the rest wait for them.
    const total = await withHistory({ patientScaleOut: true, eagerInstances: 3 }, 0, 5, afterEightShortCalls);
    assert.ok(total >= 3 && total <= 4, `${total} instances for 8 short calls with eagerInstances 3`);
  });

  void it("long calls start another instance at once", async () => {
    await withHistory({ patientScaleOut: true, eagerInstances: 1 }, 1500, 0, async (engine, sha) => {
      const started = performance.now();
      const [a, b] = await Promise.all([engine.invoke(request({ sha, event: { ms: 1500 } })), engine.invoke(request({ sha, event: { ms: 1500 } }))]);
      assert.equal(a.error, null);
      assert.equal(b.error, null);
      assert.notEqual(a.result, b.result, "the second call ran on an instance of its own");
      assert.ok(performance.now() - started < 2900, "the calls ran side by side, not one after the other");
    });
  });

  void it("a call waits for a busy instance at most as long as a start takes, then starts one", async () => {
    await withHistory({ patientScaleOut: true, eagerInstances: 1 }, 0, 5, async (engine, sha) => {
      // The warm instance is held for 5 s; the version's history says calls are short, so the next call waits for it…
      const long = engine.invoke(request({ sha, event: { ms: 5000 }, timeoutSec: 10 }));
      await eventually(() => engine.stats().states.busy === 1, { timeoutMs: 2_000, what: "the long call holds the instance" });
      const short = await engine.invoke(request({ sha }));
      // …but not for the long call to end: after a start's time it starts an instance of its own.
      assert.equal(short.error, null);
      const held = await long;
      assert.equal(held.error, null);
      assert.notEqual(short.result, held.result);
      assert.ok(short.durationMs < 4000, `the short call took ${short.durationMs} ms`);
    });
  });
});
