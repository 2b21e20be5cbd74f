/**
 * The engine's live output: listeners get what each invocation prints, with its request id,
 * while it runs; an instance already running when the first listener comes is heard too; after
 * the last listener leaves, nothing is handed on. Cold starts are reported once per new instance.
 */
import assert from "node:assert/strict";
import type { OutputChunk } from "../../src/core/invoke.js";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { fixture, request } from "./helpers.js";

const PRINTER = `
exports.main_handler = async (e) => {
  console.log("out " + e.tag);
  console.error("err " + e.tag);
  await new Promise((r) => setTimeout(r, e.ms || 0));
  return e.tag;
};
`;

describe("engine output listeners", () => {
  it("hear each invocation's stdout and stderr with its request id, only while they listen", async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const sha = await f.zip({ "index.js": PRINTER });
      const colds: string[] = [];
      const stopCold = engine.watchColdStarts((target) => colds.push(target.version));
      // Warm an instance before anyone listens: it must be heard once someone does.
      assert.equal((await engine.invoke(request({ sha, event: { tag: "unheard" } }))).error, null);
      const heard: OutputChunk[] = [];
      const stop = engine.watchOutput((chunk) => heard.push(chunk));
      const req = { ...request({ sha, event: { tag: "heard", ms: 200 } }), qualifier: "prod" };
      const running = engine.invoke(req);
      const line = await eventually(() => heard.find((c) => c.text.includes("out heard")), { what: "the line printed while the invocation runs" });
      assert.equal(line.requestId, req.requestId);
      assert.equal(line.stream, "stdout");
      assert.equal(line.qualifier, "prod");
      assert.equal(line.target.functionId, req.target.functionId);
      assert.equal((await running).error, null);
      await eventually(() => heard.find((c) => c.stream === "stderr" && c.text.includes("err heard")), { what: "the stderr line" });
      assert.equal(heard.some((c) => c.text.includes("unheard")), false, "nothing from before the listener came");
      stop();
      const after = await engine.invoke(request({ sha, event: { tag: "after" } }));
      assert.equal(after.error, null);
      assert.match(after.log, /out after/, "the invocation's own log still has its output");
      assert.equal(heard.some((c) => c.text.includes("after")), false, "nothing once the listener left");
      assert.deepEqual(colds, ["$LATEST"], "one cold start: the later calls ran warm");
      stopCold();
    } finally {
      await engine.close();
    }
  });
});
