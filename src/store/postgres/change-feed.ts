import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ChangeFeed } from "../../core/ports.js";
import type { PgClient, PgPool } from "./driver.js";

/** How soon a lost listening connection is opened again. */
const RECONNECT_MS = 500;
/** A node that has not acknowledged a barrier by then is not waited for (it is dying, or stuck). */
const SETTLE_TIMEOUT_MS = 1_000;
/** `application_name` of a listening connection: `qf:<8 hex token>:<schema>`; the token starts at character 4, the schema at 13. */
const FEED_TAG = "qf:";

/** The events of a pooled connection the feed needs (a `pg` Client). */
interface ListeningClient extends PgClient {
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
}

interface Barrier {
  readonly waitingFor: Set<string>;
  readonly done: () => void;
}

/**
 * Changes to functions, versions, aliases and triggers made by any node, heard through PostgreSQL
 * `LISTEN`: row triggers (PostgreSQL migrations 6, 9 and 11) `NOTIFY` the schema's channel on commit, so
 * a node hears of a change right after it is committed, without polling. One connection of
 * the pool is kept for listening; while it is broken the feed is not live (what was cached must
 * not be trusted: changes may be missed) until a new connection listens again.
 *
 * `settle` makes a write synchronous for every node: the writer sends a barrier on the channel
 * after its commit, every listening node answers it with an acknowledgement, and the writer
 * waits for the answers of every node listening at that moment (each listening connection is
 * named in `pg_stat_activity`, so a node that died has no connection left to wait for). A
 * listener receives notifications in commit order and handles each one as it arrives, so a
 * node that acknowledged the barrier has dropped what the change made stale, before the
 * writer answers its client.
 */
export class PgChangeFeed implements ChangeFeed {
  readonly #pool: PgPool;
  readonly #listeners: { changed(functionId: string): void; reset(): void }[] = [];
  /** This node's name among the listeners. */
  readonly #token = randomBytes(4).toString("hex");
  readonly #barriers = new Map<string, Barrier>();
  #channel = "";
  #schema = "";
  #client: ListeningClient | null = null;
  #live = false;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;

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
      const { rows } = await client.query<{ schema: string }>("SELECT current_schema() AS schema");
      this.#schema = rows[0]?.schema ?? "public";
      this.#channel = channelOf(this.#schema);
      await client.query("SELECT set_config('application_name', $1, false)", [`${FEED_TAG}${this.#token}:${this.#schema}`.slice(0, 63)]);
      await client.query(`LISTEN "${this.#channel.replaceAll('"', '""')}"`);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.#client = client;
    this.#live = true;
    // Anything cached before now may have missed a change.
    for (const l of this.#listeners) l.reset();
  }

  async settle(): Promise<void> {
    if (!this.#live) return;
    const id = randomUUID();
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const barrier: Barrier = { waitingFor: new Set(), done };
    const timer = setTimeout(done, SETTLE_TIMEOUT_MS);
    try {
      const listening = await this.#listeningNodes();
      for (const token of listening) barrier.waitingFor.add(token);
      this.#barriers.set(id, barrier);
      await this.#notify(`barrier:${id}`);
      if (barrier.waitingFor.size > 0) await finished;
    } catch {
      // Without a barrier the write is acknowledged as it is: other nodes hear the change a moment later.
    } finally {
      clearTimeout(timer);
      this.#barriers.delete(id);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    if (client) {
      await client.query("UNLISTEN *").catch(() => undefined);
      client.release();
    }
  }

  /** The tokens of the nodes listening on this schema's channel right now (this one included). */
  async #listeningNodes(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ token: string }>(
      "SELECT substr(application_name, 4, 8) AS token FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'qf:%' AND substr(application_name, 13) = $1",
      [this.#schema.slice(0, 63 - 12)],
    );
    return rows.map((row) => row.token);
  }

  async #notify(payload: string): Promise<void> {
    await this.#pool.query("SELECT pg_notify($1, $2)", [this.#channel, payload]);
  }

  #heard(channel: string, payload: string): void {
    if (channel !== this.#channel || payload === "") return;
    if (payload.startsWith("barrier:")) {
      // Everything committed before the barrier has been handled: say so.
      this.#notify(`ack:${payload.slice("barrier:".length)}:${this.#token}`).catch(() => undefined);
      return;
    }
    if (payload.startsWith("ack:")) {
      const [, id = "", token = ""] = payload.split(":");
      const barrier = this.#barriers.get(id);
      if (barrier?.waitingFor.delete(token) && barrier.waitingFor.size === 0) barrier.done();
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
    // Acknowledgements would come on the lost connection: let the waiting writes answer.
    for (const barrier of this.#barriers.values()) barrier.done();
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

/** The schema's channel, as migration 9's trigger names it: the md5 of a schema name too long for PostgreSQL's 63-byte names. */
function channelOf(schema: string): string {
  return `quiver_changes:${schema.length <= 48 ? schema : createHash("md5").update(schema).digest("hex")}`;
}
