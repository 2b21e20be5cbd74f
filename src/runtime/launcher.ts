/**
 * Starts generic runtime processes: resolves interpreters once, builds the minimal start-up
 * environment (nothing from the engine's own env, in particular no NODE_EXTRA_CA_CERTS, which
 * costs ~40 ms per Node start), creates the per-instance sandbox and waits for readiness.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Instance } from "./instance.js";
import { othersCanReach, Sandbox, type Isolation } from "./isolation.js";
import { runLayout, type EngineLogger, type Family, type ResolvedOptions } from "./options.js";
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from "./paths.js";

const run = promisify(execFile);

interface RuntimeCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Whether this runtime's files are reachable by the unprivileged user. */
  readonly dropPrivileges: boolean;
}

/** `python3` on PATH may be a pyenv shim (~0.5 s per start): ask it once for the real binary. */
async function resolvePython(): Promise<string | null> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  try {
    const { stdout } = await run("python3", ["-c", "import sys;print(sys.executable)"], { env, timeout: 10_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/** The resolved interpreter, or a system one `nobody` can execute when it lives under /root. */
async function pickPython(iso: Isolation, logger: EngineLogger): Promise<RuntimeCommand | null> {
  const real = await resolvePython();
  if (real === null) {
    logger.warn({ runtime: "python" }, "runtime: python3 not found; Python functions will fail to start");
    return null;
  }
  const args = ["-s", "-B", PYTHON_BOOTSTRAP];
  if (iso.uid === undefined) return { command: real, args, dropPrivileges: false };
  for (const p of [real, "/usr/bin/python3", "/usr/local/bin/python3"]) {
    if (await othersCanReach(p, 0o001)) return { command: p, args, dropPrivileges: true };
  }
  logger.warn({ runtime: "python", path: real }, "runtime: no python3 executable by nobody; Python children keep the engine's user");
  return { command: real, args, dropPrivileges: false };
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

  private constructor(opts: ResolvedOptions, iso: Isolation, commands: Record<Family, RuntimeCommand | null>, track: (inst: Instance) => void) {
    this.#opts = opts;
    this.#iso = iso;
    this.#commands = commands;
    this.#track = track;
  }

  static async create(opts: ResolvedOptions, iso: Isolation, track: (inst: Instance) => void): Promise<Launcher> {
    const dropNode = iso.uid !== undefined && (await othersCanReach(NODE_BOOTSTRAP, 0o004));
    if (iso.uid !== undefined && !dropNode) opts.logger.warn({ path: NODE_BOOTSTRAP }, "runtime: Node bootstrap not readable by nobody; Node children keep the engine's user");
    // A 1 MB young generation: a warm instance's heap otherwise grows to ~100 MB RSS after
    // tens of thousands of small invocations (measured: PSS 72 MB → 30 MB after 40k calls,
    // with no loss of throughput in bench/engine.ts).
    const nodejs = { command: process.execPath, args: ["--max-semi-space-size=1", NODE_BOOTSTRAP], dropPrivileges: dropNode };
    return new Launcher(opts, iso, { nodejs, python: await pickPython(iso, opts.logger) }, track);
  }

  get isolation(): Isolation {
    return this.#iso;
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
    const sandbox = await Sandbox.create(id, runLayout(this.#opts.runDir), this.#iso, this.#opts.pidsMax);
    const drop = cmd.dropPrivileges;
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: sandbox.tmpDir, TMPDIR: sandbox.tmpDir, LANG: "C.UTF-8" };
    let inst: Instance;
    try {
      inst = await Instance.start(
        {
          id, family, command: cmd.command, args: cmd.args, env,
          uid: drop ? this.#iso.uid : undefined,
          gid: drop ? this.#iso.gid : undefined,
          startTimeoutMs: this.#opts.startTimeoutMs,
          logTailBytes: this.#opts.logTailBytes,
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
