// The SQLite invocation-record writer's thread (see records-writer.ts): its own connection to the
// same database file, inserting each batch it is sent in one transaction, so the inserts never run
// on the server's event loop. Plain JavaScript, so the thread needs no TypeScript loader; the rows
// arrive as column values for one INSERT statement built on the server's side.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");

const statements = new Map();
const insertAll = db.transaction((sql, rows) => {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  for (const values of rows) statement.run(...values);
});

parentPort.on("message", ({ id, sql, rows }) => {
  try {
    insertAll.immediate(sql, rows);
    parentPort.postMessage({ id, error: null });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
