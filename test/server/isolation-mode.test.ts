import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { parseConfig, type ConfigInput } from "../../src/config/config.js";
import { spawnCli, waitForListening, waitForOutput } from "../helpers/cli.js";

const NOBODY = { uid: 65534, gid: 65534 };

void describe("--isolation", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "quiver-isolation-mode-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A data dir a server running as nobody can use. */
  function dataDirFor(name: string): string {
    const path = join(dir, name);
    chmodSync(dir, 0o755);
    const made = mkdtempSync(`${path}-`);
    chownSync(made, NOBODY.uid, NOBODY.gid);
    return made;
  }

  const asRoot = process.getuid?.() === 0 ? false : "needs root to start a server as another user";

  void it("strict: a server that cannot sandbox instances refuses to start, naming why", { skip: asRoot }, async () => {
    const cli = spawnCli(["serve", "--port", "0", "--data-dir", dataDirFor("strict"), "--isolation", "strict"], NOBODY);
    assert.equal(await cli.exited, 2, cli.stderr());
    assert.match(cli.stderr(), /--isolation strict: Quiver is not running as root; refusing to start without a sandbox per instance/);
  });

  void it("auto: the same server starts, with one warning that tenants are not isolated", { skip: asRoot }, async () => {
    const cli = spawnCli(["serve", "--port", "0", "--data-dir", dataDirFor("auto"), "--log-level", "warn"], NOBODY);
    try {
      await waitForListening(cli);
      // The engine decides its level right after the server starts listening.
      await waitForOutput(cli, /NOT isolated/);
      assert.equal(cli.stdout().match(/NOT isolated/g)?.length, 1, cli.stdout());
    } finally {
      cli.child.kill("SIGTERM");
      await cli.exited;
    }
  });

  void it("the flags: mode, /tmp size, freeze grace, uid range", () => {
    const parsed = parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", "--isolation", "strict", "--tmp-size-mb", "64", "--freeze-after-ms", "250", "--sandbox-uids", "3000000:1000"]))) as ConfigInput);
    assert.equal(parsed.engine.isolation, "strict");
    assert.equal(parsed.engine.tmpSizeMb, 64);
    assert.equal(parsed.engine.freezeAfterMs, 250);
    assert.deepEqual(parsed.engine.sandboxUids, { first: 3_000_000, count: 1000 });
    assert.throws(() => parseConfig(JSON.parse(JSON.stringify(configFromArgs(["serve", "--isolation", "paranoid"]))) as ConfigInput), /isolation/);
    assert.throws(() => configFromArgs(["serve", "--sandbox-uids", "lots"]), /FIRST:COUNT/);
  });
});
