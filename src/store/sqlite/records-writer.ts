import { Worker } from "node:worker_threads";
import type { InvocationRecord } from "../../core/invocation-records.js";
import { recordColumns } from "../record-rows.js";
import { insertSql } from "../rows.js";

/**
 * Inserts invocation records from a worker thread with its own connection (WAL lets it write
 * while the server's connection reads). A batch insert with its fsync costs milliseconds of
 * synchronous work; on the server's thread that was some 10-15 % of warm-invoke throughput.
 * Each batch is still durable when its promise resolves.
 */
export class SqliteRecordWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #inFlight = new Set<Promise<void>>();
  #next = 0;
  #failed: Error | null = null;

  constructor(file: string) {
    this.#worker = new Worker(new URL("./records-worker.js", import.meta.url), { workerData: { file } });
    this.#worker.unref();
    this.#worker.on("message", (answer: { id: number; error: string | null }) => this.#settle(answer.id, answer.error === null ? null : new Error(answer.error)));
    this.#worker.on("error", (error) => this.#failAll(error));
    this.#worker.on("exit", (code) => this.#failAll(new Error(`the record writer thread exited (${code})`)));
  }

  insert(records: readonly InvocationRecord[]): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    const written = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...insertRows(records) });
    });
    this.#inFlight.add(written);
    const done = (): void => void this.#inFlight.delete(written);
    written.then(done, done);
    return written;
  }

  /** Waits for the batches sent, then stops the thread. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    await this.#worker.terminate();
  }

  #settle(id: number, error: Error | null): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    this.#pending.delete(id);
    if (error) entry.reject(error);
    else entry.resolve();
  }

  #failAll(error: Error): void {
    this.#failed ??= error;
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
  }
}

/**
 * The batch as one INSERT statement and each record's values for it (every record has the same
 * columns), and where the size retention counts is among them (the thread adds up the inserted ones).
 */
function insertRows(records: readonly InvocationRecord[]): { sql: string; rows: unknown[][]; sizeAt: number } {
  const columns = records.map((record) => recordColumns(record, (flag) => (flag ? 1 : 0)));
  const first = columns[0] ?? {};
  return { sql: `${insertSql("invocation_records", first, () => "?")} ON CONFLICT DO NOTHING`, rows: columns.map((c) => Object.values(c)), sizeAt: Object.keys(first).indexOf("size_bytes") };
}
