import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { spawnCli, waitForListening } from "../helpers/cli.js";
import { scfClient } from "../helpers/scf-client.js";
import { ALICE, BOB, tempDir, writeAccountsFile } from "../helpers/temp.js";

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

  const refusals: readonly { readonly what: string; readonly content: string; readonly message: RegExp; readonly namesFile: boolean }[] = [
    { what: "not JSON", content: "{ this is not json", message: /cannot read accounts file/, namesFile: true },
    { what: "an empty list", content: "[]", message: /at least one account/, namesFile: true },
    { what: "a bad appId", content: JSON.stringify([{ ...ALICE, appId: "abc" }]), message: /appId/, namesFile: true },
    { what: "an unknown field", content: JSON.stringify([{ ...ALICE, password: "x" }]), message: /password|unrecognized/i, namesFile: true },
    // The duplicate check runs after parsing and its message does not name the file (src/accounts, not ours to change).
    { what: "a duplicated SecretId", content: JSON.stringify([ALICE, { ...BOB, tencent: ALICE.tencent }]), message: /tencent\.secretId .* two accounts/, namesFile: false },
  ];
  void test("invalid accounts files are refused with a clear message and a non-zero exit", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      // Started together: each start costs a TypeScript compile.
      const runs = refusals.map((refusal, i) => {
        const file = join(dir.path, `accounts-${i}.json`);
        writeFileSync(file, refusal.content);
        return { refusal, file, cli: spawnCli(["serve", "--port", "0", "--data-dir", join(dir.path, `data-${i}`), "--accounts", file]) };
      });
      for (const { refusal, file, cli } of runs) {
        const code = await cli.exited;
        assert.equal(code, 2, `${refusal.what}: exit code`);
        assert.match(cli.stderr(), /^quiver: /, refusal.what);
        assert.match(cli.stderr(), refusal.message, refusal.what);
        if (refusal.namesFile) assert.ok(cli.stderr().includes(file), `${refusal.what}: the message names the file`);
        assert.doesNotMatch(cli.stdout(), /listening/, refusal.what);
      }
    } finally {
      dir.remove();
    }
  });

  void test("a missing accounts file and bad flags are refused", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const missing = spawnCli(["serve", "--port", "0", "--data-dir", dir.path, "--accounts", join(dir.path, "nope.json")]);
      assert.equal(await missing.exited, 2);
      assert.match(missing.stderr(), /cannot read accounts file/);
      const badPort = spawnCli(["serve", "--port", "http"]);
      assert.equal(await badPort.exited, 2);
      assert.match(badPort.stderr(), /--port must be a whole number/);
    } finally {
      dir.remove();
    }
  });
});
