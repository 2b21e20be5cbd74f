import type { HuaweiBenchKeys } from "./fgs-client.js";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchAccount {
  readonly secretId: string;
  readonly secretKey: string;
}

export interface RunningServer {
  readonly port: number;
  readonly child: ChildProcess;
  readonly account: BenchAccount;
  readonly huawei: HuaweiBenchKeys;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/quiver.js", import.meta.url));
let built = false;

/**
 * Compiles the server (`npm run build`, as `npm start` does), once per bench run: the bench
 * measures the server users run, not a TypeScript loader's output. tsx's transform wraps every
 * function it creates in a naming helper and costs some 15 % of saturated trigger throughput.
 */
function buildServer(): void {
  if (built) return;
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  built = true;
}

/** Starts `quiver serve` as its own process (as users run it: compiled), on a free port and a fresh data dir. */
export async function startQuiver(extraArgs: string[] = []): Promise<RunningServer> {
  buildServer();
  const dir = mkdtempSync(join(tmpdir(), "quiver-bench-"));
  const account: BenchAccount = { secretId: "AKIDbench0000000000000000000000000", secretKey: "benchsecretkey000000000000000000" };
  const accountsFile = join(dir, "accounts.json");
  const huawei = { projectId: "benchproject0000000000000000000", domainId: "benchdomain", region: "ap-guangzhou", accessKey: "BENCHACCESSKEY000000", secretKey: "benchhuaweisecret0000000000000000000000" };
  writeFileSync(accountsFile, JSON.stringify([{ name: "bench", appId: "1250000000", uin: "100000000001", tencent: account, huawei }]));
  // bin/quiver.js's own shebang line: its malloc threshold and --expose-gc.
  const env: NodeJS.ProcessEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: "131072" };
  delete env["NODE_EXTRA_CA_CERTS"];
  // QUIVER_BENCH_SERVER_NODE_FLAGS adds Node flags to the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = (process.env["QUIVER_BENCH_SERVER_NODE_FLAGS"] ?? "").split(" ").filter((flag) => flag !== "");
  const child = spawn(process.execPath, ["--expose-gc", ...nodeFlags, BIN, "serve", "--port", "0", "--data-dir", join(dir, "data"), "--accounts", accountsFile, "--log-level", "warn", "--no-rate-limit", ...extraArgs], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Quiver listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (match?.[1]) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`quiver exited early with ${code}: ${out}`)));
  });
  return {
    port,
    child,
    account,
    huawei,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
