import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { QuiverError } from "../../src/core/errors.js";
import { ZipInspector, unsafeName } from "../../src/code/zip-inspector.js";
import { buildZip, rawZip } from "../helpers/zips.js";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof QuiverError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

void describe("ZipInspector", () => {
  const inspector = new ZipInspector();

  void test("counts entries and declared unzipped bytes", async () => {
    const zip = await buildZip({ "index.js": "x".repeat(1000), "lib/a.js": "y".repeat(24) });
    assert.deepEqual(await inspector.inspect(zip), { entries: 2, unzippedSize: 1024 });
    assert.deepEqual(await inspector.inspect(rawZip([{ name: "a.txt", content: "hello" }])), { entries: 1, unzippedSize: 5 });
  });

  void test("an empty archive is a valid zip", async () => {
    assert.deepEqual(await inspector.inspect(rawZip([])), { entries: 0, unzippedSize: 0 });
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
