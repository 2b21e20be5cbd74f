import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { describe, test } from "../helpers/node-test.js";
import { openPool } from "../../src/store/postgres/driver.js";
import { migrate } from "../../src/store/postgres/migrations.js";
import { TRANSIENT_CONDITION } from "../../src/store/rows.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { createTestSchema, PG_OFF, PG_URL } from "./pg-schema.js";

// Recovery lists the functions in a transient status from the settled statuses of the store
// rules; the migrations index exactly those rows. If the statuses change without a migration
// that rebuilds the index, recovery at start scans every function: these tests say so.
const QUERY = `SELECT * FROM functions WHERE ${TRANSIENT_CONDITION} ORDER BY created_at, id`;

void describe("the transient-status index serves recovery", { timeout: 30_000 }, () => {
  void test("SQLite", () => {
    const db = new Database(":memory:");
    try {
      for (const sql of SQLITE_MIGRATIONS) db.exec(sql);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${QUERY}`).all() as { detail: string }[];
      assert.ok(plan.some((step) => step.detail.includes("USING INDEX functions_by_status")), JSON.stringify(plan));
    } finally {
      db.close();
    }
  });

  void test("PostgreSQL", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, async () => {
    const schema = await createTestSchema();
    const pool = await openPool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema.name}` });
    try {
      await migrate(pool);
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // An empty table is cheapest to scan whole; without that choice, only the index remains.
        await client.query("SET LOCAL enable_seqscan = off");
        const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${QUERY}`);
        const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
        assert.match(plan, /Index Scan on functions_transient/, plan);
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
      await schema.drop();
    }
  });
});
