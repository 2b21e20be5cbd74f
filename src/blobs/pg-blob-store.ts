import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { BlobStore } from "../core/ports.js";
import { openPool, type PgPool, type PgQueryable } from "../store/postgres/driver.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Bytes per chunk row: every statement carries at most this much, whatever the package's size. */
export const CHUNK_BYTES = 1024 * 1024;

export interface PgBlobStoreOptions {
  readonly url: string;
  /** This node's copies of blobs it ran or read, by digest (never shared between nodes). */
  readonly cacheDir: string;
  /** Connections for blob transfers, apart from the metadata store's so a large upload never starves it. */
  readonly poolSize?: number;
  /** Epoch ms, for `touchedAt` (garbage collection compares it with the same clock). */
  readonly now?: () => number;
}

/**
 * Content-addressed code blobs in PostgreSQL (tables `blobs`, `blob_chunks`: migration 7), so
 * one database is all a cluster needs. A blob is written as its row plus chunks of at most
 * 1 MiB, one statement each, in one transaction: a reader never sees part of a blob, and no
 * statement carries the whole package. Writing a digest that is already stored only marks it
 * fresh (the same rule as the directory store's mtime), which garbage collection
 * (core/blob-gc.ts) respects.
 *
 * The runtime reads code from files: `localFile` copies a blob chunk by chunk into this node's
 * cache directory, checking the digest as it goes, and reuses the copy afterwards.
 */
export class PgBlobStore implements BlobStore {
  readonly #pool: PgPool;
  readonly #cacheDir: string;
  readonly #now: () => number;
  /** Copies being made, so concurrent first invocations of one package fetch it once. */
  readonly #fetching = new Map<string, Promise<string>>();

  private constructor(pool: PgPool, cacheDir: string, now: () => number) {
    this.#pool = pool;
    this.#cacheDir = cacheDir;
    this.#now = now;
  }

  static async open(options: PgBlobStoreOptions): Promise<PgBlobStore> {
    const pool = await openPool({ connectionString: options.url, max: options.poolSize ?? 4 });
    pool.on("error", () => undefined);
    await mkdir(options.cacheDir, { recursive: true, mode: 0o700 });
    return new PgBlobStore(pool, options.cacheDir, options.now ?? Date.now);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    checkDigest(sha256);
    if (await this.#touch(sha256)) return;
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      // A node writing the same digest at once waits here for the other's commit, then finds it stored.
      const inserted = await client.query(
        "INSERT INTO blobs (sha256, size, chunks, touched_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
        [sha256, bytes.length, Math.ceil(bytes.length / CHUNK_BYTES), this.#now()],
      );
      if (inserted.rows.length > 0) {
        for (let seq = 0; seq * CHUNK_BYTES < bytes.length; seq += 1) {
          await client.query("INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)", [sha256, seq, bytes.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES)]);
        }
      } else {
        await touch(client, sha256, this.#now());
      }
      await client.query("COMMIT");
      client.release();
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(error as Error);
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    checkDigest(sha256);
    const { rows } = await this.#pool.query("SELECT 1 FROM blobs WHERE sha256 = $1", [sha256]);
    return rows.length > 0;
  }

  async read(sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.#eachChunk(sha256, async (chunk) => void parts.push(chunk));
    return Buffer.concat(parts);
  }

  async localFile(sha256: string): Promise<string> {
    checkDigest(sha256);
    let pending = this.#fetching.get(sha256);
    if (!pending) {
      pending = this.#copy(sha256).finally(() => this.#fetching.delete(sha256));
      this.#fetching.set(sha256, pending);
    }
    return pending;
  }

  async list(): Promise<{ sha256: string; touchedAt: number }[]> {
    const { rows } = await this.#pool.query<{ sha256: string; touched_at: number }>("SELECT sha256, touched_at FROM blobs");
    // Copies of blobs some node collected are dropped from this node's cache as well.
    await this.#pruneCache(new Set(rows.map((row) => row.sha256)));
    return rows.map((row) => ({ sha256: row.sha256, touchedAt: row.touched_at }));
  }

  async removeIfUntouchedSince(sha256: string, notAfter: number): Promise<boolean> {
    checkDigest(sha256);
    // One statement: a put that touches the blob meanwhile either comes first (and the blob stays) or finds it gone and writes it again.
    const result = await this.#pool.query("DELETE FROM blobs WHERE sha256 = $1 AND touched_at <= $2", [sha256, notAfter]);
    if ((result.rowCount ?? 0) === 0) return false;
    await unlink(this.#cachePath(sha256)).catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Marks a stored blob fresh; false when it is not stored. */
  async #touch(sha256: string): Promise<boolean> {
    return touch(this.#pool, sha256, this.#now());
  }

  async #copy(sha256: string): Promise<string> {
    const target = this.#cachePath(sha256);
    if (await stat(target).then(() => true, () => false)) return target;
    await mkdir(join(this.#cacheDir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    const temp = `${target}.tmp-${randomBytes(6).toString("hex")}`;
    const file = await open(temp, "wx", 0o600);
    const hash = createHash("sha256");
    try {
      await this.#eachChunk(sha256, async (chunk) => {
        hash.update(chunk);
        await file.write(chunk);
      });
      await file.close();
      // The copy is trusted from now on: refuse one that is not the blob it is named after.
      if (hash.digest("hex") !== sha256) throw new Error(`code blob ${sha256} read from PostgreSQL does not match its digest`);
      await rename(temp, target);
      return target;
    } catch (error) {
      await file.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** The blob's chunks in order, one query each: memory holds one chunk at a time. */
  async #eachChunk(sha256: string, use: (chunk: Buffer) => Promise<void>): Promise<void> {
    checkDigest(sha256);
    const { rows } = await this.#pool.query<{ chunks: number }>("SELECT chunks FROM blobs WHERE sha256 = $1", [sha256]);
    const blob = rows[0];
    if (!blob) throw Object.assign(new Error(`no code blob ${sha256}`), { code: "ENOENT" });
    for (let seq = 0; seq < blob.chunks; seq += 1) {
      const chunk = await this.#pool.query<{ data: Buffer }>("SELECT data FROM blob_chunks WHERE sha256 = $1 AND seq = $2", [sha256, seq]);
      const data = chunk.rows[0]?.data;
      if (!data) throw new Error(`code blob ${sha256} lost chunk ${seq} (removed while being read)`);
      await use(data);
    }
  }

  async #pruneCache(stored: ReadonlySet<string>): Promise<void> {
    for (const dir of await readdir(this.#cacheDir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of await readdir(join(this.#cacheDir, dir)).catch(() => [] as string[])) {
        if (SHA256_HEX.test(name) && !stored.has(name)) await unlink(join(this.#cacheDir, dir, name)).catch(() => undefined);
      }
    }
  }

  #cachePath(sha256: string): string {
    return join(this.#cacheDir, sha256.slice(0, 2), sha256);
  }
}

async function touch(db: PgQueryable, sha256: string, now: number): Promise<boolean> {
  const result = await db.query("UPDATE blobs SET touched_at = GREATEST(touched_at, $2) WHERE sha256 = $1", [sha256, now]);
  return (result.rowCount ?? 0) > 0;
}

/** The digest becomes a path and a key: refuse anything that is not one. */
function checkDigest(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
}
