import type { PgClient, PgPool } from "./driver.js";

/**
 * Runs `work` in one READ COMMITTED transaction on one pooled connection. Methods that must
 * check and change state together take explicit row or advisory locks inside `work`.
 */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (error) {
    await rollback(client, error);
    throw error;
  }
}

async function rollback(client: PgClient, cause: unknown): Promise<void> {
  try {
    await client.query("ROLLBACK");
    client.release();
  } catch {
    // The connection is broken; drop it rather than hand it to the next caller.
    client.release(cause instanceof Error ? cause : true);
  }
}

/** Advisory lock classes (first key of `pg_advisory_xact_lock(int, int)`). */
export const LOCK = {
  /** Namespaces of one scope: the quota count and the insert. */
  namespaces: 1,
  /** Functions of one namespace: the count, the insert and the namespace's deletion. */
  namespaceFunctions: 2,
  /** Claiming unfinished async invocations at start (one node at a time). */
  asyncClaims: 3,
  /** APIG trigger paths of one scope: the check that a path is free and the write. */
  apigPaths: 4,
  /** Every provisioned config: the machine-wide count and the write. */
  provisioned: 5,
  /** Concurrency caps and the total of one namespace: the sums and the write. */
  concurrencyTotals: 6,
  /** Layers of one scope: the layer count, each layer's numbering, and deletes with their in-use check. */
  layers: 7,
} as const;

/** Takes a transaction-scoped advisory lock on a text key within a lock class. */
export async function lockKey(client: PgClient, lockClass: number, key: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [lockClass, key]);
}

/** SQLSTATE 23505: a unique constraint rejected the row. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}
