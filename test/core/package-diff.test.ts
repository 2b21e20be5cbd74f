import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { buildZip } from "../helpers/zip.js";
import { diffPackages, isEmptyDiff, readZip } from "../../src/code/package-diff.js";

const side = (label: string, config: Record<string, unknown>, files: Record<string, string | Buffer>): { label: string; config: Record<string, unknown>; files: Map<string, Buffer> } => ({
  label, config, files: new Map(Object.entries(files).map(([name, content]) => [name, Buffer.isBuffer(content) ? content : Buffer.from(content)])),
});

describe("package diff", () => {
  it("configuration key by key; files added, removed, changed; a unified diff of text", () => {
    const a = side("1", { memoryMb: 128, handler: "index.main", environment: { A: "1" } }, { "index.js": "one\ntwo\n", "old.txt": "x", "same.txt": "s" });
    const b = side("2", { memoryMb: 256, handler: "index.main", environment: { A: "2" } }, { "index.js": "one\nthree\n", "new.txt": "y", "same.txt": "s" });
    const d = diffPackages(a, b);
    assert.deepEqual(d.config, [{ key: "environment", from: { A: "1" }, to: { A: "2" } }, { key: "memoryMb", from: 128, to: 256 }]);
    assert.deepEqual(d.added, ["new.txt"]);
    assert.deepEqual(d.removed, ["old.txt"]);
    assert.equal(d.changed.length, 1);
    const patch = d.changed[0]?.patch ?? "";
    assert.match(patch, /^--- 1\/index\.js/m);
    assert.match(patch, /^\+\+\+ 2\/index\.js/m);
    assert.match(patch, /^-two$/m);
    assert.match(patch, /^\+three$/m);
    assert.equal(isEmptyDiff(d), false);
  });

  it("binary files are reported changed without a line diff; equal sides are empty", () => {
    const d = diffPackages(side("a", {}, { "blob.bin": Buffer.from([0, 1, 2]) }), side("b", {}, { "blob.bin": Buffer.from([0, 1, 3]) }));
    assert.deepEqual(d.changed, [{ name: "blob.bin", patch: null }]);
    assert.equal(isEmptyDiff(diffPackages(side("a", { x: 1 }, { f: "1" }), side("b", { x: 1 }, { f: "1" }))), true);
  });

  it("reads a zip's files, directories left out", async () => {
    const files = await readZip(await buildZip({ "index.js": "code", "lib/util.js": "util" }));
    assert.deepEqual([...files.keys()].sort(), ["index.js", "lib/util.js"]);
    assert.equal(files.get("lib/util.js")?.toString(), "util");
  });
});
