import assert from "node:assert/strict";
import { describe, it, mock } from "../helpers/node-test.js";
import { IdleCollector } from "../../src/server/idle-gc.js";

void describe("collection after large bodies", () => {
  void it("collects once, after the server has been quiet for a moment since the last large body", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      let collections = 0;
      const collector = new IdleCollector(() => (collections += 1));
      collector.noteBody(10_000);
      mock.timers.tick(10_000);
      assert.equal(collections, 0, "small bodies leave nothing worth a collection");
      collector.noteBody(8 * 1024 * 1024);
      mock.timers.tick(1_500);
      collector.noteBody(4 * 1024 * 1024);
      mock.timers.tick(1_500);
      assert.equal(collections, 0, "not while large bodies keep coming");
      mock.timers.tick(600);
      assert.equal(collections, 1);
      mock.timers.tick(60_000);
      assert.equal(collections, 1, "once per quiet period");
    } finally {
      mock.timers.reset();
    }
  });

  void it("does nothing where gc is not exposed", () => {
    const collector = new IdleCollector(undefined);
    collector.noteBody(64 * 1024 * 1024);
    collector.stop();
  });
});
