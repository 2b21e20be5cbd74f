import Database from "better-sqlite3";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize, type Summary } from "./stats.js";

/** The environment every measured child gets: NODE_EXTRA_CA_CERTS alone costs ~40 ms per Node start. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env["NODE_EXTRA_CA_CERTS"];
  delete env["NODE_OPTIONS"];
  return env;
}

/** The durable-commit floor under every publish: one small WAL insert with synchronous=FULL. */
export function sqliteCommitFloor(samples: number): Summary {
  const db = new Database(join(mkdtempSync(join(tmpdir(), "quiver-floor-")), "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = performance.now();
    db.transaction(() => insert.run(`{"version":${i}}`)).immediate();
    times.push(performance.now() - start);
  }
  db.close();
  return summarize(times);
}

/** `python3` on PATH is a pyenv shim that costs ~0.5 s; the floor is the interpreter itself. */
export function realPython(): string {
  return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
}

function runOnce(file: string, args: readonly string[]): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: childEnv(), stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - start));
  });
}

/** Process start floor: spawn → exit of `file args`, after a few unmeasured warm-ups. */
export async function processStartFloor(file: string, args: readonly string[], samples: number): Promise<number[]> {
  for (let i = 0; i < 3; i += 1) await runOnce(file, args);
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) times.push(await runOnce(file, args));
  return times;
}
