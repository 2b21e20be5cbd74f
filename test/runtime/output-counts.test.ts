/**
 * The bootstraps' byte counts (the `stdout`/`stderr` of each answer) against what really came
 * through the pipes: a bootstrap run bare, without engine or sandbox, spoken to on fd 3. A count
 * too low would only blur the live tail's attribution; one too high would give the next call's
 * output to the last one, so they must be exact.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "node:net";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { resolvePython } from "../../src/runtime/launcher.js";
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from "../../src/runtime/paths.js";
import { ERROR_TEXT_CHARS } from "../../src/runtime/protocol.js";

interface Counts {
  readonly t: string;
  readonly stdout?: number;
  readonly stderr?: number;
  readonly log?: string;
}

/** Output of every kind a function writes through the bootstrap: multi-byte text, bytes, other encodings. */
const NODE_FN = `
exports.main_handler = async () => {
  console.log("héllo €");
  process.stdout.write(Buffer.from([0xf0, 0x9f, 0x99, 0x82, 0x0a]));
  process.stdout.write("68690a", "hex");
  process.stderr.write(new Uint8Array([0x65, 0x0a]));
  console.error("ünïcode");
  // A string written without an encoding is in the stream's default one.
  process.stdout.setDefaultEncoding("hex");
  process.stdout.write("6f6b0a");
  process.stdout.setDefaultEncoding("utf8");
  return null;
};
`;
const PYTHON_FN = `
import sys

print("module level")

def main_handler(event, context):
    print("héllo €")
    sys.stderr.write("ünïcode\\n")
    sys.stdout.write("🙂" * 3 + "\\n")
    # What code written for the interpreter's own stdout does: bytes through .buffer, writelines,
    # the encoding; bytes to the text stream are refused as Python refuses them.
    sys.stdout.buffer.write("bÿtes\\n".encode())
    sys.stdout.writelines(["one\\n", "two\\n"])
    try:
        sys.stdout.write(b"raw")
    except TypeError:
        print("refused bytes, encoding " + sys.stdout.encoding)
    return None
`;

/** Runs two calls and checks their counts; returns the last answer. */
async function countsMatchPipes(command: string, bootstrap: string, file: string, code: string): Promise<Counts> {
  const root = await mkdtemp(join(tmpdir(), "quiver-counts-"));
  const child = spawn(command, [bootstrap], { stdio: ["ignore", "pipe", "pipe", "pipe"], cwd: root });
  try {
    await writeFile(join(root, file), code);
    const read = { stdout: 0, stderr: 0 };
    child.stdout?.on("data", (b: Buffer) => (read.stdout += b.length));
    child.stderr?.on("data", (b: Buffer) => (read.stderr += b.length));
    const ctl = child.stdio[3] as Socket;
    const answers: Counts[] = [];
    createInterface({ input: ctl }).on("line", (line) => answers.push(JSON.parse(line) as Counts));
    const answer = async (t: string, n: number): Promise<Counts> => eventually(() => answers.filter((m) => m.t === t)[n - 1], { what: `answer ${t} #${n}` });
    const send = (m: object): boolean => ctl.write(JSON.stringify(m) + "\n");
    await answer("ready", 1);
    send({ t: "load", root, handler: "index.main_handler", convention: "scf", env: { PATH: process.env["PATH"] ?? "" }, ctx: {}, timeoutMs: 3000, logTailBytes: 4096, maxResultBytes: 1024, errorTextChars: ERROR_TEXT_CHARS });
    const loaded = await answer("loaded", 1);
    await eventually(() => read.stdout === loaded.stdout && read.stderr === loaded.stderr, { what: `the load's counts ${JSON.stringify(loaded)} to be what was read (${JSON.stringify(read)})` });
    let last: Counts = loaded;
    for (const n of [1, 2]) {
      send({ t: "inv", id: `call-${n}`, ev: "{}" });
      const res = await answer("res", n);
      assert.ok((res.stdout ?? 0) > (last.stdout ?? 0) && (res.stderr ?? 0) > (last.stderr ?? 0), "each call adds what it wrote");
      await eventually(() => read.stdout === res.stdout && read.stderr === res.stderr, { what: `call ${n}'s counts ${JSON.stringify(res)} to be what was read (${JSON.stringify(read)})` });
      last = res;
    }
    return last;
  } finally {
    child.kill("SIGKILL");
    await rm(root, { recursive: true, force: true });
  }
}

void describe("the bootstraps' output counts", () => {
  void it("Node: each answer counts every byte written to stdout and stderr so far", async () => {
    const res = await countsMatchPipes(process.execPath, NODE_BOOTSTRAP, "index.js", NODE_FN);
    assert.match(res.log ?? "", /ünïcode\nok\n$/, "a string in the stream's default encoding is logged as the bytes it stands for");
  });
  void it("Python: each answer counts every byte written to stdout and stderr so far", async () => {
    const python = await resolvePython();
    assert.ok(python !== null, "no python3 on this host");
    const res = await countsMatchPipes(python, PYTHON_BOOTSTRAP, "index.py", PYTHON_FN);
    assert.match(res.log ?? "", /🙂🙂🙂\nbÿtes\none\ntwo\nrefused bytes, encoding utf-8\n/, "the call's log has what went through .buffer and writelines, in order");
  });
});
