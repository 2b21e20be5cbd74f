// The SQLite invocation-record writer's thread (see records-writer.ts): its own connection to the
// same database file, inserting each batch it is sent in one transaction, so the inserts never run
// on the server's event loop. Plain JavaScript, so the thread needs no TypeScript loader; the rows
// arrive as column values for one INSERT statement built on the server's side, with the position
// of the size column.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
// NORMAL: in WAL mode a committed batch survives the process being killed (it is in the
// WAL, in the OS's cache) and is synced at the next checkpoint; only an OS crash or power loss
// can take the last batches, as a kill can always take the records still queued in memory.
// FULL's fsync per batch cost about 1 % of warm-invoke throughput (bench, records on/off).
// The server's own connection, which writes what the APIs accept, stays FULL.
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");

// The total retention reads, grown once per batch by the rows inserted (a request id already
// recorded inserts nothing); a trigger per row cost about as much as the row's own insert.
const addBytes = db.prepare("UPDATE record_bytes SET total = total + ? WHERE id = 1");
const statements = new Map();
const insertAll = db.transaction((sql, rows, sizeAt) => {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  let bytes = 0;
  for (const values of rows) {
    if (statement.run(...values).changes > 0) bytes += values[sizeAt];
  }
  if (bytes > 0) addBytes.run(bytes);
});

parentPort.on("message", ({ id, sql, rows, sizeAt }) => {
  try {
    insertAll.immediate(sql, rows, sizeAt);
    parentPort.postMessage({ id, error: null });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
