import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { childEnv } from "./baselines.js";

export const PEERS_DIR = fileURLToPath(new URL("../peers/", import.meta.url));

/**
 * Installs the peers into bench/peers on first use (npm install --prefix): they are never
 * product dependencies. Returns why they are unavailable, or null when they are ready.
 */
export function ensurePeers(): string | null {
  if (existsSync(`${PEERS_DIR}node_modules/serverless-offline`) && existsSync(`${PEERS_DIR}node_modules/lambda-local`)) return null;
  process.stdout.write("installing peers into bench/peers (first run only, ~2 min)…\n");
  try {
    execFileSync("npm", ["install", "--prefix", PEERS_DIR, "--no-audit", "--no-fund"], { stdio: "ignore", timeout: 8 * 60_000 });
    return null;
  } catch (error) {
    return `npm install --prefix bench/peers failed: ${(error as Error).message.split("\n")[0] ?? ""}`;
  }
}

export interface OfflinePeer {
  readonly port: number;
  readonly startupMs: number;
  readonly path: string;
  stop(): Promise<void>;
}

/** `serverless offline start` (serverless 3 + serverless-offline 13) as a child process. */
export function startServerlessOffline(port: number): Promise<OfflinePeer> {
  const env = { ...childEnv(), SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", SLS_DEPRECATION_DISABLE: "*" };
  const cli = `${PEERS_DIR}node_modules/serverless/bin/serverless.js`;
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, [cli, "offline", "start", "--lambdaPort", String(port), "--httpPort", String(port + 1), "--host", "127.0.0.1"], { cwd: `${PEERS_DIR}svc`, env, stdio: ["ignore", "pipe", "pipe"] });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serverless offline did not start in 60 s: ${out.slice(-300)}`));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (!out.includes("quiver-bench-dev-echo")) return;
      clearTimeout(timer);
      resolve({ port, startupMs: performance.now() - start, path: "/2015-03-31/functions/quiver-bench-dev-echo/invocations", stop });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited with ${code}: ${out.slice(-300)}`));
    });
  });
}
