/**
 * The engine's link to a web function's server (src/runtime/web-link.ts), against servers in
 * this process: what `ServerLink.exchange` answers for each way a server can answer or fail,
 * and how often `ServerProcesses.rss` reads.
 */
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, it, mock } from "../helpers/node-test.js";
import { ServerProcesses } from "../../src/runtime/web-link.js";

void describe("ServerProcesses.rss", () => {
  void it("reads at the first call, then answers that reading for 100 ms", async () => {
    let now = 1_000_000;
    const clock = mock.method(performance, "now", () => now);
    const procs = await ServerProcesses.find(process.pid, false);
    try {
      const first = procs.rss();
      assert.ok(first > 0);
      // 64 MiB more resident (zero-filled, so touched) while the reading is still fresh.
      const grown = Buffer.alloc(64 << 20, 1);
      now += 99;
      assert.equal(procs.rss(), first, "within 100 ms: the last reading");
      now += 1;
      assert.ok(procs.rss() > first + (32 << 20), "100 ms later: read again");
      assert.equal(grown.length, 64 << 20);
    } finally {
      clock.mock.restore();
      procs.close();
    }
  });
});
