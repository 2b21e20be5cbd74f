/** The child protocol's decoder and framing, without processes (hostile-children.test.ts runs them). */
import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { LineFrames } from "../../src/runtime/channel.js";
import { childProtocol, ERROR_TEXT_CHARS } from "../../src/runtime/protocol.js";

const limits = { maxResultBytes: 100, logTailBytes: 50 };
const protocol = childProtocol(limits);
const frame = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const res = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ t: "res", r: '"ok"', err: null, log: "", rss: 1, stdout: 0, stderr: 0, ...over });

function refused(v: unknown, detail: RegExp): void {
  const m = protocol.decode(Buffer.isBuffer(v) ? v : frame(v));
  assert.equal(m.t, "violation", JSON.stringify(m));
  assert.match(m.t === "violation" ? m.detail : "", detail);
}

void describe("child protocol: the schema", () => {
  void it("accepts every message a bootstrap sends", () => {
    assert.deepEqual(protocol.decode(frame({ t: "ready" })), { t: "ready" });
    assert.deepEqual(protocol.decode(frame({ t: "loaded", err: null })), { t: "loaded", err: null });
    const notFound = { kind: "handler-not-found", message: "no", stack: "" };
    assert.deepEqual(protocol.decode(frame({ t: "loaded", err: notFound })), { t: "loaded", err: notFound });
    assert.deepEqual(protocol.decode(frame({ t: "loaded", err: null, stdout: 12, stderr: 3 })), { t: "loaded", err: null, stdout: 12, stderr: 3 });
    assert.deepEqual(protocol.decode(frame(res())), res());
    assert.deepEqual(protocol.decode(frame(res({ retire: true, err: { kind: "user-error", message: "m", stack: "s" }, r: "" }))), res({ retire: true, err: { kind: "user-error", message: "m", stack: "s" }, r: "" }));
  });

  void it("accepts texts exactly at their limits", () => {
    const r = "é".repeat(50); // 100 bytes in 50 code units
    const m = protocol.decode(frame(res({ r, log: "\u0001".repeat(50), err: { kind: "user-error", message: "m".repeat(ERROR_TEXT_CHARS), stack: "" } })));
    assert.equal(m.t, "res");
  });

  void it("refuses what is not JSON", () => refused(Buffer.from("not json"), /not JSON/));
  void it("refuses an unknown message type", () => refused({ t: "hello" }, /invalid message: t/));
  void it("refuses a message that is not an object", () => refused("ready", /invalid message/));
  void it("refuses a missing field", () => refused({ t: "loaded" }, /invalid message: err/));
  void it("refuses a field of the wrong type", () => refused(res({ r: 42 }), /invalid message: r/));
  void it("refuses a field the protocol does not have", () => refused(res({ extra: 1 }), /invalid message/));
  void it("refuses an error kind only the engine may decide", () => {
    refused(res({ err: { kind: "timeout", message: "", stack: "" } }), /invalid message: err\.kind/);
    refused(res({ err: { kind: "concurrency-limit", message: "", stack: "" } }), /invalid message: err\.kind/);
  });
  void it("refuses a result over maxResultBytes, in code units or in bytes", () => {
    refused(res({ r: "x".repeat(101) }), /invalid message: r/);
    refused(res({ r: "é".repeat(51) }), /invalid message: r: result exceeds 100 bytes/);
  });
  void it("refuses a log over logTailBytes", () => refused(res({ log: "x".repeat(51) }), /invalid message: log/));
  void it("refuses error texts over the limit", () => {
    refused(res({ err: { kind: "user-error", message: "m".repeat(ERROR_TEXT_CHARS + 1), stack: "" } }), /invalid message: err\.message/);
    refused(res({ err: { kind: "user-error", message: "", stack: "s".repeat(ERROR_TEXT_CHARS + 1) } }), /invalid message: err\.stack/);
  });
  void it("refuses an impossible rss", () => {
    refused(res({ rss: -1 }), /invalid message: rss/);
    refused(res({ rss: 1.5 }), /invalid message: rss/);
  });
  void it("refuses a result without its output counts, or with impossible ones", () => {
    const { stdout, ...noStdout } = res();
    assert.equal(stdout, 0);
    refused(noStdout, /invalid message: stdout/);
    refused(res({ stderr: -1 }), /invalid message: stderr/);
    refused(res({ stdout: 0.5 }), /invalid message: stdout/);
    refused(res({ stdout: 2 ** 60 }), /invalid message: stdout/);
    refused(res({ stderr: "1" }), /invalid message: stderr/);
    refused({ t: "loaded", err: null, stdout: -1 }, /invalid message: stdout/);
  });
  void it("refuses every other malformed result (the hand-written check of results and the schema agree)", () => {
    const { err, ...noErr } = res();
    assert.equal(err, null);
    refused(noErr, /invalid message: err/);
    refused(res({ err: { kind: "user-error", message: "", stack: "", extra: 1 } }), /invalid message/);
    refused(res({ err: { kind: "user-error", message: "" } }), /invalid message: err\.stack/);
    refused(res({ err: ["user-error", "", ""] }), /invalid message: err/);
    refused(res({ retire: "yes" }), /invalid message: retire/);
    refused(res({ rss: 2 ** 60 }), /invalid message: rss/);
    refused(res({ rss: "1" }), /invalid message: rss/);
    refused(Buffer.from('{"t":"res","r":"","err":null,"log":"","rss":1,"stdout":0,"stderr":0,"__proto__":{}}'), /invalid message/);
    refused([res()], /invalid message/);
  });
  void it("never echoes the child's bytes in the violation", () => {
    const m = protocol.decode(frame({ t: "secret-looking-type" }));
    assert.equal(m.t, "violation");
    assert.doesNotMatch(m.t === "violation" ? m.detail : "", /secret/);
  });

  void it("bounds frames by what the largest valid message needs", () => {
    const largest = frame(res({ r: '"'.repeat(100), rss: Number.MAX_SAFE_INTEGER, stdout: Number.MAX_SAFE_INTEGER, stderr: Number.MAX_SAFE_INTEGER, retire: false, log: "\u0001".repeat(50), err: { kind: "user-error", message: "\u0001".repeat(ERROR_TEXT_CHARS), stack: "\u0001".repeat(ERROR_TEXT_CHARS) } }));
    assert.ok(largest.length <= protocol.maxFrameBytes, `${largest.length} > ${protocol.maxFrameBytes}`);
    assert.equal(protocol.decode(largest).t, "res");
  });
});

void describe("child protocol: line framing", () => {
  void it("splits frames within and across chunks", () => {
    const lines = new LineFrames(100);
    assert.deepEqual(lines.push(Buffer.from("a\nbc")), [Buffer.from("a")]);
    assert.deepEqual(lines.push(Buffer.from("d")), []);
    assert.deepEqual(lines.push(Buffer.from("e\n\nf\n")), [Buffer.from("bcde"), Buffer.from(""), Buffer.from("f")]);
  });

  void it("keeps a multi-byte character split across chunks whole", () => {
    const bytes = Buffer.from('{"t":"ré"}\n');
    const lines = new LineFrames(100);
    assert.deepEqual(lines.push(bytes.subarray(0, 8)), []);
    assert.equal(lines.push(bytes.subarray(8))?.[0]?.toString(), '{"t":"ré"}');
  });

  void it("refuses a frame over the limit before its end arrives", () => {
    const lines = new LineFrames(10);
    assert.deepEqual(lines.push(Buffer.from("0123456789")), []);
    assert.equal(lines.push(Buffer.from("0")), null);
    assert.equal(new LineFrames(10).push(Buffer.from("0123456789A\n")), null);
    assert.deepEqual(new LineFrames(10).push(Buffer.from("0123456789\n")), [Buffer.from("0123456789")]);
  });
});
