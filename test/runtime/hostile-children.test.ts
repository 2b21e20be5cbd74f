/**
 * Functions that write to the control channel (fd 3) themselves: garbage, messages of unknown
 * or malformed shape, out-of-turn messages, oversized frames. Each must fail its own invocation
 * with a clear error and retire the instance, while the engine (this process) keeps serving.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { InvocationOutcome } from "../../src/core/invoke.js";
import type { Engine } from "../../src/runtime/index.js";
import { ERROR_TEXT_CHARS } from "../../src/runtime/protocol.js";
import { fixture, request, type Fixture, type RequestSpec } from "./helpers.js";

// fd 3 is non-blocking in a Node child (the bootstrap's socket set it so): retry on EAGAIN.
const NODE = `
const fs = require('fs');
function write(data) {
  const b = Buffer.from(data);
  for (let at = 0; at < b.length;) {
    try { at += fs.writeSync(3, b, at); } catch (e) { if (e.code !== 'EAGAIN') throw e; }
  }
}
// Which instance answered: pids repeat, one pid namespace per sandbox.
const INSTANCE = require('crypto').randomUUID();
const line = (m) => write(JSON.stringify(m) + '\\n');
exports.main_handler = async (e) => {
  switch (e.mode) {
    case 'garbage': write('not json\\n'); return 'sent';
    case 'ipc-frame': write(Buffer.from([0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef])); return 'sent';
    case 'unknown': line({ t: 'hello' }); return new Promise(() => {});
    case 'malformed': line({ t: 'res', r: 42, err: null, log: '', rss: 0, stdout: 0, stderr: 0 }); return new Promise(() => {});
    case 'forged-kind': line({ t: 'res', r: '', err: { kind: 'concurrency-limit', message: 'x', stack: '' }, log: '', rss: 0, stdout: 0, stderr: 0 }); return new Promise(() => {});
    case 'out-of-turn': line({ t: 'loaded', err: null }); return new Promise(() => {});
    case 'oversized': write(Buffer.alloc(e.bytes, 0x78)); return 'sent';
    case 'after-result': setImmediate(() => line({ t: 'ready' })); return INSTANCE;
    case 'huge-error': throw new Error('x'.repeat(100000));
    default: return INSTANCE;
  }
};
`;

const PY = `
import os

def main_handler(event, context):
    mode = event.get('mode')
    if mode == 'garbage':
        os.write(3, b'garbage\\n')
    elif mode == 'unknown':
        os.write(3, b'{"t": "nope"}\\n')
    elif mode == 'oversized':
        data = b'x' * event['bytes']
        while data:
            data = data[os.write(3, data):]
    elif mode == 'pass-fd':
        # Every socket it holds is offered a regular file's descriptor (SCM_RIGHTS): a Node IPC
        # peer would abort on it. The engine must read the bytes and drop the descriptor.
        import socket, stat
        victim = os.open('/tmp/passed', os.O_CREAT | os.O_RDWR)
        for fd in range(3, 256):
            try:
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    continue
            except OSError:
                continue
            socket.send_fds(socket.socket(fileno=os.dup(fd)), [b'not json\\n'], [victim])
    elif mode == 'huge-error':
        raise ValueError('\\U0001F600' * 40000)
    return "ok"
`;

const MAX_RESULT = 1024;

void describe("a child that breaks the control protocol fails only its own invocation", () => {
  let f: Fixture;
  let engine: Engine;
  let node: string;
  let py: string;
  before(async () => {
    f = await fixture();
    engine = f.engine({ maxResultBytes: MAX_RESULT, prewarm: { nodejs: 1, python: 1 } });
    node = await f.zip({ "index.js": NODE });
    py = await f.zip({ "index.py": PY });
  });
  after(() => engine.close());

  const family = (sha: string): "nodejs" | "python" => (sha === py ? "python" : "nodejs");

  async function invoke(spec: RequestSpec): Promise<InvocationOutcome> {
    return engine.invoke(request({ family: family(spec.sha), ...spec }));
  }

  /** The invocation fails as the process failing, and the next one is served. */
  async function broken(spec: RequestSpec, detail: RegExp): Promise<void> {
    const o = await invoke(spec);
    assert.equal(o.error?.kind, "exit", JSON.stringify(o));
    assert.match(o.error.message, /^Runtime process sent an invalid control message and was stopped \(/);
    assert.match(o.error.message, detail);
    assert.equal(o.result, "");
    const again = await invoke({ ...spec, event: { mode: "ok" } });
    assert.equal(again.error, null, JSON.stringify(again));
  }

  void it("Node: a line that is not JSON", () => broken({ sha: node, event: { mode: "garbage" } }, /a frame that is not JSON/));
  // Written to a Node IPC fd (advanced serialisation), these 8 bytes made Node 20 throw in the
  // parent's channel code and the server exit; here they only spoil the frame the bootstrap's
  // own result then completes.
  void it("Node: a Node IPC frame V8 cannot deserialise", () => broken({ sha: node, event: { mode: "ipc-frame" } }, /a frame that is not JSON/));
  void it("Node: an unknown message type", () => broken({ sha: node, event: { mode: "unknown" } }, /invalid message: t: /));
  void it("Node: a result of the wrong shape", () => broken({ sha: node, event: { mode: "malformed" } }, /invalid message: r: /));
  void it("Node: an error kind only the engine may report", () => broken({ sha: node, event: { mode: "forged-kind" } }, /invalid message: err\.kind: /));
  void it("Node: a message out of turn", () => broken({ sha: node, event: { mode: "out-of-turn" } }, /"loaded" in answer to a request for "res"/));
  void it("Node: a frame longer than any valid message, never read whole", () => broken({ sha: node, event: { mode: "oversized", bytes: 4 * 1024 * 1024 } }, /a frame longer than \d+ bytes/));

  void it("Node: a message while idle retires the instance before it serves again", async () => {
    const key = `${node}:idle`;
    const o = await invoke({ sha: node, key, event: { mode: "after-result" } });
    assert.equal(o.error, null, JSON.stringify(o));
    const first = JSON.parse(o.result) as string;
    await eventually(() => (engine.stats().perKey[key]?.instances ?? 0) === 0, "the broken instance is gone");
    const next = await invoke({ sha: node, key, event: { mode: "ok" } });
    assert.equal(next.error, null, JSON.stringify(next));
    assert.notEqual(JSON.parse(next.result), first);
  });

  void it("Node: garbage written while the module loads fails that load", async () => {
    const sha = await f.zip({ "index.js": "require('fs').writeSync(3, 'garbage\\n'); exports.main_handler = async () => 'never';" });
    const o = await invoke({ sha });
    assert.equal(o.error?.kind, "exit", JSON.stringify(o));
    assert.match(o.error.message, /a frame that is not JSON/);
    assert.equal((await invoke({ sha: node, event: { mode: "ok" } })).error, null);
  });

  void it("Python: a line that is not JSON", () => broken({ sha: py, event: { mode: "garbage" } }, /a frame that is not JSON/));
  void it("Python: an unknown message type", () => broken({ sha: py, event: { mode: "unknown" } }, /invalid message: t: /));
  void it("Python: a file descriptor passed over the control channel (SCM_RIGHTS) is dropped, and the engine lives", () => broken({ sha: py, event: { mode: "pass-fd" } }, /a frame that is not JSON/));
  void it("Python: a frame longer than any valid message", () => broken({ sha: py, event: { mode: "oversized", bytes: 4 * 1024 * 1024 } }, /a frame longer than \d+ bytes/));

  // The bootstraps clip error texts, so a legitimately huge error stays the user's error.
  void it("Node: a huge error message is clipped, not a violation", async () => {
    const o = await invoke({ sha: node, event: { mode: "huge-error" } });
    assert.equal(o.error?.kind, "user-error", JSON.stringify(o.error?.message.slice(0, 200)));
    assert.equal(o.error.message, "x".repeat(ERROR_TEXT_CHARS));
  });

  void it("Python: a huge error message of astral characters is clipped in UTF-16 units", async () => {
    const o = await invoke({ sha: py, event: { mode: "huge-error" } });
    assert.equal(o.error?.kind, "user-error", JSON.stringify(o.error?.message.slice(0, 200)));
    assert.ok(o.error.message.startsWith("ValueError: \u{1F600}"));
    assert.ok(o.error.message.length <= ERROR_TEXT_CHARS && o.error.message.length >= ERROR_TEXT_CHARS - 1, String(o.error.message.length));
    assert.ok(o.error.stack.length <= ERROR_TEXT_CHARS);
  });
});

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting until ${what}`);
}
