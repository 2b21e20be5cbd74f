/**
 * `quiver serve --http-trigger-port`: the trigger listener is started and named, and answers
 * trigger URLs in the gateway's shape; the API listener keeps the API.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { spawnCli, waitForListening, waitForOutput } from "../helpers/cli.js";

describe("quiver serve --http-trigger-port", () => {
  test("prints where the trigger URLs are and serves them there", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const cli = spawnCli(["serve", "--port", "0", "--http-trigger-port", "0", "--data-dir", join(dir.path, "data"), "--accounts", writeAccountsFile(dir.path), "--log-level", "silent"]);
      const api = await waitForListening(cli);
      const [, base] = await waitForOutput(cli, /^HTTP triggers at (http:\/\/127\.0\.0\.1:\d+)\/scf\/… and \S+\/apig\/…$/m);
      assert.ok(base);
      assert.notEqual(base, api);
      const missing = await fetch(`${base}/scf/${ALICE.appId}/ap-guangzhou/default/nofn/url`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { errno: number }).errno, 404);
      assert.equal((await fetch(`${api}/healthz`)).status, 200);
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
    } finally {
      dir.remove();
    }
  });
});
