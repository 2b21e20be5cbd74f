/**
 * Ready-made copies of extracted trees: made in the background, moved into an instance's
 * directory whole (the same inodes as the cached files), merged around what is already there,
 * and deleted when the cache drops the tree, even while one is still being made.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import { SpareTrees, type ListedTree } from "../../src/runtime/spare-trees.js";

function fixture(): { dir: string; tree: ListedTree; spares: SpareTrees; sparesDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "quiver-spares-"));
  const root = join(dir, "tree");
  for (const sub of ["nodejs/node_modules/a", "function"]) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, "nodejs/node_modules/a/index.js"), "a");
  writeFileSync(join(root, "function/extra.txt"), "extra");
  writeFileSync(join(root, "top.txt"), "top");
  const listing = { dirLevels: [["nodejs", "function"], ["nodejs/node_modules"], ["nodejs/node_modules/a"]], files: ["nodejs/node_modules/a/index.js", "function/extra.txt", "top.txt"] };
  const sparesDir = join(dir, "spares");
  return { dir, tree: { root, listing }, spares: new SpareTrees(sparesDir), sparesDir };
}

void describe("spare trees", () => {
  void it("moves a ready copy into place, its files the cached inodes, and leaves entries already there to the caller", async () => {
    const { dir, tree, spares } = fixture();
    await spares.init();
    const dst = join(dir, "instance-opt");
    mkdirSync(join(dst, "function/runtime"), { recursive: true });
    assert.equal(spares.takeInto(tree, dst), null, "nothing is ready before a spare was made");
    spares.replenish(tree);
    await eventually(() => spares.stats().ready === 1, { what: "the spare is made" });
    const missed = spares.takeInto(tree, dst);
    assert.deepEqual(missed, ["function"], "a non-empty function/ was in the way");
    assert.equal(readFileSync(join(dst, "nodejs/node_modules/a/index.js"), "utf8"), "a");
    assert.equal(statSync(join(dst, "nodejs/node_modules/a/index.js")).ino, statSync(join(tree.root, "nodejs/node_modules/a/index.js")).ino);
    assert.equal(readFileSync(join(dst, "top.txt"), "utf8"), "top");
    assert.deepEqual(spares.stats(), { ready: 0, making: 0, taken: 1 });
    assert.equal(spares.takeInto(tree, dst), null, "one spare, taken once");
  });

  void it("makes no copy of a flat tree, and deletes the copy of a dropped tree even when it was still being made", async () => {
    const { dir, tree, spares, sparesDir } = fixture();
    await spares.init();
    spares.replenish({ root: join(dir, "flat"), listing: { dirLevels: [], files: ["index.js"] } });
    assert.deepEqual(readdirSync(sparesDir), []);
    spares.replenish(tree);
    assert.equal(spares.stats().making, 1);
    spares.drop(tree.root);
    await eventually(() => spares.stats().making === 0, { what: "the dropped copy is done" });
    assert.deepEqual(readdirSync(sparesDir), [], "and deleted");
    assert.deepEqual(spares.stats(), { ready: 0, making: 0, taken: 0 });
    spares.replenish(tree);
    await eventually(() => spares.stats().ready === 1, { what: "a new spare is made" });
    spares.drop(tree.root);
    await eventually(() => readdirSync(sparesDir).length === 0, { what: "the ready copy is deleted" });
  });
});
