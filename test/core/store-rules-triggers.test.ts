import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError, type ErrorCode, type ErrorSubject } from "../../src/core/errors.js";
import {
  apigPath, apigPathAfter, checkQualifierUnbound, checkTriggerInsert, decideTriggerUpdate, qualifierNeedsLookup, type TriggerInsertState,
} from "../../src/core/store-rules/triggers.js";
import type { HttpTriggerFlavour, HttpTriggerSettings, TriggerRecord, TriggerSettings } from "../../src/core/triggers.js";

const http = (flavour: HttpTriggerFlavour = "api-gateway", path = "/"): HttpTriggerSettings =>
  ({ kind: "http", flavour, auth: "none", path, matchMode: "prefix", methods: ["ANY"], cors: null, timeoutMs: null });
const TIMER: TriggerSettings = { kind: "timer", origin: "fgs", scheduleKind: "rate", expression: "3m", schedule: { kind: "every", intervalMs: 180_000 }, payload: "" };

let serial = 0;
function trigger(name: string, extra: Partial<TriggerRecord> = {}): TriggerRecord {
  serial += 1;
  return { id: `id-${serial}`, functionId: "fn", name, qualifier: "$LATEST", enabled: true, description: "", settings: http(), extras: {}, createdAt: 1, updatedAt: 1, ...extra };
}

const NO_QUALIFIER = { isVersion: false, isAlias: false };
const state = (extra: Partial<TriggerInsertState> = {}): TriggerInsertState => ({ triggers: [], qualifier: NO_QUALIFIER, pathHolder: null, ...extra });

function throwsQuiver(action: () => unknown, code: ErrorCode, subject?: ErrorSubject): QuiverError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof QuiverError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (subject !== undefined) assert.equal(caught.subject, subject);
  return caught;
}

void describe("store rules: triggers", () => {
  test("only FunctionGraph APIG triggers claim a path in their scope", () => {
    assert.equal(apigPath(http("apig", "/orders")), "/orders");
    assert.equal(apigPath(http("function-url", "/orders")), null);
    assert.equal(apigPath(http("api-gateway", "/orders")), null);
    assert.equal(apigPath(TIMER), null);
    assert.equal(apigPathAfter({ now: 1 }, trigger("a", { settings: http("apig", "/a") })), "/a", "an update without settings keeps the path");
    assert.equal(apigPathAfter({ settings: http("apig", "/b"), now: 1 }, trigger("a", { settings: http("apig", "/a") })), "/b");
    assert.equal(apigPathAfter({ now: 1 }, null), null);
  });

  test("$LATEST and $DEFAULT always exist; other qualifiers are looked up", () => {
    assert.equal(qualifierNeedsLookup("$LATEST"), false);
    assert.equal(qualifierNeedsLookup("$DEFAULT"), false);
    assert.equal(qualifierNeedsLookup("1"), true);
    assert.equal(qualifierNeedsLookup("latest"), true, "FunctionGraph's spelling is the dialect's to map");
  });

  test("insert: the qualifier, then the name, then the per-kind limit, then the path", () => {
    const existing = [trigger("a"), trigger("b", { settings: TIMER })];
    checkTriggerInsert(trigger("c"), state({ triggers: existing }), 2);
    checkTriggerInsert(trigger("c", { qualifier: "1" }), state({ qualifier: { isVersion: true, isAlias: false } }), 2);
    checkTriggerInsert(trigger("c", { qualifier: "live" }), state({ qualifier: { isVersion: false, isAlias: true } }), 2);
    checkTriggerInsert(trigger("c", { qualifier: "$DEFAULT" }), state(), 2);
    throwsQuiver(() => checkTriggerInsert(trigger("a", { qualifier: "9" }), state({ triggers: existing }), 1), "VersionNotFound", "qualifier");
    throwsQuiver(() => checkTriggerInsert(trigger("a"), state({ triggers: existing }), 1), "TriggerAlreadyExists", "trigger");
    const url = (name: string, qualifier: string): ReturnType<typeof trigger> => trigger(name, { qualifier, settings: http("function-url") });
    checkTriggerInsert(url("u2", "1"), state({ triggers: [url("u1", "$LATEST")], qualifier: { isVersion: true, isAlias: false } }), 10);
    throwsQuiver(() => checkTriggerInsert(url("u2", "$LATEST"), state({ triggers: [url("u1", "$LATEST")] }), 10), "TriggerPathTaken", "trigger");
    throwsQuiver(() => checkTriggerInsert(trigger("c"), state({ triggers: existing }), 1), "TriggerLimitExceeded");
    checkTriggerInsert(trigger("c", { settings: TIMER }), state({ triggers: [trigger("a"), trigger("b")] }), 1);
    const holder = trigger("p", { settings: http("apig", "/p") });
    throwsQuiver(() => checkTriggerInsert(trigger("c", { settings: http("apig", "/p") }), state({ pathHolder: holder }), 5), "TriggerPathTaken", "trigger");
  });

  test("the limit message names the kind and the limit", () => {
    const error = throwsQuiver(() => checkTriggerInsert(trigger("x", { settings: TIMER }), state({ triggers: [trigger("t", { settings: TIMER })] }), 1), "TriggerLimitExceeded");
    assert.match(error.message, /1 timer triggers, the most allowed \(1\)/);
  });

  test("update: the patch applied, name, id and creation time kept; null when missing", () => {
    const current = trigger("web", { createdAt: 5, updatedAt: 5 });
    assert.equal(decideTriggerUpdate({ enabled: false, now: 9 }, { current: null, qualifier: NO_QUALIFIER, pathHolder: null }), null);
    const next = decideTriggerUpdate({ enabled: false, description: "d", now: 9 }, { current, qualifier: NO_QUALIFIER, pathHolder: null });
    assert.deepEqual(next, { ...current, enabled: false, description: "d", updatedAt: 9 });
    const moved = decideTriggerUpdate({ qualifier: "2", now: 9 }, { current, qualifier: { isVersion: true, isAlias: false }, pathHolder: null });
    assert.equal(moved?.qualifier, "2");
    throwsQuiver(() => decideTriggerUpdate({ qualifier: "9", now: 9 }, { current, qualifier: NO_QUALIFIER, pathHolder: null }), "VersionNotFound", "qualifier");
  });

  test("update: kind and flavour never change; a path held by another trigger is refused, one's own is not", () => {
    const current = trigger("api", { settings: http("apig", "/a") });
    throwsQuiver(() => decideTriggerUpdate({ settings: TIMER, now: 2 }, { current, qualifier: NO_QUALIFIER, pathHolder: null }), "InvalidParameter", "trigger");
    throwsQuiver(() => decideTriggerUpdate({ settings: http("function-url"), now: 2 }, { current, qualifier: NO_QUALIFIER, pathHolder: null }), "InvalidParameter", "trigger");
    const same = decideTriggerUpdate({ settings: { ...http("apig", "/a"), auth: "signed" }, now: 2 }, { current, qualifier: NO_QUALIFIER, pathHolder: current });
    assert.equal(same?.settings.kind === "http" && same.settings.auth, "signed");
    const other = trigger("other", { settings: http("apig", "/b") });
    throwsQuiver(() => decideTriggerUpdate({ settings: http("apig", "/b"), now: 2 }, { current, qualifier: NO_QUALIFIER, pathHolder: other }), "TriggerPathTaken", "trigger");
  });

  test("a version or alias with bound triggers is not deleted; the message names them", () => {
    checkQualifierUnbound("version", "1", []);
    const error = throwsQuiver(() => checkQualifierUnbound("alias", "live", [trigger("a"), trigger("b")]), "QualifierHasTriggers", "alias");
    assert.match(error.message, /alias "live".*"a", "b"/);
    throwsQuiver(() => checkQualifierUnbound("version", "2", [trigger("a")]), "QualifierHasTriggers", "version");
  });
});
