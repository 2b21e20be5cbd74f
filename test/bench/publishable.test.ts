import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "../helpers/node-test.js";
import { fileURLToPath } from "node:url";
import { publishability, type ScenarioLoad } from "../../bench/lib/publishable.js";
import { markdown, type RunInfo } from "../../bench/report/markdown.js";
import { tempDir } from "../helpers/accounts.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const at = (name: string, loadavg1: number): ScenarioLoad => ({ name, loadavg1, startedAt: "2026-01-01T10:00:00.000Z" });
const info = (scenarios?: ScenarioLoad[]): RunInfo => ({ date: "2026-01-01T10:00:00.000Z", command: "npm run bench", machine: "test", loadavg: { start: [0.1, 0.1, 0.1], end: [0.2, 0.2, 0.2] }, seconds: 1, ...(scenarios ? { scenarios } : {}) });

void describe("benchmark runs are publishable only on a quiet machine", () => {
  void test("a run is publishable when every scenario started at a 1-minute load of at most 0.5", { timeout: 5_000 }, () => {
    assert.deepEqual(publishability([at("floors", 0.1), at("peers", 0.5)]), { publishable: true, reasons: [] });
    const busy = publishability([at("floors", 0.1), at("warm invoke latency", 0.51)]);
    assert.equal(busy.publishable, false);
    assert.deepEqual(busy.reasons, ['"warm invoke latency" started at a 1-minute load average of 0.51 (limit 0.5)']);
    assert.equal(publishability(undefined).publishable, false, "a run without per-scenario loads proves nothing");
  });

  void test("the report of an unpublishable run says so in its title and banner, and lists every scenario's load", { timeout: 5_000 }, () => {
    const busy = markdown(info([at("floors", 0.2), at("peers", 2.4)]), [], [], [], [], "");
    assert.match(busy.split("\n")[0] ?? "", /NOT PUBLISHABLE/);
    assert.match(busy, /^> \*\*NOT PUBLISHABLE\.\*\* "peers" started at a 1-minute load average of 2\.40 \(limit 0\.5\)\./m);
    assert.match(busy, /\| floors \| 10:00:00 \| 0\.20 \| ✅ \|/);
    assert.match(busy, /\| peers \| 10:00:00 \| 2\.40 \| ❌ \|/);
    const many = markdown(info([at("a", 0.7), at("b", 1.2), at("c", 0.9), at("d", 3.1), at("e", 0.1)]), [], [], [], [], "");
    assert.match(many, /^> \*\*NOT PUBLISHABLE\.\*\* 4 of 5 scenarios started above a 1-minute load average of 0\.5 \(up to 3\.10; see the table below\)\./m);
    const quiet = markdown(info([at("floors", 0.2)]), [], [], [], [], "");
    assert.equal(quiet.split("\n")[0], "# Quiver performance report");
    assert.doesNotMatch(quiet, /NOT PUBLISHABLE/);
  });

  void test("render --docs refuses to overwrite docs/performance.md with an unpublishable run", { timeout: 60_000 }, () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, "run.json");
      writeFileSync(file, JSON.stringify({ ...info([at("floors", 3)]), rows: [], points: [], notes: [], targets: [] }));
      const docs = readFileSync(join(ROOT, "docs/performance.md"), "utf8");
      const refused = spawnSync(process.execPath, ["--import", "tsx", "bench/report/render.ts", file, "--docs"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /Not writing docs\/performance\.md: this run is not publishable:\n {2}- "floors" started at a 1-minute load average of 3\.00/);
      assert.equal(readFileSync(join(ROOT, "docs/performance.md"), "utf8"), docs, "docs/performance.md is untouched");
      const saved = JSON.parse(readFileSync(file, "utf8")) as { publishable: boolean };
      assert.equal(saved.publishable, false, "the results JSON records the verdict");
      assert.match(readFileSync(join(dir.path, "run", "report.md"), "utf8"), /NOT PUBLISHABLE/, "the run's own report is written, labelled");
    } finally {
      dir.remove();
    }
  });
});
