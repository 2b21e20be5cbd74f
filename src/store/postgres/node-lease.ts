import type { PgQueryable } from "./driver.js";

/**
 * This node's entry in `nodes`, renewed on a timer. Work a node has claimed (asynchronous
 * invocations) may be taken over by another node only after the lease has lapsed, i.e. the
 * node stopped or lost the database for longer than `leaseMs`. Times come from the database
 * clock, so the nodes' own clocks need not agree.
 */
export class NodeLease {
  readonly id: string;
  readonly leaseMs: number;
  readonly #db: PgQueryable;
  #timer: NodeJS.Timeout | null = null;

  constructor(db: PgQueryable, id: string, leaseMs: number) {
    this.#db = db;
    this.id = id;
    this.leaseMs = leaseMs;
  }

  async start(): Promise<void> {
    await this.#db.query("INSERT INTO nodes (id, started_at, heartbeat_at) VALUES ($1, now(), now())", [this.id]);
    // Renew three times per lease, so one slow or failed renewal does not lose it.
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.#timer.unref();
  }

  /** Leaves the cluster: what this node still holds becomes claimable at once. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#db.query("DELETE FROM nodes WHERE id = $1", [this.id]);
  }

  async #renew(): Promise<void> {
    try {
      await this.#db.query("UPDATE nodes SET heartbeat_at = now() WHERE id = $1", [this.id]);
    } catch {
      // A missed renewal is retried on the next tick; only a lapse longer than the lease matters.
    }
  }
}
