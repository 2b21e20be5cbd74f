/**
 * TRIGGER_SRC: a call a timer made sees `TRIGGER_SRC=timer`, that call only. Warm instances are
 * shared with API invocations, so the next call on the same process must not see it, and a
 * TRIGGER_SRC of the function's own environment comes back after the timer's call.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { HandlerConvention } from "../../src/core/invoke.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, type Fixture } from "./helpers.js";

const NODE = "exports.main_handler = async (event, context) => ({ src: process.env.TRIGGER_SRC ?? null, pid: process.pid, keys: Object.keys(typeof context.getRequestID === 'function' ? {} : context) });";
const PYTHON = [
  "import os",
  "def main_handler(event, context):",
  "    keys = list(context.keys()) if isinstance(context, dict) else []",
  "    return {'src': os.environ.get('TRIGGER_SRC'), 'pid': os.getpid(), 'keys': keys}",
].join("\n");

interface Seen {
  readonly src: string | null;
  readonly pid: number;
  readonly keys: string[];
}

void describe("TRIGGER_SRC for a timer's call only", () => {
  let f: Fixture;
  let engine: Engine;
  before(async () => {
    f = await fixture();
    engine = f.engine();
  });
  after(() => engine.close());

  const cases: { family: "nodejs" | "python"; convention: HandlerConvention; files: Record<string, string>; values: Record<string, string> }[] = [
    { family: "nodejs", convention: "scf", files: { "index.js": NODE }, values: { appId: "1250000000", uin: "100000000001" } },
    { family: "nodejs", convention: "fgs", files: { "index.js": NODE }, values: { projectId: "p1", package: "default" } },
    { family: "python", convention: "scf", files: { "index.py": PYTHON }, values: { appId: "1250000000", uin: "100000000001" } },
    { family: "python", convention: "fgs", files: { "index.py": PYTHON }, values: { projectId: "p1", package: "default" } },
  ];

  for (const { family, convention, files, values } of cases) {
    void it(`${family}, ${convention} conventions: set for the timer's call, gone after it, the function's own back`, async () => {
      const sha = await f.zip(files);
      const call = async (triggerSrc: string | null, environment: Record<string, string> = {}): Promise<Seen> => {
        const contextValues = triggerSrc === null ? values : { ...values, triggerSrc };
        const o = await engine.invoke(request({ sha, family, convention, contextValues, environment, key: `${sha}:${JSON.stringify(environment)}` }));
        assert.equal(o.error, null, JSON.stringify(o.error));
        return JSON.parse(o.result) as Seen;
      };
      const fired = await call("timer");
      assert.equal(fired.src, "timer");
      assert.ok(!fired.keys.includes("triggerSrc"), "the SCF context object does not carry it");
      const api = await call(null);
      assert.equal(api.pid, fired.pid, "the same warm instance");
      assert.equal(api.src, null, "an API call after a timer's does not see it");

      const own = { TRIGGER_SRC: "mine" };
      assert.equal((await call("timer", own)).src, "timer");
      assert.equal((await call(null, own)).src, "mine", "the function's own value comes back");
    });
  }
});
