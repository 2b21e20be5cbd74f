/**
 * How the engine talks HTTP to a web function's own server: directly, over one kept-alive TCP
 * connection per instance, with no process in between (docs/runtime.md, "Web functions").
 *
 * - Instances that share the host's network (`user`, `none`): the engine connects to
 *   127.0.0.1:PORT itself.
 * - Sandboxed instances have a network namespace of their own, which Node cannot enter. A
 *   trusted helper on the host (`child/netns-connect.py`, one per engine) enters it, connects,
 *   and hands the engine the connected socket over a Node IPC channel (SCM_RIGHTS). The socket
 *   comes from the engine's own helper, never from a process of the sandbox: anything that can
 *   write to a Node IPC channel can also pass it a file descriptor Node aborts on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync } from "node:fs";
import { readFile, readlink } from "node:fs/promises";
import { connect as tcpConnect, Socket } from "node:net";
import { Client, type Dispatcher } from "undici";
import type { WireError } from "./protocol.js";
import { wireError } from "./outcome.js";
import { headerBytes, WEB_MAX_HEADER_BYTES } from "./web.js";

/** Opens a new connection to one instance's server. */
export type Connect = () => Promise<Socket>;

/** Connects to a server that shares the host's network. */
export function hostConnect(port: number): Connect {
  return () =>
    new Promise((resolve, reject) => {
      const sock = tcpConnect({ host: "127.0.0.1", port });
      sock.once("connect", () => {
        sock.off("error", reject);
        resolve(sock);
      });
      sock.once("error", reject);
    });
}

/** Where a sandboxed server is: a process in its namespace (checked by the namespace's inode) and the port. */
export interface NetnsTarget {
  readonly pid: number;
  readonly inode: number;
  readonly port: number;
}

interface Waiter {
  readonly resolve: (sock: Socket) => void;
  readonly reject: (err: Error) => void;
}

/** The host helper that connects into sandboxes' network namespaces; started on first use. */
export class NetnsConnector {
  readonly #python: string;
  readonly #script: string;
  #child: ChildProcess | null = null;
  readonly #waiting = new Map<number, Waiter>();
  #seq = 0;
  #closed = false;

  constructor(python: string, script: string) {
    this.#python = python;
    this.#script = script;
  }

  connect(target: NetnsTarget): Connect {
    return () => this.#ask(target);
  }

  #ask(target: NetnsTarget): Promise<Socket> {
    if (this.#closed) return Promise.reject(new Error("engine is closing"));
    const child = this.#child ?? this.#start();
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      child.send({ id, pid: target.pid, inode: target.inode, port: target.port });
    });
  }

  #start(): ChildProcess {
    const child = spawn(this.#python, ["-I", "-s", "-B", this.#script], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", (m: { id?: unknown; err?: unknown }, handle: unknown) => this.#answer(m, handle));
    child.on("error", () => undefined);
    // A helper that dies fails what waited on it; the next connection starts a new one.
    child.once("exit", (code, signal) => {
      if (this.#child === child) this.#child = null;
      this.#failAll(new Error(`the network namespace helper exited (${signal ?? `code ${String(code)}`})`));
    });
    this.#child = child;
    return child;
  }

  #answer(m: { id?: unknown; err?: unknown }, handle: unknown): void {
    const w = typeof m.id === "number" ? this.#waiting.get(m.id) : undefined;
    if (w === undefined) {
      if (handle instanceof Socket) handle.destroy();
      return;
    }
    this.#waiting.delete(m.id as number);
    if (handle instanceof Socket) w.resolve(handle);
    else w.reject(new Error(typeof m.err === "string" ? m.err : "no connection"));
  }

  #failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  close(): void {
    this.#closed = true;
    this.#child?.kill("SIGKILL");
    this.#child = null;
    this.#failAll(new Error("engine is closing"));
  }
}

/** One request for a web function's server; headers as name, value, name, value… */
export interface ServerRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: readonly string[];
  readonly body: Buffer;
}

/**
 * How an exchange ended: the server's answer; an error to report as the request's (an answer
 * over the limits); or the connection lost before an answer, which may be the instance dying.
 */
export type Exchange =
  | { readonly t: "reply"; readonly status: number; readonly rawHeaders: string[]; readonly body: Buffer }
  | { readonly t: "error"; readonly error: WireError }
  | { readonly t: "lost"; readonly message: string };

/**
 * One instance's connection to its server: an undici `Client` (one kept-alive connection, one
 * request at a time, as an instance serves), opened again when the server closed it. Requests
 * go through undici's low-level `dispatch` with a handler that gets the raw headers and body
 * chunks as the parser finds them, with no stream in between.
 */
export class ServerLink {
  readonly #client: Client;
  readonly #maxBodyBytes: number;
  /** Requests written on the current connection: 0 on a new one, or with none open. */
  #uses = 0;

  constructor(connect: Connect, maxBodyBytes: number) {
    this.#maxBodyBytes = maxBodyBytes;
    // The origin is only a name: every connection comes from `connect`, and every request
    // names its own Host (undici adds none when the request has one).
    this.#client = new Client("http://127.0.0.1", {
      pipelining: 1,
      connect: (_opts, cb) => {
        connect().then(
          (sock) => {
            sock.setNoDelay(true);
            this.#uses = 0;
            cb(null, sock);
          },
          (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), null),
        );
      },
      // Undici counts names and values without separators, so whatever it refuses the
      // engine's own count (with them) refuses too; it just stops reading sooner.
      maxHeaderSize: WEB_MAX_HEADER_BYTES,
      // The engine supervises the function's timeout (up to 900 s) itself.
      headersTimeout: 0,
      bodyTimeout: 0,
      // An idle connection stays open until the server closes it, or until shortly before
      // the time its Keep-Alive header announces (undici's own rule, which avoids the race).
      keepAliveTimeout: MAX_TIMER_MS,
      keepAliveMaxTimeout: MAX_TIMER_MS,
    });
    this.#client.on("disconnect", () => {
      this.#uses = 0;
    });
  }

  exchange(req: ServerRequest): Promise<Exchange> {
    return new Promise((resolve) => this.#send(req, 0, resolve));
  }

  /** Drops the connection for good: the instance is gone. */
  close(): void {
    void this.#client.destroy().catch(() => undefined);
  }

  #send(r: ServerRequest, attempt: number, done: (e: Exchange) => void): void {
    let settled = false;
    const finish = (e: Exchange): void => {
      if (settled) return;
      settled = true;
      done(e);
    };
    const maxBodyBytes = this.#maxBodyBytes;
    // A connection that has served a request is open now (the request may meet it closed).
    const pooled = this.#uses > 0;
    let written = false;
    let reused = false;
    let answered = false;
    let status = 0;
    let rawHeaders: string[] = [];
    const parts: Buffer[] = [];
    let size = 0;
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => {
        written = true;
        reused = this.#uses++ > 0;
      },
      onHeaders: (statusCode, headers) => {
        // An informational answer (103 Early Hints, say): the final one follows.
        if (statusCode < 200) return true;
        answered = true;
        status = statusCode;
        rawHeaders = latin1(headers);
        // Thrown errors abort the request and drop the connection (undici's way).
        if (headerBytes(rawHeaders) > WEB_MAX_HEADER_BYTES) throw new AnswerTooLarge(`the response headers exceed ${WEB_MAX_HEADER_BYTES} bytes`);
        return true;
      },
      onData: (chunk) => {
        size += chunk.length;
        if (size > maxBodyBytes) throw new AnswerTooLarge(`the response body exceeds the ${maxBodyBytes}-byte limit`);
        parts.push(chunk);
        return true;
      },
      onComplete: () => finish({ t: "reply", status, rawHeaders, body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) }),
      onUpgrade: (_status, _headers, socket) => {
        socket.destroy();
        finish({ t: "lost", message: "the server switched protocols" });
      },
      onError: (err: Error & { code?: string }) => {
        if (settled) return;
        if (err instanceof AnswerTooLarge) return finish(tooLarge(err.message));
        if (err.code === "UND_ERR_HEADERS_OVERFLOW") return finish(tooLarge(`the response headers exceed ${WEB_MAX_HEADER_BYTES} bytes`));
        // A kept-alive connection the server closed meanwhile: the request never reached it
        // (the race of any HTTP client), so it is sent once more, on a new connection.
        if (attempt === 0 && !answered && closedBeforeAnswer(err) && (written ? reused : pooled)) {
          settled = true;
          this.#send(r, 1, done);
          return;
        }
        // What undici refuses to send (a header or path it finds invalid) never left.
        if (err.code === "UND_ERR_INVALID_ARG" || err.code === "UND_ERR_NOT_SUPPORTED") return finish({ t: "error", error: wireError("user-error", `the request cannot be sent to the function's server: ${err.message}`) });
        finish({ t: "lost", message: answered ? "the connection closed before the answer was complete" : err.message });
      },
    };
    // Undici sends the headers in their order and case, except Host (first) and
    // Content-Length (last), whose names it writes in lower case; it adds `connection:
    // keep-alive`, and no Content-Length or Transfer-Encoding of its own for a Buffer body.
    this.#client.dispatch({ path: r.path, method: r.method as Dispatcher.HttpMethod, headers: r.headers as string[], body: r.body.length > 0 ? r.body : null }, handler);
  }
}

/** An answer over the limits, thrown from the handler to abort the request. */
class AnswerTooLarge extends Error {}

/** The longest a Node timer can wait (about 24.8 days): no time limit, in effect. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The connection closed (a FIN or a reset) before any answer came. */
function closedBeforeAnswer(err: Error & { code?: string }): boolean {
  return err.code === "ECONNRESET" || (err.code === "UND_ERR_SOCKET" && err.message === "other side closed");
}

/** Header names and values as Node's HTTP parser gives them: one character per byte. */
function latin1(raw: readonly (Buffer | string)[]): string[] {
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] as Buffer | string;
    out[i] = typeof v === "string" ? v : v.toString("latin1");
  }
  return out;
}

function tooLarge(message: string): Exchange {
  return { t: "error", error: wireError("result-too-large", message) };
}

/** How old a web instance's resident-memory reading may be when it is reused (`ServerProcesses.rss`). */
const RSS_SAMPLE_MS = 100;

/**
 * The processes of a web instance as found once its server listens: everything under the
 * instance's process (minus a sandbox's outer bwrap, which is outside the namespace), whose
 * resident memory is the request's `memoryUsedBytes` (the relay and the server, as before),
 * and, in a sandbox, a process in its network namespace to connect through.
 */
export class ServerProcesses {
  readonly #statm: number[];
  /** Null when the instance shares the host's network. */
  readonly netnsPid: { readonly pid: number; readonly inode: number } | null;
  readonly #buf = Buffer.alloc(128);
  #sampledAt = -Infinity;
  #sampled = 0;

  private constructor(statm: number[], netnsPid: ServerProcesses["netnsPid"]) {
    this.#statm = statm;
    this.netnsPid = netnsPid;
  }

  static async find(rootPid: number, sandboxed: boolean): Promise<ServerProcesses> {
    const all = await descendants(rootPid);
    const pids = sandboxed ? all.filter((p) => p !== rootPid) : all;
    let netnsPid: ServerProcesses["netnsPid"] = null;
    if (sandboxed) {
      const host = await readlink("/proc/self/ns/net");
      for (const pid of pids) {
        const ns = await readlink(`/proc/${pid}/ns/net`).catch(() => host);
        if (ns !== host) {
          netnsPid = { pid, inode: Number(/\[(\d+)\]/.exec(ns)?.[1] ?? 0) };
          break;
        }
      }
      if (netnsPid === null) throw new Error("the sandbox has no process in its own network namespace");
    }
    const fds: number[] = [];
    for (const pid of pids) {
      try {
        fds.push(openSync(`/proc/${pid}/statm`, "r"));
      } catch {
        // Gone already (a shell that exec'd); its death, if it matters, is reported separately.
      }
    }
    return new ServerProcesses(fds, netnsPid);
  }

  /**
   * Resident bytes, sampled at most every {@link RSS_SAMPLE_MS} per instance: the first call
   * reads, later calls within that time answer the last reading. This runs on the engine's
   * main thread for every request, and each read is a syscall per process (10-30 µs each on a
   * small VM), so reading on every request of a busy instance cost a noticeable share of the
   * main thread; a value up to 100 ms old is as good a `memoryUsedBytes`. The statm files stay
   * open, so a reading is one read per process.
   */
  rss(): number {
    const now = performance.now();
    if (now - this.#sampledAt < RSS_SAMPLE_MS) return this.#sampled;
    this.#sampledAt = now;
    this.#sampled = this.#readRss();
    return this.#sampled;
  }

  #readRss(): number {
    let total = 0;
    for (const fd of this.#statm) {
      try {
        const n = readSync(fd, this.#buf, 0, this.#buf.length, 0);
        total += Number(this.#buf.toString("latin1", 0, n).split(" ")[1] ?? 0) * 4096;
      } catch {
        // The process is gone; its death is reported separately.
      }
    }
    return total;
  }

  close(): void {
    for (const fd of this.#statm) closeSync(fd);
    this.#statm.length = 0;
  }
}

/** A process and everything it started (Linux `/proc/<pid>/task/<pid>/children`). */
async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const queue = [pid]; queue.length > 0; ) {
    const p = queue.shift() as number;
    out.push(p);
    const text = await readFile(`/proc/${p}/task/${p}/children`, "utf8").catch(() => "");
    for (const c of text.split(" ")) if (c.trim() !== "") queue.push(Number(c));
  }
  return out;
}
