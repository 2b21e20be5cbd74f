/**
 * The kill -9 workload: concurrent creates, code and configuration updates, publishes and
 * aliases through the official Tencent SDK, FunctionGraph creates, code updates and publishes
 * through the official Huawei SDK, and invocations of a Node.js and a Python function, all
 * against one server child process. Every request is recorded in the ledger before it is sent
 * and marked acknowledged when the answer arrives.
 */
import { createFunction as fgCreate, type fg, fgClient, listVersions as fgList, publishVersion as fgPublish, updateCode as fgUpdateCode } from "../helpers/fgs-sdk.js";
import { scfClient, type ScfClient } from "../helpers/scf-client.js";
import { buildZip, nodeHandlerZip, nodeZip } from "../helpers/zip.js";
import { adopt, codeOf, differences, TrackedFunction, type FunctionView, type VersionView } from "./ledger.js";
import type { Prng } from "./prng.js";
import { ALICE, type ServerChild } from "./server.js";
import { Counter } from "./sync.js";

const MAX_ALIASES = 8; // below the default of 10 per function
const MEMORY_SIZES = [128, 256, 512, 1024] as const;
const INVOKERS = { node: "inv-node", python: "inv-py" } as const;

const urnOf = (name: string, qualifier = "latest"): string => `urn:fss:${ALICE.huawei.region}:${ALICE.huawei.projectId}:function:default:${name}:${qualifier}`;

function errorText(error: unknown): string {
  const e = error as { code?: string; errorCode?: string; httpStatusCode?: number; message?: string; errorMsg?: string };
  return [e.code ?? e.errorCode, e.httpStatusCode, e.message ?? e.errorMsg].filter((x) => x !== undefined && x !== "").join(" ") || String(error);
}

interface Clients {
  readonly scf: ScfClient;
  readonly fg: fg.FunctionGraphClient;
}

export function clientsFor(server: ServerChild): Clients {
  return { scf: scfClient({ endpoint: server.endpoint }, ALICE), fg: fgClient(server.url, ALICE.huawei) };
}

export class PublishLoad {
  readonly functions: TrackedFunction[] = [];
  /** Failures while the server was up: none are expected. */
  readonly loadErrors: string[] = [];
  readonly acks = new Counter();
  readonly invokes = { node: new Counter(), python: new Counter() };
  #seq = 0;
  #killed = false;
  #clients: Clients | null = null;
  /** Which server the load is on, for error messages: "server <pid> (+<ms> since its start)". */
  #where: () => string = () => "no server";
  /** Functions whose state a refused request made uncertain; no longer driven or verified. */
  readonly #tainted = new Set<TrackedFunction>();

  constructor(readonly rng: Prng) {}

  #next(prefix: string): string {
    this.#seq += 1;
    return `${prefix}${this.#seq}`;
  }

  get #c(): Clients {
    if (!this.#clients) throw new Error("no server attached");
    return this.#clients;
  }

  /** Points the load at a (re)started server. */
  attach(server: ServerChild): void {
    this.#clients = clientsFor(server);
    this.#killed = false;
    const since = Date.now();
    this.#where = () => `server ${server.pid}, +${Date.now() - since} ms`;
  }

  /** Marks the moment of the kill: failures from now on are the kill's, not the server's. */
  markKilled(): void {
    this.#killed = true;
  }

  /** The first functions, created one by one before any load. */
  async setup(): Promise<void> {
    for (let i = 0; i < 3; i += 1) await this.createScf();
    for (let i = 0; i < 2; i += 1) await this.createFgs();
    const nodeCode = await buildZip({ "index.js": "exports.main_handler = async () => { await new Promise((r) => setTimeout(r, 50)); return 'node ok'; };\n" });
    const pyCode = await buildZip({ "index.py": "import time\n\ndef main_handler(event, context):\n    time.sleep(0.05)\n    return 'python ok'\n" });
    await this.#c.scf.CreateFunction({ FunctionName: INVOKERS.node, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: nodeCode.toString("base64") } });
    await this.#c.scf.CreateFunction({ FunctionName: INVOKERS.python, Runtime: "Python3.9", Handler: "index.main_handler", Code: { ZipFile: pyCode.toString("base64") } });
  }

  // ---- the load ------------------------------------------------------------------------------

  /** Runs `workers` request loops and one invocation loop per runtime until `markKilled`. */
  run(workers: number): Promise<void> {
    const loops = [...Array.from({ length: workers }, () => this.#worker()), this.#invoker("node"), this.#invoker("python")];
    return Promise.all(loops).then(() => undefined);
  }

  async #worker(): Promise<void> {
    while (!this.#killed) {
      const op = this.rng.weighted<readonly [string, () => Promise<void>]>([
        [8, ["CreateFunction", () => this.createScf()]],
        [4, ["FunctionGraph createFunction", () => this.createFgs()]],
        [30, ["PublishVersion", () => this.#withFunction("scf", (fn) => this.publishScf(fn))]],
        [15, ["FunctionGraph createFunctionVersion", () => this.#withFunction("fgs", (fn) => this.publishFgs(fn))]],
        [10, ["UpdateFunctionCode", () => this.#withFunction("scf", (fn) => this.updateScfCode(fn))]],
        [5, ["FunctionGraph updateFunctionCode", () => this.#withFunction("fgs", (fn) => this.updateFgsCode(fn))]],
        [5, ["UpdateFunctionConfiguration", () => this.#withFunction("scf", (fn) => this.updateScfMemory(fn))]],
        [15, ["CreateAlias/UpdateAlias", () => this.#withFunction("scf", (fn) => this.alias(fn))]],
      ]);
      try {
        await op[1]();
      } catch (error) {
        if (!this.#killed) this.loadErrors.push(`${op[0]} (${this.#where()}): ${errorText(error)}`);
      }
    }
  }

  async #invoker(runtime: "node" | "python"): Promise<void> {
    while (!this.#killed) {
      try {
        const answer = await this.#c.scf.Invoke({ FunctionName: INVOKERS[runtime], InvocationType: "RequestResponse" });
        if (answer.Result?.InvokeResult !== 0) throw new Error(`InvokeResult ${answer.Result?.InvokeResult}: ${answer.Result?.ErrMsg}`);
        this.invokes[runtime].add();
      } catch (error) {
        if (!this.#killed) this.loadErrors.push(`Invoke ${INVOKERS[runtime]} (${this.#where()}): ${errorText(error)}`);
      }
    }
  }

  async #withFunction(dialect: "scf" | "fgs", run: (fn: TrackedFunction) => Promise<void>): Promise<void> {
    const candidates = this.functions.filter((f) => f.dialect === dialect && !this.#tainted.has(f));
    if (candidates.length === 0) return;
    await run(this.rng.pick(candidates));
  }

  /** A refused request leaves a function's state uncertain: report it (as a load error) and leave the function alone. */
  async #guard(fn: TrackedFunction, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (!this.#killed) this.#tainted.add(fn);
      throw error;
    }
  }

  async createScf(): Promise<void> {
    const name = this.#next("s");
    const code = codeOf(name, await nodeZip(name));
    await this.#c.scf.CreateFunction({ FunctionName: name, Runtime: "Nodejs18.15", Handler: "index.main_handler", MemorySize: 128, Code: { ZipFile: code.zip.toString("base64") } });
    this.functions.push(new TrackedFunction(name, "scf", { code, memoryMb: 128 }));
    this.acks.add();
  }

  async createFgs(): Promise<void> {
    const name = this.#next("g");
    const code = codeOf(name, await nodeHandlerZip(name));
    await fgCreate(this.#c.fg, code.zip, name);
    this.functions.push(new TrackedFunction(name, "fgs", { code, memoryMb: 256 }));
    this.acks.add();
  }

  publishScf(fn: TrackedFunction): Promise<void> {
    return fn.lock.read(() =>
      this.#guard(fn, async () => {
        const description = this.#next("p");
        const intent = { description, code: fn.head.code, memoryMb: fn.head.memoryMb, version: null as string | null };
        fn.publishes.set(description, intent);
        const answer = await this.#c.scf.PublishVersion({ FunctionName: fn.name, Description: description });
        intent.version = answer.FunctionVersion ?? "(none)";
        this.acks.add();
      }),
    );
  }

  publishFgs(fn: TrackedFunction): Promise<void> {
    return fn.lock.read(() =>
      this.#guard(fn, async () => {
        const description = this.#next("v");
        const intent = { description, code: fn.head.code, memoryMb: fn.head.memoryMb, version: null as string | null };
        fn.publishes.set(description, intent);
        const answer = await fgPublish(this.#c.fg, urnOf(fn.name), { version: description, description });
        intent.version = String(answer["version"]);
        this.acks.add();
      }),
    );
  }

  updateScfCode(fn: TrackedFunction): Promise<void> {
    return fn.lock.write(() =>
      this.#guard(fn, async () => {
        const marker = this.#next(`${fn.name}-c`);
        const code = codeOf(marker, await nodeZip(marker));
        fn.pending = { code };
        await this.#c.scf.UpdateFunctionCode({ FunctionName: fn.name, ZipFile: code.zip.toString("base64") });
        fn.head = { ...fn.head, code };
        fn.pending = null;
        this.acks.add();
      }),
    );
  }

  updateFgsCode(fn: TrackedFunction): Promise<void> {
    return fn.lock.write(() =>
      this.#guard(fn, async () => {
        const marker = this.#next(`${fn.name}-c`);
        const code = codeOf(marker, await nodeHandlerZip(marker));
        fn.pending = { code };
        await fgUpdateCode(this.#c.fg, urnOf(fn.name), code.zip);
        fn.head = { ...fn.head, code };
        fn.pending = null;
        this.acks.add();
      }),
    );
  }

  updateScfMemory(fn: TrackedFunction): Promise<void> {
    return fn.lock.write(() =>
      this.#guard(fn, async () => {
        const memoryMb = this.rng.pick(MEMORY_SIZES.filter((m) => m !== fn.head.memoryMb));
        fn.pending = { memoryMb };
        await this.#c.scf.UpdateFunctionConfiguration({ FunctionName: fn.name, MemorySize: memoryMb });
        fn.head = { ...fn.head, memoryMb };
        fn.pending = null;
        this.acks.add();
      }),
    );
  }

  /** Creates an alias while there are fewer than MAX_ALIASES, else repoints an idle one. */
  alias(fn: TrackedFunction): Promise<void> {
    return fn.lock.read(async () => {
      const versions = fn.ackedVersions();
      if (versions.length === 0) return;
      const target = this.rng.pick(versions);
      const idle = [...fn.aliases].filter(([, s]) => !s.busy && s.acked !== null);
      const create = fn.aliases.size < MAX_ALIASES;
      if (!create && idle.length === 0) return;
      const [name, state] = create ? [this.#next("a"), { acked: null, pending: target, busy: true }] : this.rng.pick(idle);
      state.pending = target;
      state.busy = true;
      fn.aliases.set(name, state);
      await this.#guard(fn, async () => {
        if (create) await this.#c.scf.CreateAlias({ FunctionName: fn.name, Name: name, FunctionVersion: target });
        else await this.#c.scf.UpdateAlias({ FunctionName: fn.name, Name: name, FunctionVersion: target });
        fn.aliases.set(name, { acked: target, pending: null, busy: false });
        this.acks.add();
      });
    });
  }

  // ---- verification after a restart ------------------------------------------------------------

  /** Reads every tracked function back and returns all differences; adopts the state when there are none. */
  async verify(): Promise<string[]> {
    const problems: string[] = [];
    for (const fn of this.functions) {
      if (this.#tainted.has(fn)) continue;
      const view = await this.#view(fn);
      const found = differences(fn, view);
      problems.push(...found);
      if (found.length === 0) adopt(fn, view);
    }
    for (const name of Object.values(INVOKERS)) {
      const status = (await this.#c.scf.GetFunction({ FunctionName: name })).Status;
      if (status !== "Active") problems.push(`invoked function ${name}: status ${status}`);
    }
    return problems;
  }

  /** Functions a kill left `UpdateFailed` are repaired the documented way: a configuration update. */
  async repair(): Promise<string[]> {
    const problems: string[] = [];
    for (const fn of this.functions) {
      if (this.#tainted.has(fn)) continue;
      const status = (await this.#c.scf.GetFunction({ FunctionName: fn.name })).Status;
      if (status !== "UpdateFailed") continue;
      await this.#c.scf.UpdateFunctionConfiguration({ FunctionName: fn.name, Description: "repaired after a kill" });
      const after = (await this.#c.scf.GetFunction({ FunctionName: fn.name })).Status;
      if (after !== "Active") problems.push(`${fn.name}: still ${after} after a configuration update`);
    }
    return problems;
  }

  async #view(fn: TrackedFunction): Promise<FunctionView> {
    const items: VersionView[] = [];
    for (let marker = 0; ; ) {
      const page = await fgList(this.#c.fg, urnOf(fn.name), String(marker), "400");
      const versions = page["versions"] as Record<string, unknown>[];
      for (const v of versions) {
        items.push({ version: String(v["version"]), description: String(v["version_description"] ?? ""), digest: String(v["digest"]), memoryMb: Number(v["memory_size"]) });
      }
      marker = Number(page["next_marker"]);
      if (versions.length === 0 || marker >= Number(page["count"])) break;
    }
    const latest = items.find((v) => v.version === "latest");
    if (!latest) throw new Error(`FunctionGraph lists no "latest" for ${fn.name}`);
    const status = (await this.#c.scf.GetFunction({ FunctionName: fn.name })).Status ?? "(none)";
    return {
      latest,
      versions: items.filter((v) => v.version !== "latest"),
      scfNumbers: fn.dialect === "scf" ? await this.#scfNumbers(fn.name) : null,
      status,
      aliases: fn.dialect === "scf" ? await this.#aliases(fn.name) : new Map(),
    };
  }

  async #scfNumbers(name: string): Promise<string[]> {
    const numbers: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.#c.scf.ListVersionByFunction({ FunctionName: name, Order: "ASC", Offset: offset, Limit: 100 });
      numbers.push(...(page.FunctionVersion ?? []));
      if (offset + 100 >= (page.TotalCount ?? 0)) break;
    }
    return numbers.filter((v) => v !== "$LATEST");
  }

  async #aliases(name: string): Promise<Map<string, string>> {
    const page = await this.#c.scf.ListAliases({ FunctionName: name, Limit: "100" });
    return new Map((page.Aliases ?? []).map((a) => [a.Name ?? "", a.FunctionVersion ?? ""]));
  }

  /** Invokes both functions once (so instances exist), failing loudly. */
  async invokeBoth(): Promise<void> {
    for (const name of Object.values(INVOKERS)) {
      const answer = await this.#c.scf.Invoke({ FunctionName: name, InvocationType: "RequestResponse" });
      if (answer.Result?.InvokeResult !== 0) throw new Error(`${name}: InvokeResult ${answer.Result?.InvokeResult}: ${answer.Result?.ErrMsg}`);
    }
  }
}
