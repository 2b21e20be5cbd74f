import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "../helpers/node-test.js";
import { ALICE, BOB, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { spawnCli, waitForListening } from "../helpers/cli.js";
import { scfClient } from "../helpers/scf-client.js";

void describe("quiver serve", () => {
  void test("--port 0 prints the URL, /healthz answers 200, the SCF API works, SIGTERM exits 0", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const cli = spawnCli(["serve", "--port", "0", "--data-dir", join(dir.path, "data"), "--accounts", writeAccountsFile(dir.path), "--log-level", "silent"]);
      const url = await waitForListening(cli);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(url, "http://127.0.0.1:0");
      assert.match(cli.stdout(), /^Quiver listening on http:\/\/127\.0\.0\.1:\d+\n$/m);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
      const scf = scfClient({ endpoint: url.replace(/^http:\/\//, "") }, BOB);
      assert.deepEqual((await scf.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default"]);
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
      assert.equal(cli.stderr(), "");
    } finally {
      dir.remove();
    }
  });

  void test("without --accounts a default account is created, printed once and kept", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const args = ["serve", "--port", "0", "--data-dir", join(dir.path, "data"), "--log-level", "silent"];
      const first = spawnCli(args);
      const url = await waitForListening(first);
      const keys = /SecretId (\S+)\s+SecretKey (\S+)/.exec(first.stdout());
      assert.ok(keys?.[1] && keys[2], first.stdout());
      const account = { ...ALICE, tencent: { secretId: keys[1], secretKey: keys[2] } };
      await scfClient({ endpoint: url.replace(/^http:\/\//, "") }, account).CreateNamespace({ Namespace: "mine" });
      first.child.kill("SIGTERM");
      assert.equal(await first.exited, 0);

      const second = spawnCli(args);
      const url2 = await waitForListening(second);
      assert.doesNotMatch(second.stdout(), /SecretKey/, "the keys are printed only when created");
      const list = await scfClient({ endpoint: url2.replace(/^http:\/\//, "") }, account).ListNamespaces({});
      assert.deepEqual(list.Namespaces?.map((n) => n.Name), ["default", "mine"]);
      second.child.kill("SIGINT");
      assert.equal(await second.exited, 0);
    } finally {
      dir.remove();
    }
  });

  void test("an unreadable accounts file, a missing one or a bad flag: a clear message and exit code 2", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const broken = join(dir.path, "broken.json");
      writeFileSync(broken, "{ this is not json");
      const missing = join(dir.path, "nope.json");
      // Started together: each start costs a TypeScript compile. (The other accounts-file
      // problems are covered in test/core/accounts.test.ts without a process each.)
      const runs = [
        { args: ["serve", "--port", "0", "--data-dir", join(dir.path, "d1"), "--accounts", broken], message: /cannot read accounts file .*broken\.json/ },
        { args: ["serve", "--port", "0", "--data-dir", join(dir.path, "d2"), "--accounts", missing], message: /cannot read accounts file .*nope\.json/ },
        { args: ["serve", "--port", "http"], message: /--port must be a whole number/ },
      ].map((run) => ({ ...run, cli: spawnCli(run.args) }));
      for (const { cli, message, args } of runs) {
        assert.equal(await cli.exited, 2, args.join(" "));
        assert.match(cli.stderr(), /^quiver: /);
        assert.match(cli.stderr(), message);
        assert.doesNotMatch(cli.stdout(), /listening/);
      }
    } finally {
      dir.remove();
    }
  });
});
