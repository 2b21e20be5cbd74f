import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, it } from "../helpers/node-test.js";
import { fixture, request } from "./helpers.js";

const STARTS = 200;
/** A Python interpreter starts in well under 0.5 s; a lost `ready` message costs the whole start timeout. */
const MAX_START_MS = 2_000;

/**
 * Keeps the libuv threadpool busy with durable writes, as concurrent uploads and publishes do on
 * a working server. The engine's own file operations (sandbox set-up, cgroup membership) then
 * queue behind them, so a child can report ready before the engine has finished adopting it:
 * exactly the window in which a start used to lose its `ready` message.
 */
function fsyncLoad(dir: string, writers: number): { stop(): Promise<void> } {
  let running = true;
  const writer = async (i: number): Promise<void> => {
    const file = await open(join(dir, `load-${i}`), "w");
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      while (running) {
        await file.write(block, 0, block.length, 0);
        await file.sync();
      }
    } finally {
      await file.close();
    }
  };
  const all = Promise.all(Array.from({ length: writers }, (_, i) => writer(i)));
  return {
    async stop() {
      running = false;
      await all;
    },
  };
}

void describe("process start-up", () => {
  void it(`${STARTS} Python cold starts without a pool, on a server busy with durable writes, each take under ${MAX_START_MS} ms`, { timeout: 240_000 }, async () => {
    const f = await fixture();
    // A start timeout well above the bound: a start that misses its `ready` fails the bound, not the call.
    const engine = f.engine({ startTimeoutMs: 5_000, maxInstancesTotal: 8 });
    const sha = await f.zip({ "index.py": "def main_handler(event, context):\n    return event['n']\n" });
    // Extract the code once before the load starts; the bound is about process starts.
    assert.equal((await engine.invoke(request({ sha, family: "python", key: "extract", event: { n: -1 } }))).error, null);
    engine.retire("extract");
    const load = fsyncLoad(f.dir, 3);
    try {
      const slow: string[] = [];
      for (let n = 0; n < STARTS; n++) {
        // A new instance key each time: every call starts a fresh process (no stem cells here).
        const key = `start-${n}`;
        const t0 = performance.now();
        const out = await engine.invoke(request({ sha, family: "python", key, event: { n } }));
        const ms = performance.now() - t0;
        assert.equal(out.error, null, `start ${n}: ${JSON.stringify(out.error)}`);
        assert.equal(out.result, String(n));
        if (ms > MAX_START_MS) slow.push(`start ${n}: ${Math.round(ms)} ms`);
        engine.retire(key);
      }
      assert.deepEqual(slow, [], "no cold start may take longer than the bound");
    } finally {
      await load.stop();
      await engine.close();
    }
  });
});
