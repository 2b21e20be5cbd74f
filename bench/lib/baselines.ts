import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { post } from "./scf-client.js";
import { summarize, type Summary } from "./stats.js";

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

const ECHO_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => { res.setHeader("content-type", "application/json"); res.end(Buffer.concat(chunks)); });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

/** A bare Node HTTP echo server in its own process: the loopback floor of any HTTP API call. */
export async function httpEchoFloor(samples: number): Promise<Summary> {
  const env = { ...process.env };
  delete env["NODE_EXTRA_CA_CERTS"];
  const child = spawn(process.execPath, ["-e", ECHO_SERVER], { env, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = Buffer.from(JSON.stringify({ FunctionName: "bench", Description: "" }));
  const times: number[] = [];
  for (let i = 0; i < samples + 50; i += 1) {
    const start = performance.now();
    await post(agent, port, "/", { "content-type": "application/json" }, body);
    if (i >= 50) times.push(performance.now() - start);
  }
  agent.destroy();
  child.kill();
  return summarize(times);
}
