/**
 * The engine's live output: listeners get what each invocation prints, with its request id,
 * while it runs; an instance already running when the first listener comes is heard too; after
 * the last listener leaves, nothing is handed on. Cold starts are reported once per new instance.
 */
import assert from "node:assert/strict";
import type { OutputChunk } from "../../src/core/invoke.js";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { fixture, request, type Fixture } from "./helpers.js";

const PRINTER = `
exports.main_handler = async (e) => {
  console.log("out " + e.tag);
  console.error("err " + e.tag);
  await new Promise((r) => setTimeout(r, e.ms || 0));
  return e.tag;
};
`;

/**
 * Call 1 prints far more than a pipe holds (64 KiB) and more than the engine reads from a pipe
 * in one turn of its event loop (libuv: 32 reads of 64 KiB), so part of it is read after the
 * result, while call 2, sent at once, runs; call 2 prints one short line. Each call's text is
 * one character repeated, so a byte heard under the other call's request id shows. (Node queues
 * what the full pipe does not take and answers at once: without the byte counts, its run fails
 * every time. Python's writes block until the pipe took them, so its late reads are rarer.)
 */
const FLOOD_BYTES = 4 * 1024 * 1024;
const FLOODERS = {
  nodejs: {
    "index.js": `exports.main_handler = async (e) => { process.stdout.write(e.flood ? "a".repeat(${FLOOD_BYTES}) : "b\\n"); return null; };`,
  },
  python: {
    "index.py": `import sys\n\ndef main_handler(e, ctx):\n    sys.stdout.write("a" * ${FLOOD_BYTES} if e.get("flood") else "b\\n")\n    return None\n`,
  },
} as const;

/**
 * An engine for the flood: its idle instance is not frozen while the test waits. With the
 * default grace (100 ms), a loaded host can freeze the instance after the second call answers
 * but before Node has written all the flood it queued. The rest of the flood, and the second
 * call's line behind it in the pipe, is then never read, and the wait times out.
 */
const UNFROZEN = { freezeAfterMs: 60_000 };

/**
 * Late output made certain: with `hold`, the call prints while stdout is corked. The bootstrap
 * counts the bytes when they are written, so its result covers them, but they stay in the
 * process until the next call uncorks stdout and prints one line. The engine then reads them
 * while the next call runs: they are owed to the held call, which answered before.
 */
const HELD_BYTES = 8 * 1024;
const HOLDER = `
exports.main_handler = async (e) => {
  if (e.hold) {
    process.stdout.cork();
    process.stdout.write("a".repeat(${HELD_BYTES}));
  } else {
    process.stdout.uncork();
    process.stdout.write("b\\n");
  }
  return null;
};
`;

async function floodThenMark(f: Fixture, family: keyof typeof FLOODERS): Promise<void> {
  const engine = f.engine(UNFROZEN);
  try {
    const sha = await f.zip(FLOODERS[family]);
    const heard: OutputChunk[] = [];
    const stop = engine.watchOutput((chunk) => heard.push(chunk));
    const flood = request({ sha, family, event: { flood: true } });
    const mark = request({ sha, family, event: {} });
    assert.equal((await engine.invoke(flood)).error, null);
    assert.equal((await engine.invoke(mark)).error, null);
    const textOf = (requestId: string): string => heard.filter((c) => c.requestId === requestId).map((c) => c.text).join("");
    await eventually(() => textOf(flood.requestId).length + textOf(mark.requestId).length >= FLOOD_BYTES + 2, { what: "every byte both calls printed" });
    stop();
    assert.equal(textOf(mark.requestId), "b\n", "the second call is heard with exactly what it printed");
    assert.equal(textOf(flood.requestId), "a".repeat(FLOOD_BYTES), "the first call is heard with all it printed, however late it was read");
  } finally {
    await engine.close();
  }
}

describe("engine output listeners", () => {
  it("attribute output read after a call's result to that call, not the next (Node)", async () => floodThenMark(await fixture(), "nodejs"));
  it("attribute output read after a call's result to that call, not the next (Python)", async () => floodThenMark(await fixture(), "python"));

  it("do not hear what a call printed before they came, however late the engine reads it", async () => {
    const f = await fixture();
    const engine = f.engine(UNFROZEN);
    try {
      const sha = await f.zip(FLOODERS.nodejs);
      assert.equal((await engine.invoke(request({ sha, event: { flood: true } }))).error, null);
      // Most of the flood is still unread (see FLOOD_BYTES) when the listener comes.
      const heard: OutputChunk[] = [];
      const stop = engine.watchOutput((chunk) => heard.push(chunk));
      const mark = request({ sha, event: {} });
      assert.equal((await engine.invoke(mark)).error, null);
      await eventually(() => heard.some((c) => c.text.includes("b")), { what: "the second call's line" });
      stop();
      assert.deepEqual(heard.map((c) => [c.requestId, c.text]), [[mark.requestId, "b\n"]], "only the call made while listening is heard");
    } finally {
      await engine.close();
    }
  });

  it("do not hear a call's late output when they came after it answered, though an earlier listener does", async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const sha = await f.zip({ "index.js": HOLDER });
      const first: OutputChunk[] = [];
      const stopFirst = engine.watchOutput((chunk) => first.push(chunk));
      const held = request({ sha, event: { hold: true } });
      assert.equal((await engine.invoke(held)).error, null);
      const textOf = (heard: OutputChunk[], requestId: string): string => heard.filter((c) => c.requestId === requestId).map((c) => c.text).join("");
      assert.equal(textOf(first, held.requestId), "", "the held output is not read before the next call lets it go");
      const second: OutputChunk[] = [];
      const stopSecond = engine.watchOutput((chunk) => second.push(chunk));
      const mark = request({ sha, event: {} });
      assert.equal((await engine.invoke(mark)).error, null);
      // Both listeners are handed each chunk in the same turn: once the first has it all, so has the second.
      await eventually(() => textOf(first, held.requestId).length + textOf(first, mark.requestId).length >= HELD_BYTES + 2, { what: "every byte both calls printed, to the first listener" });
      stopSecond();
      stopFirst();
      assert.equal(textOf(first, held.requestId), "a".repeat(HELD_BYTES), "the listener there when the held call answered hears all it printed");
      assert.equal(textOf(first, mark.requestId), "b\n");
      // Named and shortened, so a failure shows which call a chunk was heard under.
      const brief = (c: OutputChunk): [string, string] => [c.requestId === held.requestId ? "held" : c.requestId === mark.requestId ? "mark" : c.requestId, c.text.length > 16 ? `${c.text.length} bytes` : c.text];
      assert.deepEqual(second.map(brief), [["mark", "b\n"]], "the later listener hears only the call made while it listened");
    } finally {
      await engine.close();
    }
  });

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
