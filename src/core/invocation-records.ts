/**
 * Invocation records: what every invocation leaves behind (sync, async, HTTP trigger, timer),
 * the store port that keeps them, and the recorder that writes them in batches off the invoke
 * path. Dialects read them to answer their log and status APIs; the live tail and the metrics
 * listen to the recorder.
 */
import { logTail } from "./invocation-text.js";
import type { InvocationErrorKind } from "./invoke.js";
import type { Page, Scope, SortOrder } from "./model.js";

export type ResultCode = "success" | "function-error" | "timeout" | "memory" | "start-failure" | "throttled";

/** What made the call: the invoke APIs (sync), an async invoke, an HTTP trigger, a timer fire. */
export type InvocationSource = "invoke" | "async" | "http" | "timer";

export interface InvocationRecord {
  readonly requestId: string;
  readonly scope: Scope;
  readonly functionId: string;
  readonly namespace: string;
  readonly functionName: string;
  /** As asked ("$LATEST", a version, an alias). */
  readonly qualifier: string;
  /** What ran ("" when nothing ran). */
  readonly versionName: string;
  readonly alias: string | null;
  readonly source: InvocationSource;
  /** Epoch ms (Quiver's clock) when the invocation was handed to the engine. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryUsedBytes: number;
  /** The memory size the version ran with. */
  readonly memoryMb: number;
  readonly resultCode: ResultCode;
  /** "" on success. */
  readonly errorMessage: string;
  /**
   * The invocation's output up to the log cap. When it was longer, its end is kept (where a
   * failure shows, and what the vendors' tails show) and `TRUNCATION_MARKER` comes first.
   */
  readonly log: string;
  readonly logTruncated: boolean;
  /** The returned value (JSON text, or an HTTP function's answer) up to the result cap. */
  readonly result: string;
  readonly resultTruncated: boolean;
}

export type RecordOrderBy = "startedAt" | "durationMs" | "memoryUsedBytes" | "functionName";

export interface RecordQuery {
  readonly functionId?: string;
  readonly namespace?: string;
  readonly functionName?: string;
  readonly requestId?: string;
  /** Matches the qualifier asked for OR the version that ran. */
  readonly qualifier?: string;
  /** Any of these (absent or empty: every code). */
  readonly resultCodes?: readonly ResultCode[];
  /** startedAt ≥ from (epoch ms). */
  readonly from?: number;
  /** startedAt ≤ to (epoch ms). */
  readonly to?: number;
  readonly offset: number;
  readonly limit: number;
  readonly order: SortOrder;
  readonly orderBy: RecordOrderBy;
}

/** One time bucket of a function's invocations (FunctionGraph statistics). */
export interface InvocationBucket {
  /** Start of the bucket (epoch ms, a multiple of `bucketMs` from `from`). */
  readonly start: number;
  readonly count: number;
  /** Function errors and start failures. */
  readonly errors: number;
  readonly throttles: number;
  readonly durationSumMs: number;
  readonly durationMinMs: number;
  readonly durationMaxMs: number;
}

/** What a store keeps of invocation records (part of `MetadataStore`). */
export interface InvocationRecordStore {
  /** One batch, one transaction. A request id already recorded is kept as it was. */
  insertInvocationRecords(records: readonly InvocationRecord[]): Promise<void>;
  /** The scope's records matching the query; `total` counts every match. */
  queryInvocationRecords(scope: Scope, query: RecordQuery): Promise<Page<InvocationRecord>>;
  /**
   * The function's invocations started in [from, to) counted per bucket of `bucketMs`, oldest
   * first; buckets without invocations are left out.
   */
  invocationBuckets(scope: Scope, functionId: string, from: number, to: number, bucketMs: number): Promise<InvocationBucket[]>;
  /**
   * Removes records started before `olderThan`, then the oldest ones until the stored log and
   * result texts take at most `maxBytes`. Works in small batches so invocations go on being
   * recorded meanwhile. Returns how many were removed.
   */
  pruneInvocationRecords(olderThan: number, maxBytes: number): Promise<number>;
}

/** The result code of an invocation that ended with this error (null: it succeeded). */
export function resultCodeOf(kind: InvocationErrorKind | null): ResultCode {
  switch (kind) {
    case null:
      return "success";
    case "timeout":
      return "timeout";
    case "memory":
      return "memory";
    case "runtime-start-failed":
      return "start-failure";
    case "concurrency-limit":
      return "throttled";
    case "user-error":
    case "handler-not-found":
    case "exit":
    case "result-too-large":
    case "event-too-large":
      return "function-error";
  }
}

/** Result codes that count as failed invocations in statistics: the function failed (it threw, timed out or ran out of memory) or could not start; throttles are counted apart. */
export const ERROR_RESULT_CODES: readonly ResultCode[] = ["function-error", "timeout", "memory", "start-failure"];

export const TRUNCATION_MARKER = "[log truncated: the start of this invocation's output was not kept]\n";

/**
 * How much more output than the record's cap the engine keeps, so that a log the engine had to
 * cut is always longer than the cap and the record sees that it was cut.
 */
export const ENGINE_LOG_SLACK_BYTES = 4096;

export interface RecordCaps {
  readonly maxLogBytes: number;
  readonly maxResultBytes: number;
}

export const DEFAULT_RECORD_CAPS: RecordCaps = { maxLogBytes: 1024 * 1024, maxResultBytes: 64 * 1024 };

export interface Capped {
  readonly text: string;
  readonly truncated: boolean;
}

function fits(text: string, maxBytes: number): boolean {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short texts need no encoding to know.
  return text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes;
}

/** The first `maxBytes` bytes of a text (a returned value), cut on a character boundary. */
export function capHead(text: string, maxBytes: number): Capped {
  if (fits(text, maxBytes)) return { text, truncated: false };
  const bytes = Buffer.from(text);
  let end = Math.max(0, maxBytes);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString(), truncated: true };
}

/** A log within `maxBytes`: as it is, or the marker and then the log's last bytes (see `logTail`). */
export function capLog(text: string, maxBytes: number): Capped {
  if (fits(text, maxBytes)) return { text, truncated: false };
  return { text: TRUNCATION_MARKER + logTail(text, maxBytes - Buffer.byteLength(TRUNCATION_MARKER)), truncated: true };
}

/** What a finished (or refused) invocation tells the recorder; the rest of the record is built here. */
export interface RecordInput extends Pick<InvocationRecord, "requestId" | "scope" | "functionId" | "namespace" | "functionName" | "qualifier" | "versionName" | "alias" | "source" | "startedAt" | "memoryMb"> {
  readonly outcome: {
    readonly result: string;
    readonly error: { readonly kind: InvocationErrorKind; readonly message: string } | null;
    readonly log: string;
    readonly durationMs: number;
    readonly billedMs: number;
    readonly memoryUsedBytes: number;
  };
}

/**
 * The record of an invocation, its log and result cut to the caps. Every field is named, in one
 * order: copying the input with a rest pattern gave records V8 shapes that kept changing (a new
 * hidden class every few records), so every reader of records (the writer, the metrics, the
 * tail) read them through its slowest property lookups.
 */
export function buildRecord(input: RecordInput, caps: RecordCaps): InvocationRecord {
  const { outcome } = input;
  const log = capLog(outcome.log, caps.maxLogBytes);
  const result = capHead(outcome.result, caps.maxResultBytes);
  return {
    requestId: input.requestId,
    scope: input.scope,
    functionId: input.functionId,
    namespace: input.namespace,
    functionName: input.functionName,
    qualifier: input.qualifier,
    versionName: input.versionName,
    alias: input.alias,
    source: input.source,
    startedAt: input.startedAt,
    memoryMb: input.memoryMb,
    durationMs: outcome.durationMs,
    billedMs: outcome.billedMs,
    memoryUsedBytes: outcome.memoryUsedBytes,
    resultCode: resultCodeOf(outcome.error?.kind ?? null),
    errorMessage: outcome.error?.message ?? "",
    log: log.text,
    logTruncated: log.truncated,
    result: result.text,
    resultTruncated: result.truncated,
  };
}

export type RecordListener = (record: InvocationRecord) => void;

export interface RecorderOptions {
  /** Where records go; null keeps none (records disabled) while listeners still hear every one. */
  readonly store: Pick<InvocationRecordStore, "insertInvocationRecords"> | null;
  readonly caps?: RecordCaps;
  /** A batch is written this long after its first record at the latest… */
  readonly batchMs?: number;
  /** …or as soon as it has this many records. */
  readonly batchSize?: number;
  /** Records waiting beyond this many (the store is down or slow) are dropped, oldest first. */
  readonly maxQueued?: number;
  /** A batch the store refused (it is dropped), or records dropped from a full queue. */
  readonly onError?: (error: unknown, dropped: number) => void;
}

/**
 * Takes records on the invoke path without waiting: `record` only queues (and tells the
 * listeners), and batches go to the store every `batchMs` or `batchSize` records, one
 * transaction each, one at a time. Records stay in the queue until their batch is taken, so a
 * store slower than the invocations (or down) holds at most `maxQueued` of them, the oldest
 * dropped first. `flush` writes what is queued; `close` flushes and takes no more.
 */
export class InvocationRecorder {
  readonly caps: RecordCaps;
  readonly #store: RecorderOptions["store"];
  readonly #batchMs: number;
  readonly #batchSize: number;
  readonly #maxQueued: number;
  readonly #onError: NonNullable<RecorderOptions["onError"]>;
  readonly #listeners = new Set<RecordListener>();
  #queue: InvocationRecord[] = [];
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  // Records are numbered in queue order: `#queued` have ever been queued, the first `#taken`
  // of them have left the queue (into a batch, or dropped). Flushes wait for a number.
  #queued = 0;
  #taken = 0;
  /** Where the batch being written starts (null: none is). */
  #writingFrom: number | null = null;
  /** Records up to this number are to be written by the running drain. */
  #wanted = 0;
  #draining = false;
  #waiters: { readonly through: number; readonly settle: () => void }[] = [];

  constructor(options: RecorderOptions) {
    this.#store = options.store;
    this.caps = options.caps ?? DEFAULT_RECORD_CAPS;
    this.#batchMs = options.batchMs ?? 50;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxQueued = options.maxQueued ?? 50_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Builds the record of a finished invocation (caps applied) and queues it. */
  recordOutcome(input: RecordInput): InvocationRecord {
    const record = buildRecord(input, this.caps);
    this.record(record);
    return record;
  }

  /** Queues a record and tells the listeners; never waits for the store. */
  record(record: InvocationRecord): void {
    if (this.#closed) return;
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        // A listener's fault must not lose the record or fail the invocation.
        this.#onError(error, 0);
      }
    }
    if (this.#store === null) return;
    this.#queue.push(record);
    this.#queued += 1;
    if (this.#queue.length > this.#maxQueued) {
      const dropped = this.#queue.length - this.#maxQueued;
      this.#queue.splice(0, dropped);
      this.#taken += dropped;
      this.#onError(new Error(`the invocation record queue is full: ${dropped} records dropped`), dropped);
      this.#settleWaiters();
    }
    if (this.#queue.length >= this.#batchSize) this.#schedule(0);
    else this.#schedule(this.#batchMs);
  }

  /** Called with each record as it is queued; returns the unsubscribe function. */
  subscribe(listener: RecordListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Writes every record queued so far; resolves once they are stored (or reported lost). */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const through = this.#queued;
    const flushed = new Promise<void>((settle) => this.#waiters.push({ through, settle }));
    this.#wanted = Math.max(this.#wanted, through);
    this.#settleWaiters();
    if (!this.#draining) void this.#drain();
    return flushed;
  }

  /** Takes no more records and writes the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.flush();
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null && delayMs > 0) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, delayMs);
    // Records never keep the process alive; `close` writes what is left.
    this.#timer.unref();
  }

  /**
   * Writes batches, one at a time and in queue order, until every record a flush asked for
   * has left the queue. A batch is taken from the queue only when the store is free for it.
   */
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#taken < this.#wanted && this.#queue.length > 0) {
        const batch = this.#queue.splice(0, Math.min(this.#batchSize, this.#wanted - this.#taken));
        this.#writingFrom = this.#taken;
        this.#taken += batch.length;
        await this.#write(batch);
        this.#writingFrom = null;
        this.#settleWaiters();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Resolves the flushes whose records have all been written (or dropped). */
  #settleWaiters(): void {
    const done = (through: number): boolean => this.#taken >= through && (this.#writingFrom === null || this.#writingFrom >= through);
    const waiting = this.#waiters;
    this.#waiters = waiting.filter((waiter) => !done(waiter.through));
    for (const waiter of waiting) if (done(waiter.through)) waiter.settle();
  }

  async #write(batch: InvocationRecord[]): Promise<void> {
    if (this.#store === null || batch.length === 0) return;
    try {
      await this.#store.insertInvocationRecords(batch);
    } catch (error) {
      this.#onError(error, batch.length);
    }
  }
}
