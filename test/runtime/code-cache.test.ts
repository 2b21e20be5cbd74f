import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { safeEntryPath } from "../../src/runtime/extract.js";
import { buildZip, rawZip } from "../helpers/zip.js";
import { fixture, request } from "./helpers.js";

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
      const zip = await buildZip({ "..-escape.js": "exports.main_handler = async () => 1;", "index.js": "" });
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

  const handler = (marker: string): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${JSON.stringify(marker)}; // ${"x".repeat(4096)}` });
  const treeOf = (f: { dir: string }, sha: string): string => join(f.dir, "run", "code", sha);

  void it("evicts code no instance runs once the cache is over its size, least recently used first", async () => {
    const f = await fixture();
    // Room for about one tree: every new tree pushes the unused ones out.
    const engine = f.engine({ codeCache: { maxBytes: 6000, maxIdleMs: 3_600_000 } });
    try {
      const [a, b] = [await f.zip(handler("a")), await f.zip(handler("b"))];
      assert.equal((await engine.invoke(request({ sha: a, key: "a" }))).result, '"a"');
      assert.equal((await engine.invoke(request({ sha: b, key: "b" }))).result, '"b"');
      assert.ok(existsSync(treeOf(f, a)), "a warm instance keeps its tree, whatever the size");
      engine.retire("a");
      const c = await f.zip(handler("c"));
      assert.equal((await engine.invoke(request({ sha: c, key: "c" }))).result, '"c"');
      assert.equal(existsSync(treeOf(f, a)), false, "the unused tree was evicted");
      assert.ok(existsSync(treeOf(f, b)) && existsSync(treeOf(f, c)), "trees in use stay");
      assert.equal(engine.stats().code.trees, 2);
      // An evicted tree comes back on its next use.
      assert.equal((await engine.invoke(request({ sha: a, key: "a" }))).result, '"a"');
    } finally {
      await engine.close();
    }
  });

  void it("evicts code unused for longer than its idle time", async () => {
    const f = await fixture();
    const engine = f.engine({ codeCache: { maxBytes: 2 ** 40, maxIdleMs: 0 } });
    try {
      const [a, b] = [await f.zip(handler("a")), await f.zip(handler("b"))];
      assert.equal((await engine.invoke(request({ sha: a, key: "a" }))).result, '"a"');
      engine.retire("a");
      assert.equal((await engine.invoke(request({ sha: b, key: "b" }))).result, '"b"');
      assert.equal(existsSync(treeOf(f, a)), false);
      assert.deepEqual(engine.stats().code.trees, 1);
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

void describe("code cache: merged trees (layers)", () => {
  void it("extracts packages in order into one tree, the later one's file winning, listed once, and shared by every lease of the list", async () => {
    const { CodeCache } = await import("../../src/runtime/code-cache.js");
    const { readFileSync } = await import("node:fs");
    const f = await fixture();
    const first = await f.zip({ "lib/a.js": "first a", "shared.txt": "first" });
    const second = await f.zip({ "lib/b.js": "second b", "shared.txt": "second" });
    const cache = new CodeCache(join(f.dir, "cache"), async (sha) => join(f.dir, `${sha}.zip`), { maxBytes: 1 << 30, maxIdleMs: 60_000 });
    await cache.init(0o700);
    const lease = await cache.acquireMerged([first, second]);
    assert.equal(readFileSync(join(lease.root, "shared.txt"), "utf8"), "second");
    assert.equal(readFileSync(join(lease.root, "lib/a.js"), "utf8"), "first a");
    assert.equal(readFileSync(join(lease.root, "lib/b.js"), "utf8"), "second b");
    assert.deepEqual(lease.listing?.dirLevels, [["lib"]]);
    assert.deepEqual([...(lease.listing?.files ?? [])].sort(), ["lib/a.js", "lib/b.js", "shared.txt"]);
    const again = await cache.acquireMerged([first, second]);
    assert.equal(again.root, lease.root, "one tree per ordered list");
    const reversed = await cache.acquireMerged([second, first]);
    assert.notEqual(reversed.root, lease.root);
    assert.equal(readFileSync(join(reversed.root, "shared.txt"), "utf8"), "first", "the order decides");
    for (const l of [lease, again, reversed]) l.release();
  });

  void it("tells its owner which tree it evicted, so the tree's spare copy goes with it", async () => {
    const { CodeCache } = await import("../../src/runtime/code-cache.js");
    const f = await fixture();
    const sha = await f.zip({ "lib/a.js": "a" });
    const evicted: string[] = [];
    const cache = new CodeCache(join(f.dir, "cache"), async (s) => join(f.dir, `${s}.zip`), { maxBytes: 1 << 30, maxIdleMs: 0 }, { evicted: (root) => evicted.push(root) });
    await cache.init(0o700);
    const lease = await cache.acquire(sha);
    cache.evict();
    assert.deepEqual(evicted, [], "a tree in use stays");
    lease.release();
    cache.evict();
    assert.deepEqual(evicted, [lease.root]);
  });
});
