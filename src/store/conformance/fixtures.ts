import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import type { AliasRecord, AliasRouting } from "../../core/aliases.js";
import { QuiverError, type ErrorCode, type ErrorSubject } from "../../core/errors.js";
import type { CodeRef, FunctionConfig, FunctionRecord, Scope } from "../../core/model.js";
import type { AsyncInvocationRecord, MetadataStore, PublishPlan, VersionNaming } from "../../core/ports.js";
import type { HttpTriggerFlavour, HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";

/** What a store's test file hands the suite. */
export interface StoreUnderTest {
  readonly store: MetadataStore;
  readonly cleanup: () => Promise<void>;
  /** Opens another store on the same database: a second node, or the same node after a restart. */
  readonly openPeer?: () => Promise<MetadataStore>;
  /** True when several live stores may share the database (PostgreSQL), false for one process (SQLite). */
  readonly multiNode?: boolean;
}

/** What each group of cases gets: the harness, available once the suite's `before` ran. */
export interface SuiteContext {
  readonly harness: () => StoreUnderTest;
}

/** Every test works in its own account, so tests share one store without seeing each other. */
export function freshScope(): Scope {
  return { accountId: `acct-${randomUUID()}`, region: "ap-guangzhou" };
}

export const CONFIG: FunctionConfig = {
  runtime: { family: "nodejs", version: "18.15" },
  handler: "index.main_handler",
  memoryMb: 128,
  timeoutSec: 3,
  description: "a function",
  environment: { STAGE: "test" },
  type: "Event",
  extras: { scf: { role: "r" } },
};

export function code(tag: string): CodeRef {
  return { sha256: tag.padEnd(64, "a"), sha512: tag.padEnd(128, "b"), size: 100, unzippedSize: 200, fileName: `${tag}.zip` };
}

let clock = 1_000_000;
/** Strictly increasing times, so orderings by time are deterministic. */
export function tick(): number {
  clock += 1;
  return clock;
}

/** Inserts a function (Creating) and makes it Active with code, as the service does. */
export async function activeFunction(store: MetadataStore, scope: Scope, name: string, options: { namespace?: string; config?: FunctionConfig } = {}): Promise<FunctionRecord> {
  const created = await store.insertFunction({ id: randomUUID(), scope, namespace: options.namespace ?? "default", name, config: options.config ?? CONFIG, now: tick(), maxFunctions: 50 });
  const active = await store.transitionFunction(created.id, ["Creating"], { status: "Active", code: code(name), changed: true, now: tick() });
  assert.ok(active, "Creating → Active");
  return active;
}

export function plan(naming: VersionNaming = { kind: "next-number" }, extra: Partial<PublishPlan> = {}): PublishPlan {
  return { naming, description: "", maxVersions: 1000, expectedSha512: null, now: tick(), ...extra };
}

export function alias(functionId: string, name: string, version: string, routing: AliasRouting = { kind: "none" }): AliasRecord {
  const now = tick();
  return { functionId, name, version, description: `alias ${name}`, routing, revision: 1, createdAt: now, updatedAt: now };
}

export function asyncRecord(scope: Scope, functionId: string, extra: Partial<AsyncInvocationRecord> = {}): AsyncInvocationRecord {
  return {
    id: randomUUID(),
    scope,
    functionId,
    namespace: "default",
    functionName: "fn",
    qualifier: "$LATEST",
    versionName: "$LATEST",
    event: '{"k":1}',
    convention: "scf",
    contextValues: { a: "b" },
    status: "RUNNING",
    result: "",
    error: null,
    log: "",
    durationMs: 0,
    createdAt: tick(),
    finishedAt: null,
    ...extra,
  };
}

/** Asserts that `call` rejects with a QuiverError of this code. */
export async function rejectsWith(call: Promise<unknown>, code: ErrorCode, subject?: ErrorSubject): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof QuiverError, `expected QuiverError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (subject !== undefined) assert.equal(error.subject, subject);
    return true;
  });
}

/** API-gateway by default: a function has one function URL per qualifier, any number of those. */
export function httpSettings(flavour: HttpTriggerFlavour = "api-gateway", path = "/"): HttpTriggerSettings {
  return { kind: "http", flavour, auth: "none", path, matchMode: "prefix", methods: ["ANY"], cors: null, timeoutMs: null };
}

/** A trigger of `functionId` (an API-gateway URL unless `extra` says otherwise). */
export function trigger(functionId: string, name: string, extra: Partial<TriggerRecord> = {}): TriggerRecord {
  const now = tick();
  return {
    id: randomBytes(16).toString("hex"),
    functionId,
    name,
    qualifier: "$LATEST",
    enabled: true,
    description: `trigger ${name}`,
    settings: httpSettings(),
    extras: { scf: { note: name } },
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}
