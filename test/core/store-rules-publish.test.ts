import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import type { FunctionRecord, FunctionStatus } from "../../src/core/model.js";
import type { PublishPlan } from "../../src/core/ports.js";
import { decidePublish } from "../../src/core/store-rules/publish.js";

const CODE = { sha256: "a".repeat(64), sha512: "b".repeat(128), size: 10, unzippedSize: 20, fileName: "" };

function fn(overrides: Partial<{ status: FunctionStatus; lastVersionNumber: number; code: typeof CODE | null }> = {}): FunctionRecord {
  return {
    id: "id-1",
    scope: { accountId: "a", region: "r" },
    namespace: "default",
    name: "f",
    status: overrides.status ?? "Active",
    statusReason: "",
    config: { runtime: { family: "nodejs", version: "18.15" }, handler: "index.main_handler", memoryMb: 128, timeoutSec: 3, description: "", environment: {}, type: "Event", extras: {} },
    code: overrides.code === undefined ? CODE : overrides.code,
    revision: 1,
    lastVersionNumber: overrides.lastVersionNumber ?? 0,
    createdAt: 0,
    updatedAt: 0,
  };
}

const plan = (overrides: Partial<PublishPlan> = {}): PublishPlan => ({ naming: { kind: "next-number" }, description: "", maxVersions: 1000, expectedSha512: null, now: 0, ...overrides });
const none = (): boolean => false;

function assertQuiverError(action: () => unknown, code: string, check?: (e: QuiverError) => void): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError);
    assert.equal(error.code, code);
    check?.(error);
    return true;
  });
}

void describe("decidePublish", { timeout: 10_000 }, () => {
  void test("next-number hands out the number after the last one, and the next seq", () => {
    const head = fn({ lastVersionNumber: 4 });
    const decision = decidePublish({ fn: head, versionCount: 2, lastSeq: 7 }, plan({ description: "release", now: 42 }), none);
    assert.deepEqual(decision, {
      version: { functionId: head.id, name: "5", seq: 8, description: "release", config: head.config, code: CODE, sourceRevision: head.revision, createdAt: 42 },
      lastVersionNumber: 5,
    });
  });

  void test("the first version is 1", () => {
    assert.equal(decidePublish({ fn: fn(), versionCount: 0, lastSeq: 0 }, plan(), none).version.name, "1");
  });

  void test("next-number skips numbers an explicitly named version holds", () => {
    const taken = new Set(["3", "4"]);
    const decision = decidePublish({ fn: fn({ lastVersionNumber: 2 }), versionCount: 2, lastSeq: 2 }, plan(), (name) => taken.has(name));
    assert.equal(decision.version.name, "5");
    assert.equal(decision.lastVersionNumber, 5);
  });

  void test("only an Active function with code can be published", () => {
    for (const status of ["Creating", "CreateFailed", "Updating", "UpdateFailed", "Publishing", "PublishFailed", "Deleting", "DeleteFailed"] as const) {
      assertQuiverError(() => decidePublish({ fn: fn({ status }), versionCount: 0, lastSeq: 0 }, plan(), none), "FunctionStateConflict", (e) => assert.equal(e.operation, "publish"));
    }
    assertQuiverError(() => decidePublish({ fn: fn({ code: null }), versionCount: 0, lastSeq: 0 }, plan(), none), "FunctionStateConflict");
  });

  void test("the version limit counts published versions", () => {
    assert.equal(decidePublish({ fn: fn(), versionCount: 2, lastSeq: 2 }, plan({ maxVersions: 3 }), none).version.name, "1");
    assertQuiverError(() => decidePublish({ fn: fn(), versionCount: 3, lastSeq: 3 }, plan({ maxVersions: 3 }), none), "VersionLimitExceeded");
  });

  void test("exact naming refuses a taken name and keeps the number counter", () => {
    const decision = decidePublish({ fn: fn({ lastVersionNumber: 2 }), versionCount: 0, lastSeq: 0 }, plan({ naming: { kind: "exact", name: "v1" } }), none);
    assert.equal(decision.version.name, "v1");
    assert.equal(decision.lastVersionNumber, 2);
    assertQuiverError(() => decidePublish({ fn: fn(), versionCount: 1, lastSeq: 1 }, plan({ naming: { kind: "exact", name: "v1" } }), (n) => n === "v1"), "VersionAlreadyExists");
  });

  void test("unique naming adds -2, -3, ... to a taken base", () => {
    const taken = new Set(["base", "base-2"]);
    assert.equal(decidePublish({ fn: fn(), versionCount: 0, lastSeq: 0 }, plan({ naming: { kind: "unique", base: "base" } }), (n) => taken.has(n)).version.name, "base-3");
    assert.equal(decidePublish({ fn: fn(), versionCount: 0, lastSeq: 0 }, plan({ naming: { kind: "unique", base: "fresh" } }), none).version.name, "fresh");
  });

  void test("an expected digest must match the current code (case-insensitive)", () => {
    assert.equal(decidePublish({ fn: fn(), versionCount: 0, lastSeq: 0 }, plan({ expectedSha512: "B".repeat(128) }), none).version.name, "1");
    assertQuiverError(() => decidePublish({ fn: fn(), versionCount: 0, lastSeq: 0 }, plan({ expectedSha512: "c".repeat(128) }), none), "CodeDigestMismatch");
  });

  void test("state is checked before the limit", () => {
    assertQuiverError(() => decidePublish({ fn: fn({ status: "Updating" }), versionCount: 5, lastSeq: 5 }, plan({ maxVersions: 5 }), none), "FunctionStateConflict");
  });
});
