/**
 * One OS process serving one invocation at a time. It owns the process, its control channel,
 * the tail of its raw stdout/stderr (used when the process dies before it can report a log),
 * and its sandbox. Pool policy lives in `pool.ts`; this class only runs and supervises.
 *
 * It also keeps the protocol's order: a child speaks only to answer the one request in flight
 * (`ready` at start, `loaded` to `load`, `res` to `inv`). A message that fails the schema
 * or comes out of turn breaks the instance: the request resolves with the violation and the
 * process is killed, never trusted again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { lineChannel, type Channel } from "./channel.js";
import type { CodeLease } from "./code-cache.js";
import type { OutputChunk } from "../core/invoke.js";
import type { Sandbox } from "./sandbox.js";
import type { Family } from "./options.js";
import { OutputAttribution, type Owed } from "./output-attribution.js";
import type { ChildMessage, ChildProtocol, InvokeMessage, LoadedMessage, LoadMessage, ParentMessage, ProtocolViolation, ReadyMessage, ResultMessage, WebLoadMessage } from "./protocol.js";
import { transition, type InstanceState } from "./state.js";

export type KillReason = "timeout" | "memory" | "dispose" | "protocol";

/** Receives an instance's output as it is read, with the request it belongs to, while someone listens (see `streamOutput`). */
export interface OutputSink {
  /**
   * Output read for `serving`. `heardBy` null: it runs, or wrote this after its answer; every
   * listener hears it. A number: it was written before `serving` answered and read only after,
   * and only the listeners counted in that `mark()`, taken when it answered, hear it.
   */
  emit(serving: Serving, stream: "stdout" | "stderr", text: string, heardBy: number | null): void;
  /** Which listeners listen now, for `emit`: a later listener is never counted in it. */
  mark(): number;
}

/** A call that answered while someone listened: its output read later goes to those who listened then. */
interface Answered {
  readonly serving: Serving;
  /** The sink's `mark()` when it answered. */
  readonly heardBy: number;
}

type StreamName = "stdout" | "stderr";

/** What a request resolves to when the process died instead of answering. */
export interface Death {
  readonly t: "death";
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly reason: KillReason | null;
  /** Raw stdout/stderr tail since the request started. */
  readonly output: string;
}

/** What a request resolves to when the child broke the protocol; the process is being killed. */
export interface Broken extends ProtocolViolation {
  /** Raw stdout/stderr tail since the request started. */
  readonly output: string;
}

/** Every way a request can end other than with the answer it asked for. */
export type Failure = Death | Broken;

/** The answer each request waits for. */
interface Replies {
  readonly ready: ReadyMessage;
  readonly loaded: LoadedMessage;
  readonly res: ResultMessage;
  /** A request served off the channel (`watch`): no message answers it. */
  readonly direct: never;
}

interface Pending {
  readonly expect: keyof Replies;
  readonly resolve: (m: ChildMessage | Failure) => void;
  readonly timer: NodeJS.Timeout;
}

/** A request the engine serves itself while the instance is watched (see `Instance.watch`). */
export interface Watch {
  /** Resolves only if the process dies (the timeout kills it) or breaks the protocol first. */
  readonly failure: Promise<Failure>;
  /** The request is over: no more timeout; output from now on is no longer its log. */
  end(): void;
}

/** Which request an instance's output belongs to. */
export interface Serving {
  readonly requestId: string;
  readonly target: OutputChunk["target"];
  readonly qualifier: string | undefined;
}

export interface SpawnSpec {
  readonly id: string;
  readonly family: Family;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  /** Bytes for the process to read on fd 4 (a sandbox's own arguments), if any. */
  readonly argsOnFd: Buffer | undefined;
  readonly startTimeoutMs: number;
  readonly logTailBytes: number;
  /** Decodes what the child sends on fd 3. */
  readonly protocol: ChildProtocol;
}

/** After exit, give the pipes this long to drain before reporting the death. */
const PIPE_DRAIN_MS = 100;

export class Instance {
  readonly id: string;
  readonly family: Family;
  readonly sandbox: Sandbox;
  /** instanceKey once specialised; null while a generic stem cell. */
  key: string | null = null;
  /** The code tree the instance runs, leased from the cache until the process is gone. */
  code: CodeLease | null = null;
  lastUsed = 0;
  /** The runtime it was specialised for (`nodejs18`, `python3.9`, `custom`); null while a stem cell. */
  runtime: string | null = null;
  /** Its function is loaded (or its web server started): it can serve a call now. */
  specialised = false;
  /**
   * The request it last started serving: output read while it runs, or after it answered,
   * belongs to it, except what an earlier answer's byte counts say belongs to an earlier one.
   */
  serving: Serving | null = null;
  #state: InstanceState = "starting";
  readonly #child: ChildProcess;
  readonly #channel: Channel;
  readonly #tailBytes: number;
  #pending: Pending | null = null;
  #output = "";
  #death: Death | null = null;
  #killReason: KillReason | null = null;
  #exited = false;
  /** Set once the child broke the protocol: why, for any request made after. */
  #broken: string | null = null;
  #onDeath: (inst: Instance) => void = () => undefined;
  #freezeTimer: NodeJS.Timeout | null = null;
  /** The freeze in progress or done; null while the instance may run. */
  #frozen: Promise<void> | null = null;
  /** Where output goes as it is read; null while nobody listens, so output costs one check. */
  #sink: OutputSink | null = null;
  /**
   * Which request each byte of stdout and stderr belongs to. An owed byte's owner is the
   * request that answered, with who listened then; null: nobody (a load, or unheard).
   */
  readonly #attribution: { [S in StreamName]: OutputAttribution<Answered | null> | null } = { stdout: null, stderr: null };

  private constructor(spec: SpawnSpec, sandbox: Sandbox) {
    this.id = spec.id;
    this.family = spec.family;
    this.sandbox = sandbox;
    this.#tailBytes = spec.logTailBytes;
    this.#child = spawnChild(spec, sandbox);
    this.#channel = lineChannel(this.#child.stdio[3] as Socket, spec.protocol, (m) => this.#onMessage(m));
    this.#watchOutput();
    this.#child.on("error", () => undefined);
    this.#child.once("exit", (code, signal) => this.#onExit(...sandbox.exitOf(code, signal)));
  }

  /** Spawns the process and resolves once it reports ready; a child that dies first fails fast. */
  static async start(spec: SpawnSpec, sandbox: Sandbox): Promise<Instance> {
    const inst = new Instance(spec, sandbox);
    // Wait for `ready` from the moment the process exists. The child may report ready before
    // the engine has finished moving it into its cgroups (a Python bootstrap usually does):
    // a wait set up after that would miss the message and sit out the whole start timeout.
    const readiness = inst.#request(null, "ready", spec.startTimeoutMs);
    const pid = inst.#child.pid;
    if (pid === undefined) throw new Error(`failed to spawn ${spec.command}`);
    await sandbox.adopt(pid).catch(async (err: unknown) => {
      inst.kill("dispose");
      await readiness;
      throw err;
    });
    const first = await readiness;
    if (first.t !== "ready") {
      inst.kill("dispose");
      // A violation is reported while the process still runs; the caller removes its sandbox next.
      if (first.t === "violation" && !inst.#exited) await once(inst.#child, "exit");
      throw new Error(`runtime process failed to start (${describe(first)})`);
    }
    return inst;
  }

  get state(): InstanceState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** False from the moment the process exits, before its death is fully reported. */
  get alive(): boolean {
    return !this.#exited && this.#death === null && this.#broken === null && this.#state !== "dead";
  }

  to(next: InstanceState): void {
    this.#state = transition(this.#state, next);
  }

  /** Called once when the process exits, whatever the reason. */
  onDeath(cb: (inst: Instance) => void): void {
    this.#onDeath = cb;
    // Died before anyone listened (e.g. between readiness and pool registration).
    if (this.#death !== null) queueMicrotask(() => cb(this));
  }

  load(msg: LoadMessage, timeoutMs: number): Promise<LoadedMessage | Failure> {
    return this.#request(msg, "loaded", timeoutMs);
  }

  invoke(msg: InvokeMessage, timeoutMs: number): Promise<ResultMessage | Failure> {
    return this.#request(msg, "res", timeoutMs);
  }

  /** Specialises the process as a web function's relay: resolves once its server listens. */
  startServer(msg: WebLoadMessage, timeoutMs: number): Promise<LoadedMessage | Failure> {
    return this.#request(msg, "loaded", timeoutMs);
  }

  /**
   * Supervises a request the engine serves over its own connection to the instance's server
   * (a web function's): exactly as a control request, its output is collected from now on,
   * its timeout kills the process, and a control message while it runs breaks the instance.
   */
  watch(timeoutMs: number): Watch {
    const failure = this.#request(null, "direct", timeoutMs) as Promise<Failure>;
    const p = this.#pending;
    return {
      failure,
      end: () => {
        if (p === null || this.#pending !== p) return;
        clearTimeout(p.timer);
        this.#pending = null;
      },
    };
  }

  /** The tail of the output read since the last request began: its log. */
  outputTail(): string {
    return this.#tail();
  }

  /** SIGKILL: user code gets no chance to linger. The reason is reported by the pending request. */
  kill(reason: KillReason): void {
    this.#killReason ??= reason;
    this.#cancelFreeze();
    if (this.#death !== null) return;
    this.#child.kill("SIGKILL");
    // A frozen process acts on SIGKILL only once thawed.
    if (this.#frozen !== null) void this.sandbox.thaw().catch(() => undefined);
  }

  /**
   * The instance went idle: freeze it after `graceMs` unless it is used again before, so a
   * function cannot keep computing or serving between its invocations. The grace keeps an
   * instance in steady use off the freeze/thaw path.
   */
  rest(graceMs: number): void {
    if (!this.sandbox.canFreeze || this.#death !== null) return;
    this.#cancelFreeze();
    this.#freezeTimer = setTimeout(() => {
      this.#freezeTimer = null;
      if (this.#state === "idle" && this.#death === null) this.#frozen = this.sandbox.freeze().catch(() => undefined);
    }, graceMs);
    this.#freezeTimer.unref();
  }

  /**
   * Makes a resting instance runnable again; call before sending it work. Returns a promise
   * only when there is a freeze to undo, so the warm path pays nothing otherwise.
   */
  wake(): Promise<void> | undefined {
    this.#cancelFreeze();
    const frozen = this.#frozen;
    if (frozen === null) return undefined;
    this.#frozen = null;
    return frozen.then(() => this.sandbox.thaw());
  }

  #cancelFreeze(): void {
    if (this.#freezeTimer === null) return;
    clearTimeout(this.#freezeTimer);
    this.#freezeTimer = null;
  }

  #request<K extends keyof Replies>(msg: ParentMessage | null, expect: K, timeoutMs: number): Promise<Replies[K] | Failure> {
    if (this.#death !== null) return Promise.resolve(this.#death);
    if (this.#broken !== null) return Promise.resolve({ t: "violation", detail: this.#broken, output: "" });
    this.#output = "";
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.kill("timeout"), timeoutMs);
      const done = (m: ChildMessage | Failure): void => {
        clearTimeout(timer);
        // #onMessage hands over only a message whose `t` is `expect`, i.e. a Replies[K].
        resolve(m as Replies[K] | Failure);
      };
      this.#pending = { expect, resolve: done, timer };
      if (msg !== null) this.#channel.send(msg);
    });
  }

  #onMessage(m: ChildMessage | ProtocolViolation): void {
    if (this.#broken !== null) return;
    const p = this.#pending;
    if (m.t === "violation") return this.#break(m.detail);
    if (p === null) return this.#break(`"${m.t}" while no request was in flight`);
    if (p.expect !== m.t) return this.#break(`"${m.t}" in answer to a request for "${p.expect}"`);
    this.#pending = null;
    if (m.t !== "ready") this.#answered(m);
    p.resolve(m);
  }

  /**
   * A call (or load) answered: whatever the child wrote before is that request's, even if read
   * later. A live listener hears such late output with that request's id only if it already
   * listened when the answer came (output of a call that ended before a listener came is not
   * replayed, even while another listener, there before, hears it); load output is nobody's,
   * as it is while it is read during the load.
   */
  #answered(m: LoadedMessage | ResultMessage): void {
    if (m.stdout === undefined || m.stderr === undefined) return;
    const { stdout, stderr } = this.#attribution;
    // An owner only for bytes still unread: everything read already (the usual case) allocates nothing.
    const late = (stdout !== null && m.stdout > stdout.read) || (stderr !== null && m.stderr > stderr.read);
    const owner = late && m.t === "res" && this.#sink !== null && this.serving !== null ? { serving: this.serving, heardBy: this.#sink.mark() } : null;
    stdout?.answered(m.stdout, owner);
    stderr?.answered(m.stderr, owner);
  }

  /** The child broke the protocol: fail the request in flight and kill the process. */
  #break(detail: string): void {
    this.#broken = detail;
    const p = this.#pending;
    this.#pending = null;
    this.kill("protocol");
    p?.resolve({ t: "violation", detail, output: this.#tail() });
  }

  #tail(): string {
    return Buffer.from(this.#output).subarray(-this.#tailBytes).toString();
  }

  /** Hands every chunk of output read from now on to `sink`; null stops. */
  streamOutput(sink: OutputSink | null): void {
    this.#sink = sink;
  }

  #watchOutput(): void {
    this.#watchStream("stdout", this.#child.stdout);
    this.#watchStream("stderr", this.#child.stderr);
  }

  /** Reads a pipe as bytes (the children count bytes) and decodes it here, as setEncoding would. */
  #watchStream(stream: StreamName, pipe: NodeJS.ReadableStream | null): void {
    if (pipe === null) return;
    const decoder = new StringDecoder("utf8");
    const attribution = new OutputAttribution<Answered | null>((bytes, owed) => {
      const text = decoder.write(bytes);
      if (text !== "") this.#onOutput(stream, text, owed);
    });
    this.#attribution[stream] = attribution;
    pipe.on("data", (chunk: Buffer) => attribution.push(chunk));
  }

  /** Output just read; `owed`: it belongs to a request that already answered, not the current one. */
  #onOutput(stream: StreamName, text: string, owed: Owed<Answered | null> | null): void {
    if (owed !== null) {
      // Not the current request's log either: it has its own, sent with its result.
      if (owed.owner !== null && this.#sink !== null) this.#sink.emit(owed.owner.serving, stream, text, owed.owner.heardBy);
      return;
    }
    const out = this.#output + text;
    this.#output = out.length > 2 * this.#tailBytes ? out.slice(-this.#tailBytes) : out;
    if (this.#sink !== null && this.serving !== null) this.#sink.emit(this.serving, stream, text, null);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exited = true;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      this.#death = { t: "death", code, signal, reason: this.#killReason, output: this.#tail() };
      const p = this.#pending;
      this.#pending = null;
      p?.resolve(this.#death);
      this.#onDeath(this);
    };
    this.#child.once("close", settle);
    setTimeout(settle, PIPE_DRAIN_MS).unref();
  }
}

function spawnChild(spec: SpawnSpec, sandbox: Sandbox): ChildProcess {
  const child = spawn(spec.command, spec.args, {
    cwd: sandbox.tmpDir,
    env: spec.env,
    // fd 3: the control channel (a socketpair); fd 4: the sandbox's arguments, if any.
    stdio: ["ignore", "pipe", "pipe", "pipe", ...(spec.argsOnFd === undefined ? [] : ["pipe" as const])],
    uid: spec.uid,
    gid: spec.gid,
  });
  const argsPipe = child.stdio[4] as Writable | null | undefined;
  if (spec.argsOnFd !== undefined && argsPipe) {
    argsPipe.on("error", () => undefined);
    argsPipe.end(spec.argsOnFd);
  }
  return child;
}

function describe(m: Failure): string {
  if (m.t === "violation") return `it broke the control protocol: ${m.detail}`;
  const how = m.reason === "timeout" ? "not ready in time" : `exit code ${String(m.code)}, signal ${String(m.signal)}`;
  return m.output.trim() === "" ? how : `${how}: ${m.output.trim()}`;
}
