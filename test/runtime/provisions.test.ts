import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { fixture, request } from "./helpers.js";

/** Returns a token drawn once per process; exits the process when asked. */
const TOKEN = "const token = Math.random(); exports.main_handler = async (e) => { if (e.exit) process.exit(3); return token; };";

void describe("provisioned instances (engine)", () => {
  void it("keeps the count started however idle, replaces one that dies, releases them at 0", async () => {
    const f = await fixture();
    const engine = f.engine({ idleTimeoutMs: 100 });
    try {
      const kept = request({ sha: await f.zip({ "index.js": TOKEN }) });
      const other = request({ sha: await f.zip({ "index.js": `${TOKEN} // another version` }) });
      const key = kept.target.instanceKey;
      engine.provision(kept, 2);
      const state = await eventually(() => {
        const s = engine.provisionState(key);
        return s?.available === 2 ? s : null;
      }, { timeoutMs: 30_000, what: "two instances kept" });
      assert.deepEqual(state, { asked: 2, available: 2, failure: null });
      assert.equal(engine.stats().perKey[key]?.idle, 2);

      // An on-demand instance of another key idles out; the kept ones do not.
      assert.equal((await engine.invoke(other)).error, null);
      await eventually(() => engine.stats().perKey[other.target.instanceKey] === undefined, { timeoutMs: 30_000, what: "the on-demand instance retired for idleness" });
      assert.equal(engine.stats().perKey[key]?.instances, 2);

      // A kept instance that dies is replaced.
      const died = await engine.invoke({ ...kept, event: JSON.stringify({ exit: true }) });
      assert.equal(died.error?.kind, "exit");
      assert.equal(engine.provisionState(key)?.available, 1, "the dead one is not counted");
      await eventually(() => engine.provisionState(key)?.available === 2, { timeoutMs: 30_000, what: "a replacement" });

      engine.provision(kept, 0);
      assert.equal(engine.provisionState(key), null);
      await eventually(() => engine.stats().perKey[key] === undefined, { what: "the kept instances retired" });
    } finally {
      await engine.close();
    }
  });

  void it("reports why it cannot keep more than the machine runs, and what it does keep", async () => {
    const f = await fixture();
    const engine = f.engine({ maxInstancesTotal: 2 });
    try {
      const kept = request({ sha: await f.zip({ "index.js": TOKEN }) });
      engine.provision(kept, 3);
      const state = await eventually(() => {
        const s = engine.provisionState(kept.target.instanceKey);
        return s?.failure ? s : null;
      }, { timeoutMs: 30_000, what: "the failure" });
      assert.equal(state.asked, 3);
      assert.match(state.failure ?? "", /at most 2 instances \(--max-instances\)/);
      await eventually(() => engine.provisionState(kept.target.instanceKey)?.available === 2, { timeoutMs: 30_000, what: "the two that fit" });
    } finally {
      await engine.close();
    }
  });

  void it("a version whose handler cannot load fails with the reason and keeps nothing", async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const kept = request({ sha: await f.zip({ "index.js": TOKEN }), handler: "missing.main_handler" });
      engine.provision(kept, 1);
      const state = await eventually(() => engine.provisionState(kept.target.instanceKey)?.failure ?? null, { timeoutMs: 30_000, what: "the failure" });
      assert.match(state, /could not be loaded/);
      assert.equal(engine.provisionState(kept.target.instanceKey)?.available, 0);
      await eventually(() => (engine.stats().perKey[kept.target.instanceKey]?.instances ?? 0) === 0, { what: "no instance left" });
    } finally {
      await engine.close();
    }
  });
});
