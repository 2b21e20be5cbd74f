import { createHash } from "node:crypto";
import { Redis } from "ioredis";

/** What the link reports: one warning when Redis is lost, one line when it is back. */
export interface LinkLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** A command slower than this is given up and answered locally: a request never waits on a stuck Redis. */
const COMMAND_TIMEOUT_MS = 250;

/**
 * One Redis connection shared by the cluster's limiter and split counter, with a local
 * fallback. While Redis is unreachable every command is answered by the caller's local
 * alternative at once (no offline queue, no waiting), a single warning is logged, and ioredis
 * reconnects in the background; the first command answered by Redis again logs the recovery.
 * Keys are prefixed (`keyPrefix`), so clusters (or tests) can share one Redis.
 */
export class RedisLink {
  readonly #redis: Redis;
  readonly #log: LinkLog;
  #degraded = false;

  constructor(url: string, keyPrefix: string, log: LinkLog) {
    this.#log = log;
    this.#redis = new Redis(url, {
      keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 1_000,
      // Reconnect soon after a loss, then at most every second, for ever.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      lazyConnect: false,
    });
    // Errors are answered by the fallback; without a listener ioredis would print each one.
    this.#redis.on("error", (error: Error) => this.#degrade(error));
  }

  /** Connected and answering (as far as the last event said). */
  get ready(): boolean {
    return this.#redis.status === "ready";
  }

  /** Waits until the link is up, for tests and a start that wants Redis before serving; false after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#redis.off("ready", onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#redis.once("ready", onReady);
    });
  }

  /** Runs `shared` on Redis, or `local` when Redis is not there or failed to answer. */
  async run<T>(shared: (redis: Redis) => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    if (!this.ready) {
      this.#degrade(new Error(`Redis is ${this.#redis.status}`));
      return local();
    }
    try {
      const value = await shared(this.#redis);
      if (this.#degraded) {
        this.#degraded = false;
        this.#log.info({}, "Redis is reachable again: rate limits and weighted alias splits are cluster-wide again");
      }
      return value;
    } catch (error) {
      this.#degrade(error);
      return local();
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect(false);
    await Promise.resolve();
  }

  #degrade(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#log.warn({ err: error }, "Redis is unreachable: rate limits and weighted alias splits are counted per node until it is back");
  }
}

/**
 * A Lua script run by its SHA-1 (`EVALSHA`), so a request sends the digest rather than the
 * script; a Redis that does not know it yet (started, restarted, flushed) gets the text once
 * (`EVAL`, which also caches it there).
 */
export class RedisScript {
  readonly #lua: string;
  readonly #sha: string;

  constructor(lua: string) {
    this.#lua = lua;
    this.#sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, 1, key, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.#lua, 1, key, ...args);
    }
  }
}
