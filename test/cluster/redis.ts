import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** The Redis every developer and CI machine runs (`QUIVER_TEST_REDIS_URL` to point elsewhere). */
export const REDIS_URL = process.env.QUIVER_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** A key prefix of its own for each test, so tests running at once never share a counter. */
export function testKeyPrefix(): string {
  return `quiver-test:${randomBytes(6).toString("hex")}:`;
}

/** Deletes what a test wrote under its prefix (split counters would otherwise stay a week). */
export async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** A free loopback port with nothing listening on it (a Redis that is down). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

/** A throwaway redis-server on `port` (no persistence), for a Redis that comes back. */
export async function startRedisServer(port: number): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${String(code)}): ${output}`)));
  });
  return {
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}
