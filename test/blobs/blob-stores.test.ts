/**
 * One contract for both code blob stores (files, PostgreSQL): content-addressed bytes that
 * come back whole, idempotent writes, a local file for the runtime, and garbage collection's
 * rules (core/blob-gc.ts). PostgreSQL's own cases: chunks, two nodes, the per-node cache.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { FsBlobStore } from "../../src/blobs/fs-blob-store.js";
import { CHUNK_BYTES, PgBlobStore } from "../../src/blobs/pg-blob-store.js";
import { BLOB_GRACE_MS, collectUnreferencedBlobs } from "../../src/core/blob-gc.js";
import type { BlobStore, MetadataStore } from "../../src/core/ports.js";
import { openPool, type PgPool } from "../../src/store/postgres/driver.js";
import { migrate } from "../../src/store/postgres/migrations.js";
import { createTestSchema, PG_OFF, urlWithSchema, type TestSchema } from "../store/pg-schema.js";

interface Subject {
  /** A second store on the same storage: another node. */
  readonly store: BlobStore;
  readonly other: BlobStore;
  /** Makes a blob look last written `ms` ago. */
  age(sha256: string, ms: number): Promise<void>;
}

function blob(bytes: number): { sha256: string; bytes: Buffer } {
  const data = randomBytes(bytes);
  return { sha256: createHash("sha256").update(data).digest("hex"), bytes: data };
}

/** Only what garbage collection asks of the metadata store: the digests still referenced. */
function referencing(...digests: string[]): MetadataStore {
  const referenced: Pick<MetadataStore, "referencedBlobs"> = { referencedBlobs: async () => new Set(digests) };
  return referenced as MetadataStore;
}

function contract(name: string, open: () => Promise<Subject>): void {
  describe(`${name} blob store contract`, { skip: name === "postgres" && PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
    let subject: Subject;
    before(async () => {
      subject = await open();
    });

    it("gives back exactly the bytes stored, also as a local file, and lists them", async () => {
      const { store } = subject;
      const b = blob(3 * CHUNK_BYTES + 12_345);
      assert.equal(await store.has(b.sha256), false);
      await store.put(b.sha256, b.bytes);
      assert.equal(await store.has(b.sha256), true);
      assert.ok((await store.read(b.sha256)).equals(b.bytes));
      assert.ok(readFileSync(await store.localFile(b.sha256)).equals(b.bytes));
      assert.ok((await store.list()).some((entry) => entry.sha256 === b.sha256));
      const empty = blob(0);
      await store.put(empty.sha256, empty.bytes);
      assert.equal((await store.read(empty.sha256)).length, 0);
    });

    it("a second write of a digest changes nothing but marks it fresh", async () => {
      const { store } = subject;
      const b = blob(1000);
      await store.put(b.sha256, b.bytes);
      await subject.age(b.sha256, 2 * BLOB_GRACE_MS);
      const aged = (await store.list()).find((entry) => entry.sha256 === b.sha256)?.touchedAt ?? Infinity;
      await store.put(b.sha256, b.bytes);
      const fresh = (await store.list()).find((entry) => entry.sha256 === b.sha256)?.touchedAt ?? 0;
      assert.ok(fresh > aged + BLOB_GRACE_MS, "touched again");
      assert.ok((await store.read(b.sha256)).equals(b.bytes));
    });

    it("two nodes writing one digest at once both succeed and store it once", async () => {
      const b = blob(CHUNK_BYTES + 1);
      await Promise.all([subject.store.put(b.sha256, b.bytes), subject.other.put(b.sha256, b.bytes), subject.store.put(b.sha256, b.bytes)]);
      assert.ok((await subject.other.read(b.sha256)).equals(b.bytes));
      assert.ok(readFileSync(await subject.other.localFile(b.sha256)).equals(b.bytes));
      assert.equal((await subject.store.list()).filter((entry) => entry.sha256 === b.sha256).length, 1);
    });

    it("garbage collection removes only unreferenced blobs past the grace period", async () => {
      const { store } = subject;
      const [kept, young, old] = [blob(10), blob(11), blob(12)];
      for (const b of [kept, young, old]) await store.put(b.sha256, b.bytes);
      await subject.age(kept.sha256, 2 * BLOB_GRACE_MS);
      await subject.age(old.sha256, 2 * BLOB_GRACE_MS);
      const removed = await collectUnreferencedBlobs(referencing(kept.sha256), store, Date.now());
      assert.ok(removed >= 1);
      assert.equal(await store.has(kept.sha256), true, "referenced");
      assert.equal(await store.has(young.sha256), true, "within the grace period");
      assert.equal(await store.has(old.sha256), false, "unreferenced and old");
      // A blob reused after GC listed it is not removed: the reuse touched it.
      await subject.age(young.sha256, 2 * BLOB_GRACE_MS);
      const cutoff = Date.now() - BLOB_GRACE_MS;
      await store.put(young.sha256, young.bytes);
      assert.equal(await store.removeIfUntouchedSince(young.sha256, cutoff), false);
      assert.equal(await store.has(young.sha256), true);
    });

    it("refuses anything that is not a digest", async () => {
      for (const bad of ["../../etc/passwd", "ab", "A".repeat(64)]) {
        await assert.rejects(subject.store.localFile(bad), /not a SHA-256 digest/);
        await assert.rejects(async () => subject.store.put(bad, Buffer.from("x")), /not a SHA-256 digest/);
      }
    });
  });
}

const fsDir = tempDir("quiver-fs-blobs-");
after(() => fsDir.remove());
contract("fs", async () => {
  const store = new FsBlobStore(join(fsDir.path, "blobs"));
  return {
    store,
    other: new FsBlobStore(join(fsDir.path, "blobs")),
    async age(sha256, ms) {
      const then = new Date(Date.now() - ms);
      utimesSync(store.pathOf(sha256), then, then);
    },
  };
});

let schema: TestSchema | undefined;
let pool: PgPool | undefined;
const pgStores: PgBlobStore[] = [];
const pgDir = tempDir("quiver-pg-blobs-");
after(async () => {
  for (const store of pgStores) await store.close();
  await pool?.end();
  await schema?.drop();
  pgDir.remove();
});

async function pgNodes(): Promise<{ a: PgBlobStore; b: PgBlobStore; db: PgPool }> {
  if (!schema || !pool) {
    schema = await createTestSchema();
    pool = await openPool({ connectionString: urlWithSchema(schema.name), max: 2 });
    await migrate(pool);
  }
  const url = urlWithSchema(schema.name);
  const a = await PgBlobStore.open({ url, cacheDir: join(pgDir.path, `node-${pgStores.length}`) });
  const b = await PgBlobStore.open({ url, cacheDir: join(pgDir.path, `node-${pgStores.length + 1}`) });
  pgStores.push(a, b);
  return { a, b, db: pool };
}

contract("postgres", async () => {
  const { a, b, db } = await pgNodes();
  return {
    store: a,
    other: b,
    async age(sha256, ms) {
      await db.query("UPDATE blobs SET touched_at = $2 WHERE sha256 = $1", [sha256, Date.now() - ms]);
    },
  };
});

describe("code blobs in PostgreSQL", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  it("are stored in chunks of at most 1 MiB, and each node copies them into its own cache once", async () => {
    const { a, b, db } = await pgNodes();
    const big = blob(5 * CHUNK_BYTES / 2);
    await a.put(big.sha256, big.bytes);
    const { rows } = await db.query<{ n: number; largest: number }>("SELECT count(*)::int AS n, max(octet_length(data))::int AS largest FROM blob_chunks WHERE sha256 = $1", [big.sha256]);
    assert.deepEqual(rows[0], { n: 3, largest: CHUNK_BYTES });
    const onB = await b.localFile(big.sha256);
    assert.ok(onB.startsWith(pgDir.path) && readFileSync(onB).equals(big.bytes));
    // Copied once: a second call reuses the file even when the database no longer answers for it.
    await db.query("DELETE FROM blobs WHERE sha256 = $1", [big.sha256]);
    assert.equal(await b.localFile(big.sha256), onB);
    // Once the blob is gone from the database, listing (a GC pass) drops the copy too.
    await b.list();
    assert.equal(existsSync(onB), false);
  });

  it("refuses a copy that does not match its digest, and keeps no file of it", async () => {
    const { a, b, db } = await pgNodes();
    const damaged = blob(2000);
    await a.put(damaged.sha256, damaged.bytes);
    await db.query("UPDATE blob_chunks SET data = $2 WHERE sha256 = $1", [damaged.sha256, Buffer.from("not the package")]);
    await assert.rejects(b.localFile(damaged.sha256), /does not match its digest/);
    assert.equal(existsSync(join(pgDir.path, "node-1", damaged.sha256.slice(0, 2), damaged.sha256)), false);
  });
});
