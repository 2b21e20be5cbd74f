/**
 * The one way tests start Quiver: `startQuiver()` builds a server from test defaults (a temp
 * data dir, the two test accounts, silent logs, no pre-started runtime processes) plus the
 * test's overrides, in one of three modes:
 *
 * - `inject`: in this process, no socket; requests go through `inject()` (wire-shape tests).
 * - `listen` (default): in this process on 127.0.0.1:0, for the official SDKs and raw sockets.
 * - `process`: a child process, only for tests that need a real one (SIGKILL, exit codes).
 */
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { fileURLToPath } from "node:url";
import { parseConfig, type ConfigInput, type QuiverConfig } from "../../src/config/config.js";
import { createQuiver, type Quiver } from "../../src/server/app.js";
import { ACCOUNTS, tempDir, writeAccountsFile, type TestAccount } from "./accounts.js";
import { spawnNode, waitForListening, type CliProcess } from "./cli.js";

// The SDKs send through http_proxy when it is set; tests talk to 127.0.0.1 only.
for (const name of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]) Reflect.deleteProperty(process.env, name);

/** Where a server keeps its data: a data dir and, beside it, the accounts file (the data dir is 0700). */
export interface TestDirs {
  readonly root: string;
  readonly dataDir: string;
  readonly accountsFile: string;
  remove(): void;
}

export function testDirs(accounts: readonly TestAccount[] = ACCOUNTS): TestDirs {
  const dir = tempDir();
  return { root: dir.path, dataDir: join(dir.path, "data"), accountsFile: writeAccountsFile(dir.path, accounts), remove: dir.remove };
}

export type Overrides = Omit<ConfigInput, "dataDir" | "accountsFile" | "port" | "host">;

export interface StartOptions extends Overrides {
  readonly mode?: "inject" | "listen" | "process";
  /** Dirs to use (and keep) instead of fresh ones, e.g. to start again on the same data. */
  readonly dirs?: TestDirs;
  /** The accounts of fresh dirs (default ALICE and BOB). */
  readonly accounts?: readonly TestAccount[];
}

/** How a test reaches a server, whichever mode started it. */
interface Reachable {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, as the Tencent SDK's `endpoint` wants it. */
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
}

export interface TestQuiver extends Reachable {
  /** The running Quiver (replaced by `restart()`). */
  readonly quiver: Quiver;
  readonly config: QuiverConfig;
  /** Sends a request through Fastify's in-process injection (no socket); works in every mode. */
  inject(request: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** Closes the server and opens a new one on the same data directory (a new port). */
  restart(): Promise<void>;
  /** Closes the server and removes its dirs unless they were given. */
  stop(): Promise<void>;
}

export interface QuiverProcess extends Reachable, CliProcess {
  /** Sends `signal` (default SIGKILL) and resolves with the exit code or signal once it is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** SIGTERM (a graceful close), then removes its dirs unless they were given. */
  stop(): Promise<number | string>;
}

/** The configuration a test server runs with: test defaults, then the test's overrides. */
export function testConfig(overrides: Overrides, dirs: TestDirs): ConfigInput {
  return {
    logLevel: "silent",
    ...overrides,
    // Pre-started runtime processes cost every server a Node.js and a Python start; a test that
    // is about them asks for them.
    engine: { prewarm: { nodejs: 0, python: 0 }, ...overrides.engine },
    host: "127.0.0.1",
    port: 0,
    dataDir: dirs.dataDir,
    accountsFile: dirs.accountsFile,
  };
}

export function startQuiver(options: StartOptions & { mode: "process" }): Promise<QuiverProcess>;
export function startQuiver(options?: StartOptions & { mode?: "inject" | "listen" }): Promise<TestQuiver>;
export async function startQuiver(options: StartOptions = {}): Promise<TestQuiver | QuiverProcess> {
  const { mode = "listen", dirs: given, accounts, ...overrides } = options;
  const dirs = given ?? testDirs(accounts);
  const input = testConfig(overrides, dirs);
  const cleanup = (): void => (given ? undefined : dirs.remove());
  if (mode === "process") return startProcess(input, dirs, cleanup);
  const config = parseConfig(input);
  const listen = mode === "listen";
  const open = async (): Promise<{ quiver: Quiver; url: string | undefined }> => {
    const quiver = await createQuiver(config);
    return { quiver, url: listen ? await quiver.listen() : undefined };
  };
  let current = await open();
  let stopped = false;
  const url = (): string => current.url ?? failWith("an inject-mode server has no URL; use inject()");
  return {
    get quiver() {
      return current.quiver;
    },
    get url() {
      return url();
    },
    get endpoint() {
      return url().replace(/^http:\/\//, "");
    },
    get port() {
      return Number(new URL(url()).port);
    },
    dataDir: config.dataDir,
    config,
    inject: (request) => current.quiver.app.inject(request),
    async restart() {
      await current.quiver.close();
      current = await open();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await current.quiver.close();
      cleanup();
    },
  };
}

function failWith(message: string): never {
  throw new Error(message);
}

const CHILD = fileURLToPath(new URL("./quiver-child.ts", import.meta.url));

async function startProcess(input: ConfigInput, dirs: TestDirs, cleanup: () => void): Promise<QuiverProcess> {
  const cli = spawnNode(CHILD, [JSON.stringify(input)]);
  // A child compiles the server with tsx before it listens, which takes long on a busy machine;
  // the bound is there so that a start that never comes fails the test.
  const url = await waitForListening(cli, 120_000).catch(async (error: unknown) => {
    cli.child.kill("SIGKILL");
    await cli.exited;
    cleanup();
    throw error;
  });
  const kill = async (signal: NodeJS.Signals = "SIGKILL"): Promise<number | string> => {
    cli.child.kill(signal);
    return cli.exited;
  };
  return {
    ...cli,
    url,
    endpoint: url.replace(/^http:\/\//, ""),
    port: Number(new URL(url).port),
    dataDir: dirs.dataDir,
    kill,
    async stop() {
      const code = await kill("SIGTERM");
      cleanup();
      return code;
    },
  };
}

/** The engine part of a configuration (instances, queues, isolation). */
export type EngineInput = NonNullable<ConfigInput["engine"]>;
