import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import {
  buildRecord,
  capHead,
  capLog,
  InvocationRecorder,
  resultCodeOf,
  TRUNCATION_MARKER,
  type InvocationRecord,
  type RecordInput,
} from "../../src/core/invocation-records.js";
import type { InvocationErrorKind } from "../../src/core/invoke.js";

const SCOPE = { accountId: "acct", region: "ap-guangzhou" };

function input(extra: Partial<RecordInput["outcome"]> = {}): RecordInput {
  return {
    requestId: randomUUID(),
    scope: SCOPE,
    functionId: "f1",
    namespace: "default",
    functionName: "fn",
    qualifier: "$LATEST",
    versionName: "$LATEST",
    alias: null,
    source: "invoke",
    startedAt: 1_000,
    memoryMb: 128,
    outcome: { result: '"ok"', error: null, log: "hello\n", durationMs: 3, billedMs: 3, memoryUsedBytes: 1, ...extra },
  };
}

const CAPS = { maxLogBytes: 1024, maxResultBytes: 64 };

/** Collects what the recorder writes, batch by batch (the recorder's side of the store port). */
class BatchLog {
  readonly batches: InvocationRecord[][] = [];
  failNext = false;
  async insertInvocationRecords(records: readonly InvocationRecord[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("store down");
    }
    this.batches.push([...records]);
  }
  get stored(): number {
    return this.batches.reduce((n, b) => n + b.length, 0);
  }
}

describe("result codes", () => {
  it("maps every engine error kind to the record's result code", () => {
    const expected: Record<InvocationErrorKind | "none", string> = {
      none: "success",
      "user-error": "function-error",
      "handler-not-found": "function-error",
      exit: "function-error",
      "result-too-large": "function-error",
      "event-too-large": "function-error",
      timeout: "timeout",
      memory: "memory",
      "runtime-start-failed": "start-failure",
      "concurrency-limit": "throttled",
    };
    for (const [kind, code] of Object.entries(expected)) {
      assert.equal(resultCodeOf(kind === "none" ? null : (kind as InvocationErrorKind)), code, kind);
    }
  });
});

describe("caps", () => {
  it("keeps a text within the cap as it is", () => {
    assert.deepEqual(capHead("abc", 3), { text: "abc", truncated: false });
    assert.deepEqual(capLog("é".repeat(10), 20), { text: "é".repeat(10), truncated: false });
  });

  it("a result keeps its start, cut on a character boundary", () => {
    const cut = capHead("é".repeat(100), 101);
    assert.deepEqual(cut, { text: "é".repeat(50), truncated: true });
  });

  it("a log keeps its end after the marker, within the cap, no character split", () => {
    const log = `first line\n${"é".repeat(1000)}last line\n`;
    const cut = capLog(log, 301);
    assert.equal(cut.truncated, true);
    assert.ok(cut.text.startsWith(TRUNCATION_MARKER));
    assert.ok(cut.text.endsWith("élast line\n"));
    assert.ok(Buffer.byteLength(cut.text) <= 301);
    assert.ok(Buffer.byteLength(cut.text) >= 298, "only a split character's bytes are lost");
    assert.ok(!cut.text.includes("\uFFFD"));
  });

  it("builds a record with the log and result cut to the caps and the error's code and message", () => {
    const long = buildRecord(input({ log: "x".repeat(5000), result: `"${"y".repeat(100)}"` }), CAPS);
    assert.equal(Buffer.byteLength(long.log), 1024);
    assert.equal(long.logTruncated, true);
    assert.equal(long.result.length, 64);
    assert.equal(long.resultTruncated, true);
    assert.equal(long.resultCode, "success");
    const failed = buildRecord(input({ result: "", error: { kind: "timeout", message: "took too long" } }), CAPS);
    assert.equal(failed.resultCode, "timeout");
    assert.equal(failed.errorMessage, "took too long");
    assert.equal(failed.logTruncated, false);
  });
});

describe("InvocationRecorder", () => {
  it("only queues on record, then writes in batches of at most batchSize", async () => {
    const store = new BatchLog();
    const recorder = new InvocationRecorder({ store, caps: CAPS, batchMs: 10_000, batchSize: 500 });
    for (let i = 0; i < 1_200; i += 1) recorder.recordOutcome(input());
    assert.equal(store.batches.length, 0, "nothing written while the caller runs");
    // A full batch is written without waiting for batchMs.
    await eventually(() => store.stored >= 1_000, { what: "two full batches written" });
    await recorder.close();
    assert.deepEqual(store.batches.map((b) => b.length), [500, 500, 200]);
  });

  it("writes a partial batch after batchMs", async () => {
    const store = new BatchLog();
    const recorder = new InvocationRecorder({ store, batchMs: 20 });
    recorder.recordOutcome(input());
    recorder.recordOutcome(input());
    await eventually(() => store.stored === 2, { what: "the batch written by its timer" });
    assert.equal(store.batches.length, 1);
    await recorder.close();
  });

  it("close writes what is queued and takes nothing after", async () => {
    const store = new BatchLog();
    const recorder = new InvocationRecorder({ store, batchMs: 60_000 });
    const records = [recorder.recordOutcome(input()), recorder.recordOutcome(input()), recorder.recordOutcome(input())];
    await recorder.close();
    assert.deepEqual(store.batches, [records]);
    recorder.recordOutcome(input());
    await recorder.flush();
    assert.equal(store.stored, 3);
  });

  it("tells subscribers of each record as it is queued, until they unsubscribe", async () => {
    const store = new BatchLog();
    const recorder = new InvocationRecorder({ store, batchMs: 60_000 });
    const heard: string[] = [];
    const unsubscribe = recorder.subscribe((r) => heard.push(r.requestId));
    const first = recorder.recordOutcome(input());
    assert.deepEqual(heard, [first.requestId], "heard before any write");
    unsubscribe();
    recorder.recordOutcome(input());
    assert.equal(heard.length, 1);
    await recorder.close();
  });

  it("a failing listener or store loses nothing else and is reported", async () => {
    const store = new BatchLog();
    const errors: [string, number][] = [];
    const recorder = new InvocationRecorder({ store, batchMs: 60_000, onError: (e, n) => errors.push([(e as Error).message, n]) });
    recorder.subscribe(() => {
      throw new Error("listener broke");
    });
    store.failNext = true;
    recorder.recordOutcome(input());
    await recorder.flush();
    assert.equal(store.stored, 0);
    recorder.recordOutcome(input());
    await recorder.close();
    assert.equal(store.stored, 1, "the next batch is written");
    assert.deepEqual(errors, [["listener broke", 0], ["store down", 1], ["listener broke", 0]]);
  });

  it("with records off, listeners still hear every record and nothing is queued", async () => {
    const recorder = new InvocationRecorder({ store: null });
    let heard = 0;
    recorder.subscribe(() => (heard += 1));
    recorder.recordOutcome(input());
    await recorder.close();
    assert.equal(heard, 1);
  });

  it("while the store is busy, keeps at most maxQueued records waiting and drops the oldest", async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const written: InvocationRecord[][] = [];
    const slow = {
      async insertInvocationRecords(records: readonly InvocationRecord[]): Promise<void> {
        await gate;
        written.push([...records]);
      },
    };
    const dropped: number[] = [];
    const recorder = new InvocationRecorder({ store: slow, batchMs: 60_000, batchSize: 10, maxQueued: 20, onError: (_, n) => dropped.push(n) });
    // A full batch schedules its write on a 0 ms timer; a 1 ms timer set after it runs after
    // it, so each round below lets the recorder act on what was just queued.
    const recorderTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));
    const first = Array.from({ length: 10 }, () => recorder.recordOutcome(input()));
    await recorderTurn(); // the first batch goes to the store, which holds it
    const later: InvocationRecord[] = [];
    for (let round = 0; round < 5; round += 1) {
      later.push(...Array.from({ length: 10 }, () => recorder.recordOutcome(input())));
      await recorderTurn();
    }
    assert.equal(dropped.reduce((a, b) => a + b, 0), 30, "the batch being written is out of the queue; 50 more fit 20");
    release();
    await recorder.close();
    assert.deepEqual(written, [first, later.slice(30, 40), later.slice(40)]);
  });

  it("drops the oldest records beyond maxQueued and says how many", async () => {
    const store = new BatchLog();
    const dropped: number[] = [];
    const recorder = new InvocationRecorder({ store, batchMs: 60_000, batchSize: 100, maxQueued: 5, onError: (_, n) => dropped.push(n) });
    const records = Array.from({ length: 7 }, () => recorder.recordOutcome(input()));
    await recorder.close();
    assert.deepEqual(dropped, [1, 1]);
    assert.deepEqual(store.batches, [records.slice(2)]);
  });
});
