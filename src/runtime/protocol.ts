/**
 * Control messages between the engine and a child. Node children use Node IPC (advanced
 * serialisation); Python children use newline-delimited JSON on fd 3 (a Unix socketpair).
 * stdout/stderr stay separate pipes, so user output can never be mistaken for a control message.
 */
import type { InvocationErrorKind } from "../core/invoke.js";

export interface WireError {
  readonly kind: InvocationErrorKind;
  readonly message: string;
  readonly stack: string;
}

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
}

export interface InvokeMessage {
  readonly t: "inv";
  readonly id: string;
  readonly ev: string;
  /** Context values for this call only, laid over the ones given at load. */
  readonly ctx?: Readonly<Record<string, string>>;
}

export type ParentMessage = LoadMessage | InvokeMessage;

export interface ReadyMessage {
  readonly t: "ready";
}

export interface LoadedMessage {
  readonly t: "loaded";
  readonly err: WireError | null;
}

export interface ResultMessage {
  readonly t: "res";
  readonly r: string;
  readonly err: WireError | null;
  readonly log: string;
  readonly rss: number;
  /** The child's state is suspect (uncaught exception): retire it after this result. */
  readonly retire?: boolean;
}

export type ChildMessage = ReadyMessage | LoadedMessage | ResultMessage;

/** Cheap shape check: messages come from our own bootstrap, but a user may write to fd 3. */
export function isChildMessage(m: unknown): m is ChildMessage {
  if (typeof m !== "object" || m === null) return false;
  const t = (m as { t?: unknown }).t;
  return t === "ready" || t === "loaded" || t === "res";
}
