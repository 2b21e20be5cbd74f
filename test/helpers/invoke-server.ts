/**
 * Helpers for the invocation tests: a real Quiver server on port 0 with a temp data dir and an
 * accounts file, official Tencent SDK clients pointed at it, and zips built with yazl.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import tencentcloud from "tencentcloud-sdk-nodejs-scf";
import yazl from "yazl";
import { parseConfig, type ConfigInput } from "../../src/config/config.js";
import { createQuiver, type Quiver } from "../../src/server/app.js";

// The Tencent SDK honours proxy variables; the server is local.
for (const k of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]) Reflect.deleteProperty(process.env, k);

const ScfClient = tencentcloud.scf.v20180416.Client;
export type Scf = InstanceType<typeof ScfClient>;

export const REGION = "ap-guangzhou";

export interface TestAccount {
  readonly name: string;
  readonly appId: string;
  readonly uin: string;
  readonly tencent: { readonly secretId: string; readonly secretKey: string };
}

export const ACCOUNTS: readonly TestAccount[] = [
  { name: "alice", appId: "1250000001", uin: "100000000001", tencent: { secretId: "AKIDalice0000000000000000000000000001", secretKey: "alice-secret-key-000000000000000001" } },
  { name: "bob", appId: "1250000002", uin: "100000000002", tencent: { secretId: "AKIDbob000000000000000000000000000002", secretKey: "bob-secret-key-00000000000000000002" } },
];

/** A temp data dir with an accounts file in a sibling directory (the data dir itself is 0700). */
export function makeDirs(): { root: string; dataDir: string; accountsFile: string } {
  const root = mkdtempSync(join(tmpdir(), "quiver-invoke-"));
  const dataDir = join(root, "data");
  const accountsFile = join(root, "accounts.json");
  writeFileSync(accountsFile, JSON.stringify(ACCOUNTS));
  return { root, dataDir, accountsFile };
}

export function client(port: number, account: TestAccount = ACCOUNTS[0] as TestAccount): Scf {
  return new ScfClient({
    credential: { secretId: account.tencent.secretId, secretKey: account.tencent.secretKey },
    region: REGION,
    profile: { httpProfile: { endpoint: `127.0.0.1:${port}`, protocol: "http://", reqTimeout: 60 } },
  });
}

export interface TestServer {
  readonly quiver: Quiver;
  readonly port: number;
  readonly dataDir: string;
  readonly scf: Scf;
  client(account?: TestAccount): Scf;
  close(): Promise<void>;
}

export type EngineInput = NonNullable<ConfigInput["engine"]>;

export async function startServer(engine: EngineInput = {}, dirs = makeDirs()): Promise<TestServer> {
  const quiver = await createQuiver(
    parseConfig({
      port: 0,
      dataDir: dirs.dataDir,
      accountsFile: dirs.accountsFile,
      region: REGION,
      logLevel: "silent",
      rateLimits: { enabled: false, overrides: {} },
      engine: { prewarm: { nodejs: 0, python: 0 }, ...engine },
    }),
  );
  const url = await quiver.listen();
  const port = Number(new URL(url).port);
  return {
    quiver,
    port,
    dataDir: dirs.dataDir,
    scf: client(port),
    client: (account) => client(port, account),
    async close() {
      await quiver.close();
      rmSync(dirs.root, { recursive: true, force: true });
    },
  };
}

/** Base64 of a zip holding `files`. */
export function zip(files: Record<string, string>): Promise<string> {
  const z = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) z.addBuffer(Buffer.from(text), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks).toString("base64")));
    z.outputStream.on("error", reject);
  });
}

/** The error code of a rejected SDK call (`Response.Error.Code`); fails when the call succeeds. */
export async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error("expected the call to fail");
}

export interface CreateSpec {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly runtime?: string;
  readonly handler?: string;
  readonly memory?: number;
  readonly timeout?: number;
  readonly env?: Record<string, string>;
}

export async function createFunction(scf: Scf, spec: CreateSpec): Promise<void> {
  await scf.CreateFunction({
    FunctionName: spec.name,
    Runtime: spec.runtime ?? "Nodejs18.15",
    Handler: spec.handler ?? "index.main_handler",
    MemorySize: spec.memory ?? 128,
    Timeout: spec.timeout ?? 3,
    Environment: { Variables: Object.entries(spec.env ?? {}).map(([Key, Value]) => ({ Key, Value })) },
    Code: { ZipFile: await zip(spec.files) },
  });
}

export interface InvokeResult {
  readonly RetMsg: string;
  readonly ErrMsg: string;
  readonly Log: string;
  readonly FunctionRequestId: string;
  readonly InvokeResult: number;
}

/** Synchronous Invoke; returns `Result`. */
export async function invoke(scf: Scf, name: string, event: unknown = {}, extra: { Qualifier?: string; LogType?: string; RoutingKey?: string } = {}): Promise<InvokeResult> {
  const r = await scf.Invoke({ FunctionName: name, ClientContext: JSON.stringify(event), ...extra });
  return r.Result as InvokeResult;
}

/**
 * The return value of a successful invoke (fails with the error document otherwise): RetMsg
 * parsed as JSON, or as it is when it is not JSON (a returned string comes back unquoted).
 */
export async function call(scf: Scf, name: string, event: unknown = {}, extra: { Qualifier?: string; RoutingKey?: string } = {}): Promise<unknown> {
  const r = await invoke(scf, name, event, extra);
  if (r.InvokeResult !== 0) throw new Error(`invoke of ${name} failed: ${r.ErrMsg}`);
  try {
    return JSON.parse(r.RetMsg) as unknown;
  } catch {
    return r.RetMsg;
  }
}

export interface ErrorDocument {
  readonly errorCode: number;
  readonly errorMessage: string;
  readonly requestId: string;
  readonly stackTrace: string;
  readonly statusCode: number;
}

export function errorDoc(r: InvokeResult): ErrorDocument {
  return JSON.parse(r.ErrMsg) as ErrorDocument;
}

/** Polls GetAsyncEventStatus until the status leaves RUNNING (or the deadline passes). */
export async function waitAsync(scf: Scf, id: string, deadlineMs = 30_000): Promise<{ Status: string; StatusCode: number; seen: string[] }> {
  const seen: string[] = [];
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = (await scf.GetAsyncEventStatus({ InvokeRequestId: id })).Result as { Status: string; StatusCode: number };
    if (seen.at(-1) !== r.Status) seen.push(r.Status);
    if (r.Status !== "RUNNING" || Date.now() > end) return { ...r, seen };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---- a server in a child process (for SIGKILL tests) -----------------------------------------

const LAUNCHER = fileURLToPath(new URL("./invoke-launcher.ts", import.meta.url));

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly scf: Scf;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close); resolves once the process is gone. */
  stop(): Promise<void>;
}

export async function startChildServer(dataDir: string, accountsFile: string, engine: EngineInput = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", LAUNCHER, JSON.stringify({ dataDir, accountsFile, engine })], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${String(code)}): ${out}`)));
  });
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    port,
    scf: client(port),
    async kill() {
      child.kill("SIGKILL");
      await gone;
    },
    async stop() {
      child.kill("SIGTERM");
      await gone;
    },
  };
}
