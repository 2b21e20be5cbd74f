/**
 * The control protocol between the engine and a runtime process (docs/runtime.md, "Protocol").
 * Both families speak it the same way: newline-delimited JSON on fd 3, a Unix socketpair made
 * by `spawn`. stdout/stderr stay separate pipes, so user output is never taken for a message.
 *
 * What the engine sends is trusted and only typed here. What a child sends is not: user code
 * runs in the child and can write to fd 3. So every frame is bounded, parsed and validated by
 * the one schema below before the engine acts on it, and anything else is a violation that
 * fails the invocation and retires the instance (channel.ts, instance.ts).
 */
import { z } from "zod";
import type { InvocationErrorKind } from "../core/invoke.js";

export interface WireError {
  readonly kind: InvocationErrorKind;
  readonly message: string;
  readonly stack: string;
}

/**
 * Longest error message, and longest stack, a child may send (UTF-16 code units). The load
 * message tells the children, which clip to it, so a user's huge error text stays an error.
 */
export const ERROR_TEXT_CHARS = 32 * 1024;

/** Engine options that bound what a valid child message holds. */
export interface ProtocolLimits {
  readonly maxResultBytes: number;
  readonly logTailBytes: number;
}

// --- engine → child (trusted)

/** Specialise a generic process for one version. */
export interface LoadMessage {
  readonly t: "load";
  readonly root: string;
  readonly handler: string;
  readonly convention: "scf" | "fgs";
  /** The complete environment the function sees; replaces the stem cell's. */
  readonly env: Readonly<Record<string, string>>;
  /** Static context values; the child adds per-request ones. */
  readonly ctx: Readonly<Record<string, string | number>>;
  readonly timeoutMs: number;
  readonly logTailBytes: number;
  readonly maxResultBytes: number;
  /** `ERROR_TEXT_CHARS`, sent so the bootstraps do not repeat the number. */
  readonly errorTextChars: number;
}

export interface InvokeMessage {
  readonly t: "inv";
  readonly id: string;
  readonly ev: string;
  /** Context values for this call only, laid over the ones given at load. */
  readonly ctx?: Readonly<Record<string, string>>;
}

/**
 * Specialise a generic process as the relay of a web function: start the function's own
 * server (a bootstrap file, in `root`, with `env` plus `PORT`) and answer `loaded` once `port` on
 * 127.0.0.1 accepts connections. Port 0: the relay picks a free one (no network namespace of
 * the instance's own, so instances cannot share the vendor's fixed port).
 */
export interface WebLoadMessage {
  readonly t: "web";
  readonly root: string;
  /**
   * The bootstrap files to look for, the first one present wins; `shell`: run it with a shell
   * when it is not executable (FunctionGraph's `bootstrap` is a command line).
   */
  readonly bootstraps: readonly { readonly path: string; readonly shell: boolean }[];
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  /** Start the server in a process group of its own, for the engine to kill (no cgroups to do it). */
  readonly ownGroup: boolean;
  readonly errorTextChars: number;
}

export type ParentMessage = LoadMessage | InvokeMessage | WebLoadMessage;


// --- child → engine (untrusted)

/** The error kinds a child may report; every other kind is the engine's own finding. */
const CHILD_ERROR_KINDS = ["user-error", "handler-not-found", "result-too-large", "runtime-start-failed"] as const satisfies readonly InvocationErrorKind[];

/** Byte length check that skips the O(n) count when the length alone settles it. */
function fitsBytes(max: number): (s: string) => boolean {
  return (s) => s.length * 3 <= max || Buffer.byteLength(s) <= max;
}

/**
 * How many bytes the child has written to its stdout (`stdout`) and stderr (`stderr`) since it
 * started, counted where the bootstrap writes through to the pipes: every byte below them in
 * the pipe was written before the message, so belongs to the call (or load) it ends, however
 * late the engine reads it (output-attribution.ts).
 */
const written = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

function childMessageSchema(limits: ProtocolLimits) {
  const text = z.string().max(ERROR_TEXT_CHARS);
  const err = z.strictObject({ kind: z.enum(CHILD_ERROR_KINDS), message: text, stack: text }).nullable();
  return z.discriminatedUnion("t", [
    // The process is up and generic (a stem cell). First message, once.
    z.strictObject({ t: z.literal("ready") }),
    // Answer to `load` (the handler is loaded) or `web` (the server listens), or why not. The
    // counts are left out after `web`: the server writes to the pipes itself, uncounted.
    z.strictObject({ t: z.literal("loaded"), err, log: z.string().max(limits.logTailBytes).optional(), stdout: written.optional(), stderr: written.optional() }),
    // Answer to `inv`.
    z.strictObject({
      t: z.literal("res"),
      /** The handler's result as JSON text; "" on error. */
      r: z.string().max(limits.maxResultBytes).refine(fitsBytes(limits.maxResultBytes), `result exceeds ${limits.maxResultBytes} bytes`),
      err,
      /** The invocation's log tail, already clipped to `logTailBytes` (≤ as many code units). */
      log: z.string().max(limits.logTailBytes),
      rss: z.number().int().nonnegative(),
      /** Bytes written to stdout and to stderr since the process started (see `written`). */
      stdout: written,
      stderr: written,
      /** The child's state is suspect (uncaught exception): retire it after this result. */
      retire: z.boolean().optional(),
    }),
  ]);
}

export type ChildMessage = z.infer<ReturnType<typeof childMessageSchema>>;
export type ReadyMessage = Extract<ChildMessage, { t: "ready" }>;
export type LoadedMessage = Extract<ChildMessage, { t: "loaded" }>;
export type ResultMessage = Extract<ChildMessage, { t: "res" }>;

/** Why a child's frame was refused; short, and never echoing the child's bytes. */
export interface ProtocolViolation {
  readonly t: "violation";
  readonly detail: string;
}

/** Decodes a child's frames under one engine's limits (built once per engine). */
export interface ChildProtocol {
  /** Longest frame a valid message needs; a longer one is refused before it is read whole. */
  readonly maxFrameBytes: number;
  decode(frame: Buffer): ChildMessage | ProtocolViolation;
}

export function childProtocol(limits: ProtocolLimits): ChildProtocol {
  const schema = childMessageSchema(limits);
  const isResult = plainResultCheck(limits);
  return {
    maxFrameBytes: maxFrameBytes(limits),
    decode(frame) {
      let value: unknown;
      try {
        value = JSON.parse(frame.toString("utf8"));
      } catch {
        return violation("a frame that is not JSON");
      }
      // The one message of every invocation, checked without the schema's machinery (a tenth
      // of its cost); anything it does not accept goes through the schema, which has the last word.
      if (isResult(value)) return value;
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? "message" : issue.path.join(".");
      return violation(`invalid message: ${where}: ${issue?.message ?? "rejected"}`);
    },
  };
}

const RESULT_KEYS = new Set(["t", "r", "err", "log", "rss", "stdout", "stderr", "retire"]);
const ERROR_KEYS = new Set(["kind", "message", "stack"]);
const CHILD_ERROR_KIND_SET: ReadonlySet<string> = new Set(CHILD_ERROR_KINDS);

/**
 * A `res` message exactly as the schema accepts it (same keys, types and limits), written out
 * by hand for the hot path. It accepts nothing the schema would refuse; what it does not
 * accept (including every malformed message) is left to the schema.
 */
function plainResultCheck(limits: ProtocolLimits): (value: unknown) => value is ResultMessage {
  const resultFits = fitsBytes(limits.maxResultBytes);
  const errorText = (v: unknown): boolean => typeof v === "string" && v.length <= ERROR_TEXT_CHARS;
  const isError = (e: unknown): boolean => {
    if (e === null) return true;
    if (typeof e !== "object" || Array.isArray(e)) return false;
    const o = e as Record<string, unknown>;
    for (const key in o) if (!ERROR_KEYS.has(key)) return false;
    return typeof o["kind"] === "string" && CHILD_ERROR_KIND_SET.has(o["kind"]) && errorText(o["message"]) && errorText(o["stack"]);
  };
  const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  return (value): value is ResultMessage => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const m = value as Record<string, unknown>;
    if (m["t"] !== "res") return false;
    for (const key in m) if (!RESULT_KEYS.has(key)) return false;
    const { r, log, rss, stdout, stderr, retire } = m;
    return (
      typeof r === "string" &&
      r.length <= limits.maxResultBytes &&
      resultFits(r) &&
      "err" in m &&
      isError(m["err"]) &&
      typeof log === "string" &&
      log.length <= limits.logTailBytes &&
      isCount(rss) &&
      isCount(stdout) &&
      isCount(stderr) &&
      (retire === undefined || typeof retire === "boolean")
    );
  };
}

export function violation(detail: string): ProtocolViolation {
  return { t: "violation", detail };
}

/**
 * The JSON text of the largest valid message. Escaping at most doubles the result text (it is
 * JSON already, so only `"` and `\` grow) and at most sextuples other text (a control character
 * becomes `\u00XX`); 4 KiB covers the keys and numbers (a handful, none over 16 digits).
 */
function maxFrameBytes(l: ProtocolLimits): number {
  return 2 * l.maxResultBytes + 6 * (l.logTailBytes + 2 * ERROR_TEXT_CHARS) + 4096;
}
