import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { safeEntryPath } from "../../src/runtime/code-cache.js";
import { rawZip } from "../helpers/zips.js";
import { fixture, request, zipBytes } from "./helpers.js";

void describe("code cache", () => {
  void it("rejects zip-slip entry names", () => {
    assert.throws(() => safeEntryPath("/c/root", "../evil.js"), /escapes/);
    assert.throws(() => safeEntryPath("/c/root", "a/../../evil.js"), /escapes/);
    assert.throws(() => safeEntryPath("/c/root", "/etc/passwd"), /escapes/);
    assert.equal(safeEntryPath("/c/root", "a/b.js"), "/c/root/a/b.js");
  });

  void it("reports a broken code package as runtime-start-failed and keeps serving", async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      // yazl refuses "../" names, so rename the entry in the bytes (same length, CRC covers data only).
      const zip = await zipBytes({ "..-escape.js": "exports.main_handler = async () => 1;", "index.js": "" });
      const bad = await f.store(Buffer.from(zip.toString("latin1").replaceAll("..-escape", "../escape"), "latin1"));
      const o = await engine.invoke(request({ sha: bad }));
      assert.equal(o.error?.kind, "runtime-start-failed");
      assert.match(o.error.message, /escapes|invalid relative path/);
      const good = await f.zip({ "index.js": "exports.main_handler = async () => 1;" });
      assert.equal((await engine.invoke(request({ sha: good }))).result, "1");
    } finally {
      await engine.close();
    }
  });

  void it("keeps its own checks for packages that did not come through the upload check", { timeout: 60_000 }, async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const index = { name: "index.js", content: "exports.main_handler = async () => 1;" };
      const symlink = await f.store(rawZip([index, { name: "link", content: "/etc/passwd", unixMode: 0o120777 }]));
      const link = await engine.invoke(request({ sha: symlink }));
      assert.equal(link.error?.kind, "runtime-start-failed");
      assert.match(link.error.message, /symbolic link/);
      const bomb = await f.store(rawZip([index, { name: "bomb.bin", content: Buffer.alloc(1024 * 1024), deflate: true, declaredSize: 10 }]));
      const lied = await engine.invoke(request({ sha: bomb }));
      assert.equal(lied.error?.kind, "runtime-start-failed");
      assert.match(lied.error.message, /too many bytes/);
    } finally {
      await engine.close();
    }
  });
});
