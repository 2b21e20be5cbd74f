import { randomBytes } from "node:crypto";
import { openPool } from "../../src/store/postgres/driver.js";

/**
 * PostgreSQL for tests: QUIVER_TEST_PG_URL, or the local server CI also provides. Unreachable
 * is a failure, not a skip, unless QUIVER_TEST_PG=off says PostgreSQL tests are not wanted.
 */
export const PG_URL = process.env.QUIVER_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const PG_OFF = process.env.QUIVER_TEST_PG === "off";

/** The database URL with a test schema as search_path, as an operator would write it for a node. */
export function urlWithSchema(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

export interface TestSchema {
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh schema per run, so parallel runs on one database do not collide. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `quiver_test_${randomBytes(6).toString("hex")}`;
  const pool = await openPool({ connectionString: PG_URL, max: 1 });
  try {
    await pool.query(`CREATE SCHEMA ${name}`);
  } catch (error) {
    await pool.end();
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(error as Error).message}). Start it, point QUIVER_TEST_PG_URL at one, or set QUIVER_TEST_PG=off to skip the PostgreSQL tests.`,
      { cause: error },
    );
  }
  return {
    name,
    async drop() {
      try {
        await pool.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
