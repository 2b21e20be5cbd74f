/**
 * Each load ends by rehearsing a call (the bootstraps' rehearseCall / rehearse_call) so that an
 * instance's first call costs what its second does. The rehearsal runs a stand-in handler and
 * sends nothing: the function must never see it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, succeeded, type Fixture } from "./helpers.js";

void describe("the call a load rehearses", () => {
  let f: Fixture;
  let engine: Engine;
  before(async () => {
    f = await fixture();
    engine = f.engine();
  });
  after(() => engine.close());

  void it("Node.js: the first call is call 1, with its own event, context and log", async () => {
    const sha = await f.zip({
      "index.js": [
        "let calls = 0; const seen = [];",
        "exports.main_handler = async (e, ctx) => { calls += 1; seen.push(e); console.log('call', calls); return { calls, seen, id: ctx.request_id, src: process.env.TRIGGER_SRC ?? null }; };",
      ].join("\n"),
    });
    const first = await engine.invoke(request({ sha, event: { n: 1 } }));
    assert.deepEqual(succeeded(first), { calls: 1, seen: [{ n: 1 }], id: first.requestId, src: null });
    assert.equal(first.log, "call 1\n");
    const second = await engine.invoke(request({ sha, event: { n: 2 } }));
    assert.deepEqual(succeeded(second), { calls: 2, seen: [{ n: 1 }, { n: 2 }], id: second.requestId, src: null });
    assert.equal(second.log, "call 2\n");
  });

  void it("Python: the first call is call 1, with its own event, context and log", async () => {
    const sha = await f.zip({
      "index.py": [
        "import os",
        "calls = []",
        "def main_handler(event, context):",
        "    calls.append(event)",
        "    print('call', len(calls))",
        "    return {'calls': len(calls), 'seen': calls, 'id': context['request_id'], 'src': os.environ.get('TRIGGER_SRC')}",
      ].join("\n"),
    });
    const first = await engine.invoke(request({ sha, family: "python", event: { n: 1 } }));
    assert.deepEqual(succeeded(first), { calls: 1, seen: [{ n: 1 }], id: first.requestId, src: null });
    assert.equal(first.log, "call 1\n");
    const second = await engine.invoke(request({ sha, family: "python", event: { n: 2 } }));
    assert.deepEqual(succeeded(second), { calls: 2, seen: [{ n: 1 }, { n: 2 }], id: second.requestId, src: null });
  });


  void it("a module that leaves a rejected promise at load fails its start, as without the rehearsal", async () => {
    const sha = await f.zip({ "index.js": "Promise.reject(new Error('rejected at load'));\nexports.main_handler = async () => 'ran';" });
    const o = await engine.invoke(request({ sha }));
    assert.notEqual(o.error, null, `the call ran: ${o.result}`);
  });
});
