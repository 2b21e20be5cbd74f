import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnCli, waitForListening, type CliProcess } from "../helpers/cli.js";

// The SDKs honour http_proxy; the suite talks to 127.0.0.1 only.
for (const name of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"]) Reflect.deleteProperty(process.env, name);

/**
 * Two accounts with keys for both dialects. Alice's Huawei project lives in the SCF default
 * region, so a function created through one API is visible through the other.
 */
export const ALICE = {
  name: "alice",
  appId: "1250000001",
  uin: "100000000001",
  tencent: { secretId: "AKIDalice0000000000000000000000000", secretKey: "alice-tencent-secret-key-0000000000" },
  huawei: {
    projectId: "0123456789abcdef0123456789abcdef",
    domainId: "domain0000000000000000000000alice",
    region: "ap-guangzhou",
    accessKey: "ALICEAK0000000000000",
    secretKey: "alice-huawei-secret-key-0000000000000000",
    authToken: "alice-static-token-0123456789",
  },
} as const;

export const BOB = {
  name: "bob",
  appId: "1250000002",
  uin: "100000000002",
  tencent: { secretId: "AKIDbob00000000000000000000000000", secretKey: "bob-tencent-secret-key-00000000000" },
  huawei: {
    projectId: "fedcba9876543210fedcba9876543210",
    domainId: "domain00000000000000000000000bob",
    region: "ap-guangzhou",
    accessKey: "BOBAK000000000000000",
    secretKey: "bob-huawei-secret-key-000000000000000000",
    authToken: "bob-static-token-0123456789abc",
  },
} as const;

/** Strings that must never appear in an answer. */
export const SECRETS: readonly string[] = [ALICE, BOB].flatMap((a) => [a.tencent.secretKey, a.huawei.secretKey, a.huawei.authToken]);

export function writeAccounts(dir: string): string {
  const path = join(dir, "accounts.json");
  writeFileSync(path, JSON.stringify([ALICE, BOB], null, 2));
  return path;
}

/** A `quiver serve` child process, started from source the way users run it. */
export interface ServerChild {
  readonly cli: CliProcess;
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, as the Tencent SDK's `endpoint` wants it. */
  readonly endpoint: string;
  /** True until the process has exited. */
  alive(): boolean;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean stop), resolved with the exit code or signal. */
  stop(): Promise<number | string>;
  /** The end of what the server printed, for failure messages. */
  outputTail(chars?: number): string;
}

export interface ServerOptions {
  readonly dataDir: string;
  readonly accountsFile: string;
  readonly extraArgs?: readonly string[];
  readonly logLevel?: string;
}

export async function startServerChild(o: ServerOptions): Promise<ServerChild> {
  mkdirSync(o.dataDir, { recursive: true });
  const args = ["serve", "--port", "0", "--data-dir", o.dataDir, "--accounts", o.accountsFile, "--region", "ap-guangzhou", "--log-level", o.logLevel ?? "warn", "--no-rate-limit", ...(o.extraArgs ?? [])];
  const cli = spawnCli(args);
  let exited = false;
  // A test runner that ends without stopping its server (a crash, a timeout) must not leave it running.
  const orphanGuard = (): void => void cli.child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  void cli.exited.then(() => {
    exited = true;
    process.removeListener("exit", orphanGuard);
  });
  let url: string;
  try {
    url = await waitForListening(cli, 60_000);
  } catch (error) {
    if (!exited) cli.child.kill("SIGKILL");
    await cli.exited;
    throw error;
  }
  const pid = cli.child.pid;
  if (pid === undefined) throw new Error("the server child has no pid");
  const endpoint = url.replace(/^http:\/\//, "");
  return {
    cli,
    pid,
    url,
    port: Number(new URL(url).port),
    endpoint,
    alive: () => !exited,
    async kill9() {
      if (!exited) cli.child.kill("SIGKILL");
      await cli.exited;
    },
    async stop() {
      if (!exited) cli.child.kill("SIGTERM");
      return cli.exited;
    },
    outputTail: (chars = 2000) => `stdout: ${cli.stdout().slice(-chars)}\nstderr: ${cli.stderr().slice(-chars)}`,
  };
}
