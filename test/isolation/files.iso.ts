/**
 * Hostile tenant vs. files: another account's code (extracted and blob), another instance's
 * temp dir, the accounts file and data dir, and writes outside /tmp.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, before, describe } from "../helpers/node-test.js";
import { perLang, SKIP, Tenancy, type Attempt, type Lang } from "./tenancy.js";

void describe("isolation: files", () => {
  let ten: Tenancy;
  before(async () => {
    if (SKIP) return; // every test is skipped, with the reason
    ten = await Tenancy.start();
  });
  after(() => ten?.close());

  perLang("cannot list or read another account's extracted code", { short: ["node"] }, async (t, lang) => {
    const b = await ten.victim(lang);
    const tree = join(ten.layout.codeDir, ten.deployed(ten.victimName(lang)).sha256);
    if (!existsSync(join(tree, lang.file))) t.diagnostic(`B's code is not at the host cache path ${tree} (the attempt is made anyway)`);
    const attempts: Attempt[] = [
      { op: "readFile", path: join(tree, lang.file) },
      { op: "listDir", path: tree },
      { op: "listDir", path: ten.layout.codeDir },
      // B's own view of its code, reached through its host pid.
      { op: "readFile", path: `/proc/${b.hostPid}/cwd/${lang.file}` },
      { op: "readFile", path: `/proc/${b.hostPid}/root/var/user/${lang.file}` },
    ];
    ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, "A read B's extracted code");
  });

  perLang("cannot read another account's code blob (default blob dir)", {}, async (_t, lang) => {
    await blobAttempt(ten, lang);
  });

  void describe("with --blob-dir", () => {
    let shared: Tenancy;
    before(async () => {
      if (SKIP) return; // every test is skipped, with the reason
      shared = await Tenancy.start({ separateBlobDir: true });
    });
    after(() => shared?.close());
    perLang("cannot read another account's code blob (--blob-dir)", { short: ["python"] }, async (_t, lang) => {
      await blobAttempt(shared, lang);
    });
  });

  perLang("cannot read another instance's temp dir or list the instances dir", { short: ["python"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const dir = join(ten.layout.instancesDir, b.instance);
    const attempts: Attempt[] = [
      { op: "listDir", path: ten.layout.instancesDir },
      { op: "listDir", path: dir },
      { op: "readFile", path: join(dir, "victim-secret.txt") },
      // B's private /tmp, reached through its host pid.
      { op: "listDir", path: `/proc/${b.hostPid}/root/tmp` },
      { op: "readFile", path: `/proc/${b.hostPid}/root/tmp/victim-secret.txt` },
    ];
    ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, "A reached B's temp dir");
  });

  perLang("cannot read the accounts file or the data dir", { short: ["node"] }, async (_t, lang) => {
    assert.equal(statSync(ten.accountsFile).mode & 0o777, 0o644, "the accounts file is world-readable, so only the sandbox can protect it");
    const files = readdirSync(ten.dataDir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(ten.dataDir, e.name));
    assert.ok(files.length > 0, "the data dir holds files to try");
    const attempts: Attempt[] = [
      { op: "readFile", path: ten.accountsFile },
      { op: "listDir", path: ten.root },
      { op: "listDir", path: ten.dataDir },
      ...files.map((path) => ({ op: "readFile", path })),
      { op: "listDir", path: ten.runDir },
    ];
    ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, "A read Quiver's accounts file or data dir");
  });

  perLang("cannot write outside /tmp", { short: ["node"] }, async (_t, lang) => {
    const own = join(ten.layout.codeDir, ten.deployed(ten.probeName(lang)).sha256);
    const hostTmp = tmpdir();
    const dirs = ["/", "/var/user", "/opt/function/code", "/usr", "/etc", hostTmp, ten.runDir, ten.layout.instancesDir, ten.layout.codeDir, own, ten.root, ten.dataDir];
    const name = `qiso-${randomBytes(6).toString("hex")}`;
    const attempts: Attempt[] = dirs.map((dir) => ({ op: "write", path: join(dir, name), bytes: 16 }));
    try {
      const answer = await ten.probe(ten.probeName(lang), attempts);
      const problems: string[] = [];
      answer.results.forEach((r, i) => {
        const dir = dirs[i] as string;
        const onHost = existsSync(join(dir, name));
        if (onHost) problems.push(`${join(dir, name)} was created on the host`);
        // The sandbox's /tmp is its own tmpfs: a write to /tmp may work, as long as the host never sees it.
        else if (r.ok && dir !== "/tmp") problems.push(`writing into ${dir} worked`);
      });
      if (problems.length > 0) assert.fail(`A wrote outside its /tmp:\n  ${problems.join("\n  ")}`);
    } finally {
      for (const dir of dirs) rmSync(join(dir, name), { force: true });
    }
  });
});

/** A reads B's code zip in the blob dir (and lists the dir). */
async function blobAttempt(ten: Tenancy, lang: Lang): Promise<void> {
  const sha = ten.deployed(ten.victimName(lang)).sha256;
  const blob = join(ten.blobDir, sha.slice(0, 2), sha);
  assert.ok(existsSync(blob), `B's code blob is at ${blob} on the host`);
  const attempts: Attempt[] = [
    { op: "readFile", path: blob },
    { op: "listDir", path: join(ten.blobDir, sha.slice(0, 2)) },
    { op: "listDir", path: ten.blobDir },
  ];
  ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, `A read B's code blob in ${ten.blobDir}`);
}
