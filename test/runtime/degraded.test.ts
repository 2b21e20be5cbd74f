import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { fixture, request } from "./helpers.js";

const HOG = "exports.main_handler = async (e) => { if (!e.hog) return 'fine'; const a = []; for (;;) { a.push(Buffer.alloc(16 << 20, 1)); await new Promise((r) => setTimeout(r, 5)); } };";

void describe("isolation: none (no privilege drop, no cgroups)", () => {
  void it("still enforces memory by polling RSS, then keeps serving", async () => {
    const f = await fixture();
    const warnings: unknown[] = [];
    const logger = { info() {}, warn: (o: unknown) => warnings.push(o), error() {} };
    const engine = f.engine({ isolation: "none", logger });
    try {
      const sha = await f.zip({ "index.js": HOG });
      const o = await engine.invoke(request({ sha, memoryMb: 64, timeoutSec: 20, event: { hog: true } }));
      assert.equal(o.error?.kind, "memory", JSON.stringify(o.error));
      assert.equal((await engine.invoke(request({ sha }))).result, '"fine"');
      assert.deepEqual(warnings, []);
    } finally {
      await engine.close();
    }
  });
});
