import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { FsBlobStore } from "../../src/blobs/fs-blob-store.js";
import { ZipInspector } from "../../src/code/zip-inspector.js";
import { BLOB_GRACE_MS, collectUnreferencedBlobs } from "../../src/core/blob-gc.js";
import type { FunctionConfig } from "../../src/core/model.js";
import { AliasRouter } from "../../src/core/routing.js";
import { FunctionService } from "../../src/core/service.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { buildZip } from "../helpers/zip.js";

const zip = (text: string): Promise<Buffer> => buildZip({ "index.js": text });

const config: FunctionConfig = {
  runtime: { family: "nodejs", version: "18.15" }, handler: "index.main_handler", memoryMb: 128, timeoutSec: 3,
  description: "", environment: {}, type: "Event", extras: {},
};

describe("collecting unreferenced code packages", () => {
  it("removes only blobs no head or version refers to, and only after the grace period", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quiver-gc-"));
    const store = new SqliteStore(join(dir, "q.db"));
    const blobs = new FsBlobStore(join(dir, "blobs"));
    const service = new FunctionService({ store, blobs, inspector: new ZipInspector(), clock: { now: () => Date.now() }, ids: { uuid: randomUUID }, router: new AliasRouter() });
    const scope = { accountId: "a", region: "r" };
    const f = { scope, namespace: "default", name: "f" };
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((t) => zip(`exports.main_handler = () => "${t}";`)));
    if (!a || !b || !c) throw new Error("zips");
    const fn = await service.functions.create(scope, { namespace: "default", name: "f", config, code: { zip: a, fileName: "" }, maxFunctions: 10 });
    const { version: v1 } = await service.versions.publish(f, { description: "", naming: { kind: "next-number" }, maxVersions: 10, expectedSha512: null });
    await service.functions.updateCode(f, { zip: b, fileName: "" });
    const later = Date.now() + BLOB_GRACE_MS + 60_000;

    // A is still referenced by version 1, B by the head: nothing goes.
    assert.equal(await collectUnreferencedBlobs(store, blobs, later), 0);
    // Within the grace period even an unreferenced blob stays (its commit may be on its way).
    await service.versions.delete(f, v1.name);
    assert.equal(await collectUnreferencedBlobs(store, blobs, Date.now()), 0);
    assert.equal(await collectUnreferencedBlobs(store, blobs, later), 1);
    assert.equal(await blobs.has(fn.code?.sha256 ?? ""), false, "A is gone");
    const head = await service.functions.get(f);
    assert.equal(await blobs.has(head.code?.sha256 ?? ""), true, "B stays");

    // Deleting the function frees B too.
    await service.functions.delete(f);
    assert.equal(await collectUnreferencedBlobs(store, blobs, later), 1);
    assert.deepEqual(await blobs.list(), []);
    await store.close();
  });

  it("keeps an old orphan that an upload is reusing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quiver-gc-"));
    const blobs = new FsBlobStore(join(dir, "blobs"));
    const store = new SqliteStore(join(dir, "q.db"));
    const bytes = Buffer.from("zip bytes");
    const sha = "5".repeat(64);
    await blobs.put(sha, bytes);
    // An old orphan: its time is set back a minute instead of sleeping until the clock moves on.
    const aMinuteAgo = (Date.now() - 60_000) / 1000;
    utimesSync(blobs.pathOf(sha), aMinuteAgo, aMinuteAgo);
    const [{ touchedAt = 0 } = {}] = await blobs.list();
    // The upload touches the existing blob before committing its reference.
    await blobs.put(sha, bytes);
    assert.equal(await collectUnreferencedBlobs(store, blobs, touchedAt + 10, 0), 0, "touched after the cutoff: kept");
    await store.close();
  });
});
