/**
 * Starts generic runtime processes: resolves interpreters once, builds the minimal start-up
 * environment (nothing from the engine's own env, in particular no NODE_EXTRA_CA_CERTS, which
 * costs ~40 ms per Node start), creates the per-instance sandbox and waits for readiness.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Instance } from "./instance.js";
import { othersCanReach, type Isolation } from "./isolation.js";
import { childProtocol, type ChildProtocol } from "./protocol.js";
import { runLayout, type EngineLogger, type Family, type ResolvedOptions } from "./options.js";
import { NODE_ENTRY, PYTHON_ENTRY } from "./runtime-files.js";
import { Sandbox, type SandboxLimits, type SandboxPlace } from "./sandbox.js";
import type { UidPool } from "./uids.js";
import { vendorInterpreterLinks } from "./web.js";

const run = promisify(execFile);

interface RuntimeCommand {
  readonly command: string;
  /** Arguments after the interpreter; the bootstrap file is appended per sandbox. */
  readonly args: readonly string[];
  readonly entry: string;
  /** Whether the interpreter is reachable by an unprivileged user. */
  readonly unprivileged: boolean;
}

/** `python3` on PATH may be a pyenv shim (~0.5 s per start): ask it once for the real binary. */
export async function resolvePython(): Promise<string | null> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  try {
    const { stdout } = await run("python3", ["-c", "import sys;print(sys.executable)"], { env, timeout: 10_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/** The resolved interpreter, or a system one an unprivileged user can run when it lives under /root. */
async function pickPython(iso: Isolation, logger: EngineLogger): Promise<RuntimeCommand | null> {
  const real = await resolvePython();
  if (real === null) {
    logger.warn({ runtime: "python" }, "runtime: python3 not found; Python functions will fail to start");
    return null;
  }
  const base = { args: ["-s", "-B"], entry: PYTHON_ENTRY };
  if (iso.level === "none") return { command: real, ...base, unprivileged: false };
  for (const p of [real, "/usr/bin/python3", "/usr/local/bin/python3"]) {
    if (await othersCanReach(p, 0o001)) return { command: p, ...base, unprivileged: true };
  }
  logger.warn({ runtime: "python", path: real }, "runtime: no python3 an unprivileged user can run; Python functions keep Quiver's user and cannot be sandboxed");
  return { command: real, ...base, unprivileged: false };
}

/**
 * Host paths a sandbox shows read-only besides /usr: the /etc files the C library and TLS need,
 * and the installation prefix of an interpreter that lives outside /usr.
 */
async function sandboxBinds(commands: readonly (RuntimeCommand | null)[]): Promise<string[]> {
  const etc = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf", "/etc/hosts", "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives"];
  const present = await Promise.all(etc.map(async (p) => ((await access(p).then(() => true, () => false)) ? p : null)));
  const prefixes = await Promise.all(
    commands.map(async (c) => {
      if (c === null) return null;
      const real = await realpath(c.command).catch(() => c.command);
      return real.startsWith("/usr/") ? null : dirname(dirname(real));
    }),
  );
  return [...new Set([...present, ...prefixes].filter((p): p is string => p !== null))];
}

export class Launcher {
  readonly #opts: ResolvedOptions;
  readonly #iso: Isolation;
  readonly #commands: Record<Family, RuntimeCommand | null>;
  /** Told of every process started, before `launch` resolves. */
  readonly #track: (inst: Instance) => void;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Instance ids start with the server's pid, so a live server's instances are easy to tell apart. */
  readonly #prefix = `${process.pid}-${randomBytes(2).toString("hex")}`;
  #seq = 0;

  readonly #place: SandboxPlace;
  readonly #limits: SandboxLimits;
  readonly #uids: UidPool;
  /** One decoder for every child: the limits are the engine's. */
  readonly #protocol: ChildProtocol;

  private constructor(opts: ResolvedOptions, iso: Isolation, commands: Record<Family, RuntimeCommand | null>, track: (inst: Instance) => void, limits: SandboxLimits, uids: UidPool) {
    this.#opts = opts;
    this.#iso = iso;
    this.#commands = commands;
    this.#track = track;
    this.#limits = limits;
    this.#uids = uids;
    this.#protocol = childProtocol({ maxResultBytes: opts.maxResultBytes, logTailBytes: opts.logTailBytes });
    const layout = runLayout(opts.runDir);
    this.#place = { instancesDir: layout.instancesDir, group: layout.group, runtimeDir: layout.runtimeDir };
  }

  static async create(opts: ResolvedOptions, iso: Isolation, track: (inst: Instance) => void, uids: UidPool): Promise<Launcher> {
    const nodeReachable = iso.level === "none" || (await othersCanReach(process.execPath, 0o001));
    if (!nodeReachable) opts.logger.warn({ path: process.execPath }, "runtime: node is not executable by an unprivileged user; Node.js functions keep Quiver's user and cannot be sandboxed");
    // A 1 MB young generation: a warm instance's heap otherwise grows to ~100 MB RSS after
    // tens of thousands of small invocations (measured: PSS 72 MB → 30 MB after 40k calls,
    // with no loss of throughput in bench/engine.ts).
    const nodejs = { command: process.execPath, args: ["--max-semi-space-size=1"], entry: NODE_ENTRY, unprivileged: nodeReachable };
    const python = await pickPython(iso, opts.logger);
    const sandboxed = iso.level === "sandbox";
    const roBinds = sandboxed ? await sandboxBinds([nodejs, python]) : [];
    const links = sandboxed ? vendorInterpreterLinks(nodejs.command, python?.command ?? null) : [];
    const limits = { pidsMax: opts.pidsMax, tmpSizeBytes: opts.tmpSizeMb * 1024 * 1024, roBinds, links };
    return new Launcher(opts, iso, { nodejs, python }, track, limits, uids);
  }

  get isolation(): Isolation {
    return this.#iso;
  }

  /**
   * PATH for a web function's server: the directories of the interpreters Quiver runs first,
   * so `node` and `python3` in a bootstrap are the ones the sandbox shows.
   */
  get webPath(): string {
    const dirs = [this.#commands.nodejs?.command, this.#commands.python?.command].filter((c): c is string => c !== undefined).map((c) => dirname(c));
    return [...new Set([...dirs, "/usr/local/bin", "/usr/bin", "/bin"])].join(":");
  }

  /** The Python interpreter found on the host, for the engine's own helpers; null when there is none. */
  get hostPython(): string | null {
    return this.#commands.python?.command ?? null;
  }

  /** Starts one generic process of `family` and resolves when it is ready. */
  launch(family: Family): Promise<Instance> {
    const started = this.#launch(family);
    this.#inFlight.add(started);
    void started.then(
      () => this.#inFlight.delete(started),
      () => this.#inFlight.delete(started),
    );
    return started;
  }

  /** Resolves once every start in flight has succeeded (and been tracked) or failed. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #launch(family: Family): Promise<Instance> {
    const cmd = this.#commands[family];
    if (cmd === null) throw new Error(`no ${family} runtime available on this host`);
    const id = `${this.#prefix}-${++this.#seq}`;
    // An interpreter an unprivileged user cannot run cannot be sandboxed either.
    const iso = cmd.unprivileged ? this.#iso : { ...this.#iso, level: "none" as const, uid: undefined, gid: undefined, tools: null };
    const sandbox = await Sandbox.create(id, this.#place, iso, this.#limits, this.#uids);
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: sandbox.tmpDir, TMPDIR: sandbox.tmpDir, LANG: "C.UTF-8" };
    const spec = sandbox.launchSpec(cmd.command, [...cmd.args, join(sandbox.runtimeDir, cmd.entry)], cmd.unprivileged);
    let inst: Instance;
    try {
      inst = await Instance.start(
        {
          id, family, command: spec.command, args: spec.args, env,
          uid: spec.uid,
          gid: spec.gid,
          argsOnFd: spec.argsOnFd,
          startTimeoutMs: this.#opts.startTimeoutMs,
          logTailBytes: this.#opts.logTailBytes,
          protocol: this.#protocol,
        },
        sandbox,
      );
    } catch (err) {
      await sandbox.destroy();
      throw err;
    }
    // From here on the process's death removes its sandbox.
    this.#track(inst);
    try {
      // A stem cell has no function memory yet: bound it by the runtime allowance plus 128 MB.
      await sandbox.setMemoryLimit((128 + this.#opts.memoryOverheadMb[family]) * 1024 * 1024);
    } catch (err) {
      inst.kill("dispose");
      throw err;
    }
    return inst;
  }
}
