import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import type { AliasRecord, AliasRouting } from "../../src/core/aliases.js";
import { QuiverError, type ErrorCode, type ErrorSubject } from "../../src/core/errors.js";
import type { FunctionRecord, FunctionStatus } from "../../src/core/model.js";
import type { AsyncInvocationRecord, NewFunction } from "../../src/core/ports.js";
import {
  acceptanceOrder,
  checkAliasInsert,
  checkVersionDeletable,
  decideAliasUpdate,
  decideFunctionInsert,
  decideNamespaceDelete,
  decideNamespaceInsert,
  decideTransition,
  functionAlreadyExists,
  requireFunction,
  versionsRoutedBy,
} from "../../src/core/store-rules/index.js";
import { EDITABLE_STATUSES, SETTLED_STATUSES, settleAfterCrash, settleAfterFailedCodeWrite, stateConflict } from "../../src/core/store-rules/statuses.js";

const ALL_STATUSES: readonly FunctionStatus[] = ["Creating", "CreateFailed", "Active", "Updating", "UpdateFailed", "Publishing", "PublishFailed", "Deleting", "DeleteFailed"];
const CODE = { sha256: "a".repeat(64), sha512: "b".repeat(128), size: 10, unzippedSize: 20, fileName: "" };
const CONFIG = { runtime: { family: "nodejs", version: "18.15" }, handler: "index.main_handler", memoryMb: 128, timeoutSec: 3, description: "", environment: {}, type: "Event", extras: {} } as const;

function fn(status: FunctionStatus = "Active"): FunctionRecord {
  return { id: "id-1", scope: { accountId: "a", region: "r" }, namespace: "default", name: "f", status, statusReason: "why", config: CONFIG, code: CODE, revision: 3, lastVersionNumber: 2, createdAt: 1, updatedAt: 2 };
}

function alias(name: string, version: string, routing: AliasRouting = { kind: "none" }): AliasRecord {
  return { functionId: "id-1", name, version, description: "", routing, revision: 1, createdAt: 5, updatedAt: 5 };
}

/** Asserts the exact error a caller would see: code, subject and message. */
function throwsQuiver(action: () => unknown, code: ErrorCode, subject: ErrorSubject | undefined, message: string | RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError, `expected a QuiverError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.subject, subject);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

void describe("store rules: namespaces", { timeout: 10_000 }, () => {
  void test("insert: false when it exists, whatever the quota", () => {
    assert.equal(decideNamespaceInsert({ exists: true, explicitCount: 99 }, 1), false);
    assert.equal(decideNamespaceInsert({ exists: false, explicitCount: 1 }, 2), true);
  });

  void test("insert: the quota bounds explicit namespaces; an implicit one (null quota) is never refused", () => {
    throwsQuiver(() => decideNamespaceInsert({ exists: false, explicitCount: 2 }, 2), "NamespaceLimitExceeded", undefined, 'At most 2 namespaces besides "default" are allowed per region.');
    assert.equal(decideNamespaceInsert({ exists: false, explicitCount: 1000 }, null), true);
  });

  void test("delete: false when missing; NamespaceNotEmpty while functions remain", () => {
    assert.equal(decideNamespaceDelete("team", { exists: false, hasFunctions: false }), false);
    assert.equal(decideNamespaceDelete("team", { exists: true, hasFunctions: false }), true);
    throwsQuiver(() => decideNamespaceDelete("team", { exists: true, hasFunctions: true }), "NamespaceNotEmpty", "namespace", 'Namespace "team" still has functions; delete them first.');
  });
});

void describe("store rules: functions", { timeout: 10_000 }, () => {
  const input: NewFunction = { id: "new", scope: { accountId: "a", region: "r" }, namespace: "ns", name: "f", config: CONFIG, now: 77, maxFunctions: 3 };

  void test("insert: the record starts Creating, without code, with empty counters", () => {
    assert.deepEqual(decideFunctionInsert(input, { nameTaken: false, count: 2 }), {
      id: "new", scope: input.scope, namespace: "ns", name: "f", status: "Creating", statusReason: "", config: CONFIG, code: null,
      revision: 0, lastVersionNumber: 0, createdAt: 77, updatedAt: 77,
    });
  });

  void test("insert: a taken name is refused before a full namespace", () => {
    throwsQuiver(() => decideFunctionInsert(input, { nameTaken: true, count: 3 }), "FunctionAlreadyExists", "function", 'Function "f" already exists in namespace "ns".');
    throwsQuiver(() => decideFunctionInsert(input, { nameTaken: false, count: 3 }), "FunctionLimitExceeded", undefined, 'Namespace "ns" already has 3 functions, the most allowed.');
  });

  void test("the unique-key refusal reads as the rule's own", () => {
    const error = functionAlreadyExists(input);
    assert.equal(error.code, "FunctionAlreadyExists");
    assert.equal(error.subject, "function");
  });

  void test("requireFunction passes a row through and refuses a missing one", () => {
    const row = { id: "x" };
    assert.equal(requireFunction(row), row);
    throwsQuiver(() => requireFunction(undefined), "FunctionNotFound", "function", "The function does not exist.");
  });
});

void describe("store rules: statuses", { timeout: 10_000 }, () => {
  void test("settled and transient statuses split every status", () => {
    const transient = ALL_STATUSES.filter((s) => !SETTLED_STATUSES.includes(s));
    assert.deepEqual(transient, ["Creating", "Updating", "Publishing", "Deleting"]);
    for (const status of transient) assert.notEqual(settleAfterCrash(status), null, `${status} is recovered`);
    for (const status of SETTLED_STATUSES) assert.equal(settleAfterCrash(status), null, `${status} is left alone`);
  });

  void test("recovery: an interrupted create or update failed, an interrupted publish is Active again", () => {
    assert.equal(settleAfterCrash("Creating"), "CreateFailed");
    assert.equal(settleAfterCrash("Updating"), "UpdateFailed");
    assert.equal(settleAfterCrash("Publishing"), "Active");
    assert.equal(settleAfterCrash("Deleting"), "DeleteFailed");
  });

  void test("code that could not be stored: a create failed, an update keeps the old code Active", () => {
    assert.equal(settleAfterFailedCodeWrite("Creating"), "CreateFailed");
    assert.equal(settleAfterFailedCodeWrite("Updating"), "Active");
  });

  void test("code and configuration can change from Active or after a failed update only", () => {
    assert.deepEqual([...EDITABLE_STATUSES], ["Active", "UpdateFailed"]);
  });

  void test("transition: null unless the status is one of from", () => {
    assert.equal(decideTransition(fn("Updating"), ["Active", "UpdateFailed"], { status: "Updating", now: 9 }), null);
  });

  void test("transition: only the status and time change unless more is given", () => {
    assert.deepEqual(decideTransition(fn(), ["Active"], { status: "Updating", now: 9 }), { ...fn(), status: "Updating", updatedAt: 9 });
  });

  void test("transition: reason, configuration and code are replaced when given; a change bumps the revision", () => {
    const config = { ...CONFIG, memoryMb: 256 };
    const code = { ...CODE, sha256: "c".repeat(64) };
    const next = decideTransition(fn("Updating"), ["Updating"], { status: "Active", statusReason: "", config, code, changed: true, now: 9 });
    assert.deepEqual(next, { ...fn(), status: "Active", statusReason: "", config, code, revision: 4, updatedAt: 9 });
  });

  void test("a status conflict names the function, its status and the operation", () => {
    const conflict = (status: FunctionStatus, operation: Parameters<typeof stateConflict>[1]): QuiverError => stateConflict(fn(status), operation);
    assert.equal(conflict("Updating", "publish").message, 'Function "f" is Updating; a version can be published only when it is Active.');
    assert.equal(conflict("Creating", "updateCode").message, 'Function "f" is Creating; it can be changed only when Active.');
    assert.equal(conflict("Creating", "invoke").message, 'Function "f" is Creating and has no code to run.');
    const error = conflict("Publishing", "updateConfig");
    assert.equal(error.code, "FunctionStateConflict");
    assert.equal(error.operation, "updateConfig");
  });
});

void describe("store rules: versions", { timeout: 10_000 }, () => {
  void test("a version an alias routes to, as main or additional version, cannot be deleted", () => {
    const aliases = [alias("main", "1"), alias("canary", "$LATEST", { kind: "weighted", version: "2", weight: 0.1 }), alias("also", "2")];
    throwsQuiver(() => checkVersionDeletable("1", aliases), "VersionInUse", "version", 'Version "1" cannot be deleted: alias "main" routes to it.');
    throwsQuiver(() => checkVersionDeletable("2", aliases), "VersionInUse", "version", 'Version "2" cannot be deleted: alias "canary", "also" routes to it.');
    assert.doesNotThrow(() => checkVersionDeletable("3", aliases));
  });
});

void describe("store rules: aliases", { timeout: 10_000 }, () => {
  const rules: AliasRouting = { kind: "rules", version: "2", combine: "or", rules: [{ key: "User", method: "exact", expression: "x" }] };

  void test("the versions to look up are the published ones routed to, never $LATEST", () => {
    assert.deepEqual(versionsRoutedBy(alias("a", "1")), ["1"]);
    assert.deepEqual(versionsRoutedBy(alias("a", "$LATEST", rules)), ["2"]);
    assert.deepEqual(versionsRoutedBy({ version: "1", routing: { kind: "weighted", version: "$LATEST", weight: 0.5 } }), ["1"]);
  });

  void test("insert: refuses a taken name, then the limit ($DEFAULT not counted), then a missing version", () => {
    const existing = [alias("$DEFAULT", "$LATEST"), alias("one", "1")];
    const versions = new Set(["1"]);
    throwsQuiver(() => checkAliasInsert(alias("one", "7"), { aliases: existing, versions }, 0), "AliasAlreadyExists", "alias", 'Alias "one" already exists.');
    throwsQuiver(() => checkAliasInsert(alias("two", "7"), { aliases: existing, versions }, 1), "AliasLimitExceeded", undefined, "The function already has 1 aliases, the most allowed.");
    assert.doesNotThrow(() => checkAliasInsert(alias("two", "1"), { aliases: existing, versions }, 2));
    throwsQuiver(() => checkAliasInsert(alias("two", "7"), { aliases: existing, versions }, 2), "VersionNotFound", "aliasVersion", 'Version "7" does not exist.');
    throwsQuiver(() => checkAliasInsert(alias("two", "1", rules), { aliases: existing, versions }, 2), "VersionNotFound", "aliasVersion", 'Version "2" does not exist.');
  });

  void test("routing invariants: the additional version differs from the main one, a weight is a share from 0 to 1", () => {
    const state = { aliases: [], versions: new Set(["1", "2"]) };
    throwsQuiver(() => checkAliasInsert(alias("a", "1", { ...rules, version: "1" }), state, 5), "InvalidParameter", "routing", /must differ/);
    throwsQuiver(() => checkAliasInsert(alias("a", "$LATEST", { kind: "weighted", version: "$LATEST", weight: 0.5 }), state, 5), "InvalidParameter", "routing", /must differ/);
    for (const weight of [-0.1, 1.01, Number.NaN]) {
      throwsQuiver(() => checkAliasInsert(alias("a", "1", { kind: "weighted", version: "2", weight }), state, 5), "InvalidParameter", "routing", /from 0 to 1/);
    }
    for (const weight of [0, 0.5, 1]) assert.doesNotThrow(() => checkAliasInsert(alias("a", "1", { kind: "weighted", version: "2", weight }), state, 5));
  });

  void test("update: replaces target and routing, bumps the revision, keeps the creation time", () => {
    const current = alias("prod", "1");
    const change = { version: "2", description: "new", routing: { kind: "weighted", version: "1", weight: 0.25 } } as const;
    const next = decideAliasUpdate({ functionId: "id-1", name: "prod", change, now: 50, upsert: false }, { current, versions: new Set(["1", "2"]) });
    assert.deepEqual(next, { ...current, version: "2", description: "new", routing: change.routing, revision: 2, updatedAt: 50 });
  });

  void test("update: null for a missing alias, unless it is to be created (revision 1, created now)", () => {
    const update = { functionId: "id-1", name: "$DEFAULT", change: { version: "$LATEST", description: "", routing: { kind: "none" } }, now: 60 } as const;
    assert.equal(decideAliasUpdate({ ...update, upsert: false }, { current: null, versions: new Set() }), null);
    assert.deepEqual(decideAliasUpdate({ ...update, upsert: true }, { current: null, versions: new Set() }), {
      functionId: "id-1", name: "$DEFAULT", version: "$LATEST", description: "", routing: { kind: "none" }, revision: 1, createdAt: 60, updatedAt: 60,
    });
  });

  void test("update: refuses a missing version and a broken routing", () => {
    const update = (change: { version: string; routing: AliasRouting }): AliasRecord | null =>
      decideAliasUpdate({ functionId: "id-1", name: "prod", change: { ...change, description: "" }, now: 70, upsert: false }, { current: alias("prod", "1"), versions: new Set(["1"]) });
    throwsQuiver(() => update({ version: "9", routing: { kind: "none" } }), "VersionNotFound", "aliasVersion", 'Version "9" does not exist.');
    throwsQuiver(() => update({ version: "1", routing: { kind: "weighted", version: "8", weight: 0.5 } }), "VersionNotFound", "aliasVersion", 'Version "8" does not exist.');
    throwsQuiver(() => update({ version: "1", routing: { kind: "weighted", version: "1", weight: 0.5 } }), "InvalidParameter", "routing", /must differ/);
  });
});

void describe("store rules: asynchronous invocations", { timeout: 10_000 }, () => {
  void test("unfinished invocations resume in acceptance order, ties broken by id", () => {
    const at = (id: string, createdAt: number) => ({ id, createdAt }) as AsyncInvocationRecord;
    const sorted = [at("b", 2), at("c", 1), at("a", 2)].sort(acceptanceOrder);
    assert.deepEqual(sorted.map((r) => r.id), ["c", "a", "b"]);
  });
});
