import { randomUUID } from "node:crypto";
import type { ChangeFeed } from "../../core/ports.js";
import type { PgClient, PgPool } from "./driver.js";

/** The channel migration 6's triggers announce on; the payload is a function id. */
const CHANNEL = "quiver_changes";
/** How soon a lost listening connection is opened again. */
const RECONNECT_MS = 500;
/** Payloads of this node's barriers (function ids are UUIDs, never this). */
const BARRIER = "barrier:";
/** A barrier not heard back by then is given up: the write is acknowledged anyway. */
const SETTLE_TIMEOUT_MS = 2_000;

/** The events of a pooled connection the feed needs (a `pg` Client). */
interface ListeningClient extends PgClient {
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
}

/**
 * Changes to functions, versions and aliases made by any node, heard through PostgreSQL
 * `LISTEN`: the database triggers of migration 6 `NOTIFY` on commit, so a node hears of a
 * change right after it is committed, without polling. One connection of the pool is kept for
 * listening. When it breaks the feed is not live (what was cached must not be trusted, since
 * changes may be missed) until a new connection listens again.
 */
export class PgChangeFeed implements ChangeFeed {
  readonly #pool: PgPool;
  readonly #listeners: { changed(functionId: string): void; reset(): void }[] = [];
  #client: ListeningClient | null = null;
  #live = false;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;
  readonly #barriers = new Map<string, () => void>();

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  get live(): boolean {
    return this.#live;
  }

  subscribe(listener: { changed(functionId: string): void; reset(): void }): void {
    this.#listeners.push(listener);
  }

  /** Opens the listening connection; throws when the database cannot be reached (the store's start fails). */
  async start(): Promise<void> {
    const client = (await this.#pool.connect()) as ListeningClient;
    if (this.#closed) {
      client.release();
      return;
    }
    client.on("notification", (message) => this.#heard(message.channel, message.payload ?? ""));
    const lost = (error?: Error): void => this.#lost(client, error);
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.#client = client;
    this.#live = true;
    // Anything cached before now may have missed a change.
    for (const l of this.#listeners) l.reset();
  }

  /**
   * Notifications of one listener arrive in commit order, and PostgreSQL signals every
   * listening connection when a transaction commits: once this node hears a barrier it sent
   * after a write, it heard the write's change, and every other node was sent it too.
   */
  async settle(): Promise<void> {
    if (!this.#live) return;
    const id = `${BARRIER}${randomUUID()}`;
    const heard = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#barriers.get(id)?.(), SETTLE_TIMEOUT_MS);
      this.#barriers.set(id, () => {
        clearTimeout(timer);
        this.#barriers.delete(id);
        resolve();
      });
    });
    try {
      await this.#pool.query("SELECT pg_notify($1, $2)", [CHANNEL, id]);
    } catch {
      this.#barriers.get(id)?.();
    }
    await heard;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    if (client) {
      await client.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
      client.release();
    }
  }

  #heard(channel: string, payload: string): void {
    if (channel !== CHANNEL || payload === "") return;
    if (payload.startsWith(BARRIER)) {
      this.#barriers.get(payload)?.();
      return;
    }
    for (const l of this.#listeners) l.changed(payload);
  }

  #lost(client: ListeningClient, error?: Error): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#live = false;
    for (const l of this.#listeners) l.reset();
    client.release(error ?? true);
    // Barriers sent on the lost connection will never be heard: let their writes answer.
    for (const release of [...this.#barriers.values()]) release();
    this.#reconnect();
  }

  #reconnect(): void {
    if (this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed) return;
      this.start().catch(() => this.#reconnect());
    }, RECONNECT_MS);
    this.#retry.unref();
  }
}
