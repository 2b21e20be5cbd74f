/**
 * The execution port: how the core asks for a version to be run. `src/runtime` implements it
 * with isolated OS processes; dialects translate their invoke APIs to and from these types.
 */
import type { CodeRef, FunctionConfig, Scope } from "./model.js";

/** Which vendor's handler conventions (context object, built-in environment) apply. */
export type HandlerConvention = "scf" | "fgs";

/** A head that runs a host directory (hot reload): each new instance runs the directory's current files. */
export interface HostDirCode {
  readonly hostDir: string;
}

/** Exactly what runs: one version's code and configuration. */
export interface InvocationTarget {
  readonly scope: Scope;
  readonly namespace: string;
  readonly functionName: string;
  readonly functionId: string;
  /** Version name as the caller resolved it; "$LATEST" for the head. */
  readonly version: string;
  /**
   * Identity of the code + configuration that runs. Two targets with the same key may share
   * warm instances; an instance never serves two keys. For the head it includes the revision,
   * so a changed head never runs on a stale instance.
   */
  readonly instanceKey: string;
  readonly code: CodeRef | HostDirCode;
  readonly config: FunctionConfig;
}

/**
 * Context values that may differ from one call to the next on the same warm instance (the
 * alias a FunctionGraph call came through; `triggerSrc`, the trigger that made the call, which
 * the function sees as TRIGGER_SRC for that call only); the others are fixed when an instance
 * is loaded and so are part of its key.
 */
export const PER_CALL_CONTEXT_KEYS: readonly string[] = ["alias", "triggerSrc"];

export interface InvocationRequest {
  readonly target: InvocationTarget;
  /** The event as JSON text (already checked to be valid JSON by the dialect). */
  readonly event: string;
  readonly requestId: string;
  readonly convention: HandlerConvention;
  /** Vendor context values the handler sees (appId, uin, project id, ...). */
  readonly contextValues: Readonly<Record<string, string>>;
  /** The qualifier the caller asked for (a version or an alias), when it named one: the live tail filters by it. */
  readonly qualifier?: string;
}

/** What `keepWarm` needs of a request: which code runs, and how its instances are loaded. */
export type WarmRequest = Pick<InvocationRequest, "target" | "requestId" | "convention" | "contextValues">;

export type InvocationErrorKind =
  | "user-error" // the handler threw, rejected or called back with an error
  | "timeout"
  | "memory"
  | "exit" // the process exited or crashed while running
  | "handler-not-found"
  | "result-too-large"
  | "event-too-large"
  | "concurrency-limit" // every instance busy and the wait queue full or timed out
  | "runtime-start-failed";

export interface InvocationOutcome {
  readonly requestId: string;
  /** The handler's return value as JSON text; empty on error. */
  readonly result: string;
  readonly error: { readonly kind: InvocationErrorKind; readonly message: string; readonly stack: string } | null;
  /** Captured stdout/stderr of this invocation (already truncated to the log tail limit). */
  readonly log: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryUsedBytes: number;
}

/**
 * One HTTP request for a web function (SCF `Type: HTTP`, FunctionGraph HTTP functions), as the
 * front door received it. Header names keep the client's spelling; a name may repeat.
 */
export interface HttpExchange {
  readonly method: string;
  /** The path and, after a "?", the query string, exactly as the function's server should see them. */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** What a web function's server answered. */
export interface HttpReply {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

export interface HttpForwardRequest {
  readonly target: InvocationTarget;
  readonly requestId: string;
  readonly convention: HandlerConvention;
  /** Vendor context values (appId, uin, project id, ...): the platform headers the server sees. */
  readonly contextValues: Readonly<Record<string, string>>;
  readonly exchange: HttpExchange;
  /** The qualifier the caller asked for (a version or an alias), when it named one. */
  readonly qualifier?: string;
}

/**
 * Output a running invocation printed, as the engine read it from the process (a chunk may
 * hold part of a line or several lines).
 */
export interface OutputChunk {
  readonly requestId: string;
  /** What runs: its scope, function and the version that runs. */
  readonly target: Pick<InvocationTarget, "scope" | "functionId" | "namespace" | "functionName" | "version">;
  /** The qualifier the caller asked for, when known. */
  readonly qualifier: string | undefined;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

export type OutputListener = (chunk: OutputChunk) => void;

/** Like `InvocationOutcome`, with the server's answer instead of a returned value. */
export interface HttpForwardOutcome {
  readonly requestId: string;
  /** The server's answer; null exactly when `error` is set. */
  readonly reply: HttpReply | null;
  readonly error: { readonly kind: InvocationErrorKind; readonly message: string; readonly stack: string } | null;
  /** Output of the function's server while it served this request (or failed to start). */
  readonly log: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryUsedBytes: number;
}

/** How the instances kept for one target are doing (see `Invoker.provision`). */
export interface ProvisionState {
  readonly asked: number;
  /** Instances started and healthy (idle or busy), at most `asked`: never the number asked for. */
  readonly available: number;
  /** Why the instances asked for cannot all be kept; null while they can (or are being started). */
  readonly failure: string | null;
}

export interface Invoker {
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
  /**
   * Sends one HTTP request to a web function's server (started in an instance of its own, as
   * event functions are) and returns its answer. Never throws for the function's failures.
   */
  forward(request: HttpForwardRequest): Promise<HttpForwardOutcome>;
  /**
   * Keeps at least one warm instance for each request's target until `untilMs` (starting one
   * when there is none), so that traffic moved to it by an alias is served warm.
   */
  keepWarm(requests: readonly WarmRequest[], untilMs: number): void;
  /**
   * Keeps `count` instances of the request's target started, however idle (provisioned
   * concurrency), replacing any that die; 0 releases them. They count against the machine's
   * instance cap like any other. Lowering the count retires idle instances above it.
   */
  provision(request: WarmRequest, count: number): void;
  /** How the instances kept for `instanceKey` are doing; null when none are asked for. */
  provisionState(instanceKey: string): ProvisionState | null;
  /** Retires the instances whose key starts with `keyPrefix`: their code can no longer run. */
  retire(keyPrefix: string): void;
  close(): Promise<void>;
}
