import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import { ZipInspector, unsafeName } from "../../src/code/zip-inspector.js";
import { buildZip, rawZip } from "../helpers/zip.js";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof QuiverError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

void describe("ZipInspector", () => {
  const inspector = new ZipInspector();

  void test("counts entries and declared unzipped bytes, and names the files at the root", async () => {
    const zip = await buildZip({ "index.js": "x".repeat(1000), "lib/a.js": "y".repeat(24) });
    assert.deepEqual(await inspector.inspect(zip), { entries: 2, unzippedSize: 1024, rootFiles: ["index.js"] });
    assert.deepEqual(await inspector.inspect(rawZip([{ name: "a.txt", content: "hello" }])), { entries: 1, unzippedSize: 5, rootFiles: ["a.txt"] });
  });

  void test("an empty archive is a valid zip", async () => {
    assert.deepEqual(await inspector.inspect(rawZip([])), { entries: 0, unzippedSize: 0, rootFiles: [] });
  });

  void test("bytes that are not a zip, or a truncated zip, are CodeNotZip", async () => {
    await rejectsWith(inspector.inspect(Buffer.from("definitely not a zip")), "CodeNotZip");
    await rejectsWith(inspector.inspect(Buffer.alloc(0)), "CodeNotZip");
    const zip = await buildZip({ "index.js": "content" });
    await rejectsWith(inspector.inspect(zip.subarray(0, zip.length - 10)), "CodeNotZip");
  });

  void test("zip-slip and absolute names are CodeUnsafePath", async () => {
    for (const name of ["../evil.js", "a/../../evil.js", "/etc/x", "..\\evil.js", "C:/x.js", "a/b/../../../x"]) {
      await rejectsWith(inspector.inspect(rawZip([{ name: "ok.js", content: "1" }, { name, content: "2" }])), "CodeUnsafePath");
    }
  });

  void test("names with dots that stay inside are fine", async () => {
    const facts = await inspector.inspect(rawZip([{ name: "a/./b.js", content: "1" }, { name: "..hidden", content: "2" }, { name: "a..b/c.js", content: "3" }]));
    assert.equal(facts.entries, 3);
  });

  void test("more declared unzipped bytes than the limit is CodeTooLarge", async () => {
    const small = new ZipInspector(100);
    assert.equal((await small.inspect(rawZip([{ name: "a", content: "x".repeat(100) }]))).unzippedSize, 100);
    await rejectsWith(small.inspect(rawZip([{ name: "a", content: "x".repeat(60) }, { name: "b", content: "y".repeat(41) }])), "CodeTooLarge");
  });
});

void describe("unsafeName", () => {
  void test("classifies names", () => {
    assert.equal(unsafeName("index.js"), null);
    assert.equal(unsafeName("dir/sub/file.py"), null);
    assert.match(unsafeName("/abs") ?? "", /absolute/);
    assert.match(unsafeName("D:\\x") ?? "", /absolute/);
    assert.match(unsafeName("x/../../y") ?? "", /escapes/);
    assert.match(unsafeName("x\\..\\y") ?? "", /escapes/);
    assert.match(unsafeName("a\0b") ?? "", /NUL/);
  });
});

void describe("ZipInspector limits", { timeout: 60_000 }, () => {
  const inspector = new ZipInspector();
  const INDEX = { name: "index.js", content: "exports.main_handler = async () => 1;\n" };

  async function refused(zip: Buffer, code: string, message: RegExp): Promise<void> {
    await assert.rejects(inspector.inspect(zip), (error: unknown) => {
      assert.ok(error instanceof QuiverError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      return true;
    });
  }

  void test("deflated entries that inflate to their declared size pass, with the true sizes", async () => {
    const zip = rawZip([INDEX, { name: "lib/data.txt", content: "z".repeat(5000), deflate: true }]);
    assert.deepEqual(await inspector.inspect(zip), { entries: 2, unzippedSize: INDEX.content.length + 5000, rootFiles: [INDEX.name] });
  });

  void test("directory entries are not read: some tools write them deflated with no data", async () => {
    const facts = await inspector.inspect(rawZip([INDEX, { name: "lib/", content: "", deflate: true, data: Buffer.alloc(0) }]));
    assert.equal(facts.entries, 2);
    await refused(rawZip([INDEX, { name: "lib/empty.js", content: "", deflate: true, data: Buffer.alloc(0) }]), "CodeNotZip", /"lib\/empty\.js" is corrupt: unexpected end of file/);
  });

  void test("symbolic links are refused, named", async () => {
    await refused(rawZip([INDEX, { name: "passwd", content: "/etc/passwd", unixMode: 0o120777 }]), "CodeUnsafePath", /"passwd" is a symbolic link/);
    // Ordinary Unix files and folders are fine.
    const facts = await inspector.inspect(rawZip([{ ...INDEX, unixMode: 0o100755 }, { name: "lib/", content: "", unixMode: 0o040755 }]));
    assert.equal(facts.entries, 2);
  });

  void test("an entry that inflates to more than it declares is refused without inflating it all", async () => {
    const bomb = rawZip([INDEX, { name: "bomb.bin", content: Buffer.alloc(32 * 1024 * 1024), deflate: true, declaredSize: 10 }]);
    const started = performance.now();
    await refused(bomb, "CodeNotZip", /"bomb\.bin" declares 10 bytes but inflates to more/);
    assert.ok(performance.now() - started < 2000, "stops at the declared size");
    // The same with a declared size above the one-call threshold (streamed and counted).
    await refused(rawZip([{ name: "big.bin", content: Buffer.alloc(8 * 1024 * 1024), deflate: true, declaredSize: 2 * 1024 * 1024 }]), "CodeNotZip", /"big\.bin" declares 2097152 bytes/);
  });

  void test("an entry that inflates to less than it declares is refused", async () => {
    await refused(rawZip([{ name: "short.txt", content: "tiny", deflate: true, declaredSize: 4096 }]), "CodeNotZip", /"short\.txt" declares 4096 bytes but inflates to 4 bytes/);
    await refused(rawZip([{ name: "short.bin", content: Buffer.alloc(10), deflate: true, declaredSize: 3 * 1024 * 1024 }]), "CodeNotZip", /"short\.bin" declares 3145728 bytes but inflates to 10 bytes/);
  });

  void test("a stored entry whose sizes disagree is refused", async () => {
    await refused(rawZip([{ name: "liar.txt", content: "hello", declaredSize: 1000 }]), "CodeNotZip", /size mismatch/);
  });

  void test("corrupt deflate data is refused, naming the entry", async () => {
    const zip = rawZip([{ name: "data.txt", content: "x".repeat(2000), deflate: true }]);
    const dataAt = 30 + "data.txt".length;
    zip.fill(0xff, dataAt, dataAt + 8);
    await refused(zip, "CodeNotZip", /"data\.txt" is corrupt/);
  });

  void test("more than 20,000 entries are refused from the directory count, quickly", async () => {
    const many = rawZip(Array.from({ length: 100_000 }, (_, i) => ({ name: `f/${i}`, content: "" })));
    const started = performance.now();
    await refused(many, "CodeTooLarge", /100000 entries; at most 20000/);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
    const atLimit = rawZip(Array.from({ length: 20_000 }, (_, i) => ({ name: `f/${i}`, content: "" })));
    assert.equal((await inspector.inspect(atLimit)).entries, 20_000);
    await refused(rawZip(Array.from({ length: 20_001 }, (_, i) => ({ name: `f/${i}`, content: "" }))), "CodeTooLarge", /20001 entries; at most 20000/);
  });

  void test("names over 1024 bytes, or with a segment over 255 bytes, are refused", async () => {
    await refused(rawZip([INDEX, { name: "a".repeat(5000), content: "" }]), "CodeUnsafePath", /5000 bytes; at most 1024/);
    await refused(rawZip([INDEX, { name: `dir/${"b".repeat(256)}.js`, content: "" }]), "CodeUnsafePath", /segment of 259 bytes; at most 255/);
    await refused(rawZip([INDEX, { name: `${"é".repeat(128)}/x.js`, content: "" }]), "CodeUnsafePath", /segment of 256 bytes/);
    const deep = Array.from({ length: 4 }, () => "c".repeat(255)).join("/");
    assert.equal((await inspector.inspect(rawZip([{ name: deep, content: "" }]))).entries, 1, "1023 bytes in 255-byte segments is fine");
  });
});
