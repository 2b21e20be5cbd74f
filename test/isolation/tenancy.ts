/**
 * The hostile-tenant harness: a real Quiver with two accounts, account A running the probe
 * (test/isolation/functions/probe.*) and account B the victim (victim.*), plus what the test
 * side may look at on the host (instance cgroups, host pids, uids) to aim the probe at B.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { test, type TestContext } from "../helpers/node-test.js";
import { parseConfig } from "../../src/config/config.js";
import { PIDS_ROOT } from "../../src/runtime/cgroups.js";
import { runLayout, type RunLayout } from "../../src/runtime/options.js";
import { createQuiver } from "../../src/server/app.js";
import { runDirFor } from "../../src/server/data-dir-lock.js";
import { ACCOUNTS, ALICE, BOB } from "../helpers/accounts.js";
import { type CliProcess, spawnCli, waitForListening } from "../helpers/cli.js";
import { fg, fgClient, invoke as fgInvoke, resultOf, urnOf } from "../helpers/fgs-sdk.js";
import type { EngineInput } from "../helpers/quiver.js";
import { type ScfClient, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

// ---- which form runs, and where it can run ----------------------------------------------------

/**
 * `QUIVER_ISOLATION=short`: the representative subset CI runs (well under a minute). Unset, the
 * reliability suite's `QUIVER_RELIABILITY=short` selects it too, so that suite's short form
 * carries this one's.
 */
export const SHORT = (process.env["QUIVER_ISOLATION"] ?? process.env["QUIVER_RELIABILITY"]) === "short";

function onPath(command: string): boolean {
  return (process.env["PATH"] ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the suite cannot run here, or false when it can. */
export const SKIP: string | false =
  process.getuid?.() !== 0
    ? "needs root: Quiver sandboxes instances (bwrap, per-instance uids, cgroups) only when it runs as root"
    : !onPath("bwrap")
      ? "bwrap is not installed: Quiver cannot sandbox instances on this host"
      : false;

// ---- languages ---------------------------------------------------------------------------------

export interface Lang {
  readonly name: "node" | "python";
  readonly runtime: string;
  readonly fgRuntime: string;
  /** The file the handler lives in, as zipped. */
  readonly file: string;
  readonly probe: string;
  readonly victim: string;
}

const FUNCTIONS = new URL("./functions/", import.meta.url);
const source = (name: string): string => readFileSync(new URL(name, FUNCTIONS), "utf8");

export const LANGS: readonly Lang[] = [
  { name: "node", runtime: "Nodejs18.15", fgRuntime: "Node.js18.15", file: "index.js", probe: source("probe.js"), victim: source("victim.js") },
  { name: "python", runtime: "Python3.9", fgRuntime: "Python3.9", file: "index.py", probe: source("probe.py"), victim: source("victim.py") },
];

/**
 * Registers one test per language, named `<lang>: <what>`. `short` lists the languages that
 * also run in the short form; the full form runs them all.
 */
export function perLang(what: string, opts: { short?: readonly Lang["name"][]; timeout?: number; skip?: string | false }, fn: (t: TestContext, lang: Lang) => Promise<void>): void {
  for (const lang of LANGS) {
    if (SHORT && !(opts.short ?? []).includes(lang.name)) continue;
    const skip = SKIP || opts.skip || false;
    void test(`${lang.name}: ${what}`, { timeout: opts.timeout ?? 60_000, ...(skip ? { skip } : {}) }, (t) => fn(t, lang));
  }
}

// ---- accounts and secrets ------------------------------------------------------------------------

/** Account A (alice) runs the probe; account B (bob) runs the victim. Both dialects' keys. */
export { ALICE, BOB };

export interface Secrets {
  /** B's secret in its environment (VICTIM_SECRET). */
  readonly env: string;
  /** B's secret in its code. */
  readonly code: string;
}

/** Prefixes a memory scan looks for (an attacker knows the shape, not the value). */
export const SECRET_NEEDLES = ["QSECRET-", "QCODE-"];

// ---- probe answers -----------------------------------------------------------------------------

export interface Attempt {
  readonly op: string;
  readonly [arg: string]: unknown;
}

export interface Outcome {
  readonly op: string;
  readonly ok: boolean;
  readonly code?: string | null;
  readonly message?: string;
  readonly data?: unknown;
}

export interface ProbeAnswer {
  readonly pid: number;
  readonly results: readonly Outcome[];
}

export interface VictimAnswer {
  readonly token: string;
  readonly pid: number;
  readonly holdsSecrets: boolean;
}

/** A short, printable rendering of what an attempt sent or got back, for failure messages. */
export const show = (value: unknown): string => {
  const text = (JSON.stringify(value) ?? "undefined").replace(/\\u00[0-9a-f]{2}|[^\x20-\x7e]/g, ".");
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

// ---- the host side -------------------------------------------------------------------------------

/** The pids in a cgroup.procs file (none when it is gone). */
export function cgroupProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter((l) => l.trim() !== "").map(Number);
  } catch {
    return [];
  }
}

function status(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "";
  }
}

/** The pid a host process has in the innermost pid namespace it belongs to. */
export function innerPid(hostPid: number): number | undefined {
  const line = /^NSpid:\s+(.+)$/m.exec(status(hostPid))?.[1];
  const last = line?.trim().split(/\s+/).at(-1);
  return last === undefined ? undefined : Number(last);
}

/** True when the pid lives in a pid namespace of its own (not the host's). */
export function inOwnPidNamespace(hostPid: number): boolean {
  return (/^NSpid:\s+(.+)$/m.exec(status(hostPid))?.[1] ?? "").trim().split(/\s+/).length > 1;
}

/** Real, effective, saved and filesystem uids of a host process. */
export function uidsOf(hostPid: number): number[] {
  return (/^Uid:\s+(.+)$/m.exec(status(hostPid))?.[1] ?? "").trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A process identity that survives pid reuse: pid plus its start time (clock ticks since boot). */
export interface HostProcess {
  readonly pid: number;
  readonly start: string;
}

export function identify(pid: number): HostProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime), counted after the parenthesised command name.
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return start === undefined ? undefined : { pid, start };
  } catch {
    return undefined;
  }
}

/** Still running (a zombie waiting for a reaper counts as gone: it runs nothing). */
export function running(p: HostProcess): boolean {
  const now = identify(p.pid);
  return now !== undefined && now.start === p.start && !/^State:\s+Z/m.test(status(p.pid));
}

/** Polls until `done()` holds or the deadline passes; returns whether it held. */
export async function waitFor(done: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

// ---- the tenancy ---------------------------------------------------------------------------------

export interface TenancyOptions {
  /** `--blob-dir`: a directory outside the data dir (created world-traversable). */
  readonly separateBlobDir?: boolean;
  readonly engine?: EngineInput & Record<string, unknown>;
  readonly host?: string;
  /** Deploy the probes and victims (default true). */
  readonly deploy?: boolean;
}

/** Runs `start`; when it fails, the temp root goes too. */
async function removeOnFailure<T>(root: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A temp root (its name contains "quiver", so a leaked command line is easy to spot) holding
 * the accounts file, world-readable on purpose: the sandbox, not the file mode, must protect it.
 */
function prepareFiles(opts: TenancyOptions): { root: string; dataDir: string; accountsFile: string; blobDir: string } {
  const root = mkdtempSync(join(tmpdir(), "quiver-iso-"));
  chmodSync(root, 0o755);
  const dataDir = join(root, "data");
  const accountsFile = join(root, "accounts.json");
  writeFileSync(accountsFile, JSON.stringify([ALICE, BOB], null, 2));
  chmodSync(accountsFile, 0o644);
  return { root, dataDir, accountsFile, blobDir: opts.separateBlobDir ? join(root, "shared-blobs") : join(dataDir, "blobs") };
}

export interface Deployed {
  readonly name: string;
  readonly lang: Lang;
  readonly dialect: "scf" | "fgs";
  /** sha256 of the code zip (names the blob and the extracted tree). */
  readonly sha256: string;
}

export class Tenancy {
  readonly root: string;
  readonly dataDir: string;
  readonly accountsFile: string;
  readonly blobDir: string;
  readonly runDir: string;
  readonly layout: RunLayout;
  readonly secrets: Secrets;
  readonly port: number;
  readonly #stop: () => Promise<void>;
  readonly scfA: ScfClient;
  readonly scfB: ScfClient;
  readonly fgA: fg.FunctionGraphClient;
  /** Instance id (cgroup name) of each function's current instance, as last seen. */
  readonly #instances = new Map<string, string>();
  readonly #deployed = new Map<string, Deployed>();

  private constructor(init: Pick<Tenancy, "root" | "dataDir" | "accountsFile" | "blobDir" | "secrets" | "port"> & { stop: () => Promise<void> }) {
    this.root = init.root;
    this.dataDir = init.dataDir;
    this.accountsFile = init.accountsFile;
    this.blobDir = init.blobDir;
    this.secrets = init.secrets;
    this.#stop = init.stop;
    this.port = init.port;
    this.runDir = runDirFor(this.dataDir);
    this.layout = runLayout(this.runDir);
    this.scfA = scfClient({ endpoint: `127.0.0.1:${this.port}` }, ALICE);
    this.scfB = scfClient({ endpoint: `127.0.0.1:${this.port}` }, BOB);
    this.fgA = fgClient(`http://127.0.0.1:${this.port}`, ALICE.huawei);
  }

  /**
   * Starts a server in this process and deploys, per language, A's probe `probe-<lang>` and
   * B's victim `victim-<lang>`.
   */
  static async start(opts: TenancyOptions = {}): Promise<Tenancy> {
    const files = prepareFiles(opts);
    const quiver = await removeOnFailure(files.root, () => createQuiver(
      parseConfig({
        port: 0,
        host: opts.host ?? "127.0.0.1",
        dataDir: files.dataDir,
        accountsFile: files.accountsFile,
        ...(opts.separateBlobDir ? { blobDir: files.blobDir } : {}),
        logLevel: "silent",
        rateLimits: { enabled: false, overrides: {} },
        // Options the sandbox adds (tmpSizeMb, freezeAfterMs) pass through as given.
        engine: { prewarm: { nodejs: 0, python: 0 }, ...opts.engine } as EngineInput,
      }),
    ));
    const url = await quiver.listen();
    return Tenancy.#ready(files, Number(new URL(url).port), () => quiver.close(), opts.deploy ?? true);
  }

  /**
   * Starts `quiver serve` in a child process (for tests that stop Quiver), deploying nothing.
   * `server.stop()` is not called by `close()`: the test decides how the server ends.
   */
  static async startChild(): Promise<{ tenancy: Tenancy; server: CliProcess }> {
    const files = prepareFiles({});
    const server = spawnCli([
      "serve", "--port", "0", "--data-dir", files.dataDir, "--accounts", files.accountsFile, "--log-level", "warn",
      "--no-rate-limit", "--prewarm-nodejs", "0", "--prewarm-python", "0",
    ]);
    const url = await removeOnFailure(files.root, () => waitForListening(server).catch((err: unknown) => {
      server.child.kill("SIGKILL");
      throw err;
    }));
    const tenancy = await Tenancy.#ready(files, Number(new URL(url).port), async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGTERM");
      await server.exited;
    }, false);
    return { tenancy, server };
  }

  static async #ready(files: ReturnType<typeof prepareFiles>, port: number, stop: () => Promise<void>, deploy: boolean): Promise<Tenancy> {
    // Quiver makes the data dir 0700 at start; open it again so that only the sandbox protects it.
    chmodSync(files.dataDir, 0o755);
    const secrets = { env: `QSECRET-${randomBytes(16).toString("hex")}`, code: `QCODE-${randomBytes(16).toString("hex")}` };
    const tenancy = new Tenancy({ ...files, secrets, stop, port });
    if (deploy) {
      for (const lang of LANGS) {
        await tenancy.deployProbe(lang);
        await tenancy.deployVictim(lang);
      }
    }
    return tenancy;
  }

  async close(): Promise<void> {
    await this.#stop();
    rmSync(this.root, { recursive: true, force: true });
    // The engine empties its run dir but leaves it; it is this server's alone.
    rmSync(this.runDir, { recursive: true, force: true });
  }

  /** Every value that must never reach the probe: B's secrets and all keys in the accounts file. */
  secretValues(): { label: string; value: string }[] {
    const keys = ACCOUNTS.flatMap((a) => [
      { label: `${a.name}'s Tencent SecretKey`, value: a.tencent.secretKey },
      { label: `${a.name}'s Huawei SK`, value: a.huawei.secretKey },
      ...(a.huawei.authToken ? [{ label: `${a.name}'s Huawei token`, value: a.huawei.authToken }] : []),
    ]);
    return [{ label: "B's environment secret", value: this.secrets.env }, { label: "B's code secret", value: this.secrets.code }, ...keys];
  }

  // ---- deploying -----------------------------------------------------------------------------------

  probeName(lang: Lang, variant = ""): string {
    return `probe-${lang.name}${variant}`;
  }

  victimName(lang: Lang): string {
    return `victim-${lang.name}`;
  }

  deployed(name: string): Deployed {
    const d = this.#deployed.get(name);
    assert.ok(d, `${name} was not deployed`);
    return d;
  }

  /** A's probe through SCF; `publicNet` sets PublicNetConfig ENABLE. */
  async deployProbe(lang: Lang, opts: { name?: string; publicNet?: boolean } = {}): Promise<Deployed> {
    const name = opts.name ?? this.probeName(lang);
    return this.#createScf(this.scfA, name, lang, { [lang.file]: lang.probe }, { timeout: 30, memory: 256, publicNet: opts.publicNet ?? false });
  }

  async deployVictim(lang: Lang): Promise<Deployed> {
    const files = { [lang.file]: lang.victim.replace("__CODE_SECRET__", this.secrets.code) };
    return this.#createScf(this.scfB, this.victimName(lang), lang, files, { timeout: 3, memory: 128, publicNet: false, env: { VICTIM_SECRET: this.secrets.env } });
  }

  /** A's probe through FunctionGraph; `publicNet` sets network_controller.disable_public_network false. */
  async deployFgProbe(lang: Lang, name: string, opts: { publicNet?: boolean } = {}): Promise<Deployed> {
    const bytes = Buffer.from(await zipBase64({ [lang.file]: lang.probe }), "base64");
    const body = new fg.CreateFunctionRequestBody()
      .withFuncName(name)
      .withPackage("default")
      .withRuntime(lang.fgRuntime)
      .withHandler("index.handler")
      .withMemorySize(256)
      .withTimeout(30)
      .withCodeType("zip")
      .withCodeFilename("index.zip")
      .withFuncCode(new fg.FuncCode().withFile(bytes.toString("base64")));
    if (opts.publicNet !== undefined) body.withNetworkController(new fg.NetworkControlConfig().withDisablePublicNetwork(!opts.publicNet));
    await this.fgA.createFunction(new fg.CreateFunctionRequest().withBody(body));
    const d: Deployed = { name, lang, dialect: "fgs", sha256: createHash("sha256").update(bytes).digest("hex") };
    this.#deployed.set(name, d);
    return d;
  }

  async #createScf(scf: ScfClient, name: string, lang: Lang, files: Record<string, string>, o: { timeout: number; memory: number; publicNet: boolean; env?: Record<string, string> }): Promise<Deployed> {
    const base64 = await zipBase64(files);
    await scf.CreateFunction({
      FunctionName: name,
      Runtime: lang.runtime,
      Handler: "index.main_handler",
      MemorySize: o.memory,
      Timeout: o.timeout,
      Environment: { Variables: Object.entries(o.env ?? {}).map(([Key, Value]) => ({ Key, Value })) },
      Code: { ZipFile: base64 },
      ...(o.publicNet ? { PublicNetConfig: { PublicNetStatus: "ENABLE", EipConfig: { EipStatus: "DISABLE" } } } : {}),
    });
    const d: Deployed = { name, lang, dialect: "scf", sha256: createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex") };
    this.#deployed.set(name, d);
    return d;
  }

  // ---- invoking, with the instance that served -----------------------------------------------------

  /** Instance ids (cgroup names) of this server's live instances. */
  instanceIds(): string[] {
    const dir = join(PIDS_ROOT, this.layout.group);
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /**
   * Runs an invocation and notes which instance served it: a cgroup that appeared during it
   * belongs to the function (tests invoke one function at a time, and nothing is prewarmed).
   */
  async #tracked<T>(name: string, call: () => Promise<T>): Promise<T> {
    const before = new Set(this.instanceIds());
    const answer = await call();
    const fresh = this.instanceIds().filter((id) => !before.has(id));
    assert.ok(fresh.length <= 1, `one invocation of ${name} started ${fresh.length} instances: ${fresh.join(", ")}`);
    if (fresh[0] !== undefined) this.#instances.set(name, fresh[0]);
    return answer;
  }

  /** The instance id last seen serving `name` (it must still exist). */
  instanceOf(name: string): string {
    const id = this.#instances.get(name);
    assert.ok(id !== undefined, `no instance of ${name} has been seen`);
    assert.ok(this.instanceIds().includes(id), `the instance ${id} of ${name} is gone`);
    return id;
  }

  pidsCgroup(instance: string): string {
    return join(PIDS_ROOT, this.layout.group, instance);
  }

  /** Host pids of everything in an instance's cgroup. */
  hostPids(instance: string): number[] {
    return cgroupProcs(this.pidsCgroup(instance));
  }

  /** The host pid of the process an instance sees as `pid` (read from NSpid on the host). */
  hostPidOf(instance: string, pid: number): number {
    const all = this.hostPids(instance);
    const match = all.filter((p) => innerPid(p) === pid);
    assert.equal(match.length, 1, `expected one process seen as pid ${pid} in instance ${instance}; host pids ${all.join(", ")} are seen as ${all.map(innerPid).join(", ")}`);
    return match[0] as number;
  }

  /** Invokes a probe (SCF or FunctionGraph, as deployed) with `attempts`. */
  async probe(name: string, attempts: readonly Attempt[], opts: { parallel?: boolean } = {}): Promise<ProbeAnswer> {
    const d = this.deployed(name);
    const event = { attempts, parallel: opts.parallel ?? false };
    return this.#tracked(name, async () => {
      if (d.dialect === "fgs") return resultOf(await fgInvoke(this.fgA, urnOf(name), event)) as unknown as ProbeAnswer;
      return (await scfCall(this.scfA, name, event)) as ProbeAnswer;
    });
  }

  /** Invokes B's victim; with its instance and the host pid of the process that answered. */
  async victim(lang: Lang): Promise<VictimAnswer & { instance: string; hostPid: number }> {
    const name = this.victimName(lang);
    const answer = (await this.#tracked(name, () => scfCall(this.scfB, name, {}))) as VictimAnswer;
    assert.ok(answer.holdsSecrets, "the victim did not get its secrets");
    const instance = this.instanceOf(name);
    return { ...answer, instance, hostPid: this.hostPidOf(instance, answer.pid) };
  }

  /** A's probe instance and the host pid of its function process (invokes it once to be sure it is warm). */
  async probeProcess(name: string): Promise<{ instance: string; hostPid: number; pid: number }> {
    const answer = await this.probe(name, [{ op: "self" }]);
    const instance = this.instanceOf(name);
    return { instance, hostPid: this.hostPidOf(instance, answer.pid), pid: answer.pid };
  }

  // ---- verdicts ------------------------------------------------------------------------------------

  /** Secrets found anywhere in an answer. */
  leaks(answer: unknown): string[] {
    const text = JSON.stringify(answer);
    return this.secretValues().filter((s) => text.includes(s.value)).map((s) => s.label);
  }

  /**
   * Every attempt was refused and nothing secret came back. `what` names the escape for the
   * failure message, which lists each attempt that worked with what it returned.
   */
  assertRefused(answer: ProbeAnswer, attempts: readonly Attempt[], what: string): void {
    const problems: string[] = [];
    const leaked = this.leaks(answer);
    if (leaked.length > 0) problems.push(`LEAKED ${leaked.join(", ")}`);
    answer.results.forEach((r, i) => {
      if (r.ok) problems.push(`${show(attempts[i])} worked: ${show(r.data)}`);
    });
    if (problems.length > 0) assert.fail(`${what}:\n  ${problems.join("\n  ")}`);
  }

  assertNoLeak(answer: unknown, what: string): void {
    const leaked = this.leaks(answer);
    if (leaked.length > 0) assert.fail(`${what}: LEAKED ${leaked.join(", ")}`);
  }
}

/** Synchronous SCF Invoke returning the parsed result; fails with the function's error. */
export async function scfCall(scf: ScfClient, name: string, event: unknown): Promise<unknown> {
  const r = (await scf.Invoke({ FunctionName: name, ClientContext: JSON.stringify(event) })).Result as { RetMsg: string; ErrMsg: string; InvokeResult: number };
  if (r.InvokeResult !== 0) throw new Error(`invoke of ${name} failed: ${r.ErrMsg}`);
  return JSON.parse(r.RetMsg) as unknown;
}

/** GET /healthz answers ok. */
export async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return res.ok;
  } catch {
    return false;
  }
}
