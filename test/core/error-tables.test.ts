/**
 * Every core error code reads as a documented vendor code in every dialect: the SCF table gives
 * codes from Tencent's list (HTTP is always 200 there), the FunctionGraph table code/status
 * pairs from Huawei's list. User errors never map to internal codes, and no answer depends on
 * an error's message: the tables choose by the typed subject and operation (and by the wire
 * parameter a dialect's own validation names).
 */
import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { ALL_ERROR_CODES, ERROR_SUBJECTS, QuiverError, USER_ERROR_CODES, type ErrorCode, type ErrorDetails, type ErrorOperation } from "../../src/core/errors.js";
import { FGS_DOCUMENTED_STATUS } from "../../src/dialects/fgs/documented-codes.js";
import { FGS_ERRORS, fgsWireError } from "../../src/dialects/fgs/errors.js";
import { SCF_DOCUMENTED_ERROR_CODES, SCF_UNDOCUMENTED_CODES_IN_USE } from "../../src/dialects/scf/documented-codes.js";
import { SCF_ERROR_CODES, scfCode } from "../../src/dialects/scf/errors.js";
import { allWires } from "../../src/dialects/shared/error-table.js";

const PARAMETERS = [undefined, "", "FunctionName", "Qualifier", "memory_size", "Timeout", "func_code", "__proto__", "constructor", "toString"];
const SUBJECTS = [undefined, ...ERROR_SUBJECTS];
const OPERATIONS: (ErrorOperation | undefined)[] = [undefined, "create", "publish", "updateCode", "updateConfig", "delete", "invoke"];
/** Messages that an answer chosen by reading text would react to. */
const MESSAGES = ["message", "cannot be created", "cannot be deleted", "inline", "FunctionVersion", "InvokeQualifier"];

function details(parameter: string | undefined, subject: (typeof SUBJECTS)[number], operation: ErrorOperation | undefined): ErrorDetails {
  return { ...(parameter !== undefined ? { parameter } : {}), ...(subject ? { subject } : {}), ...(operation ? { operation } : {}) };
}

const VARIANTS: readonly ErrorDetails[] = PARAMETERS.flatMap((parameter) => SUBJECTS.flatMap((subject) => OPERATIONS.map((operation) => details(parameter, subject, operation))));

const isUserError = (code: ErrorCode): boolean => (USER_ERROR_CODES as readonly string[]).includes(code);

describe("dialect error tables", () => {
  it("map every core code, with any details, to an SCF code; never an internal one for a user error", () => {
    for (const code of ALL_ERROR_CODES) {
      for (const detail of VARIANTS) {
        const scf = scfCode(new QuiverError(code, "message", detail));
        assert.equal(scf === "InternalError", code === "Internal", `${code} ${JSON.stringify(detail)} → ${scf}`);
      }
    }
  });

  it("map every core code to a FunctionGraph code and an error status", () => {
    for (const code of ALL_ERROR_CODES) {
      for (const detail of VARIANTS) {
        const { status, code: wire } = fgsWireError(new QuiverError(code, "message", detail));
        assert.ok(status >= 400 && status < 600, `${code} → ${status}`);
        if (isUserError(code)) assert.ok(status < 500, `user error ${code} → ${status}`);
        assert.ok(wire !== "FSS.0500" || code === "Internal", `${code} → ${wire}`);
      }
    }
  });

  it("choose no answer by the error's message", () => {
    for (const code of ALL_ERROR_CODES) {
      for (const detail of VARIANTS) {
        const answers = MESSAGES.map((message) => new QuiverError(code, message, detail));
        assert.equal(new Set(answers.map(scfCode)).size, 1, `SCF ${code} ${JSON.stringify(detail)}`);
        assert.equal(new Set(answers.map((e) => JSON.stringify({ ...fgsWireError(e), message: undefined }))).size, 1, `FGS ${code} ${JSON.stringify(detail)}`);
      }
    }
  });

  it("answer only codes in Tencent's documented SCF list (exceptions only by name, none today)", () => {
    const undocumented = new Set<string>(SCF_UNDOCUMENTED_CODES_IN_USE);
    for (const [code, entry] of Object.entries(SCF_ERROR_CODES)) {
      for (const wire of allWires(entry)) {
        assert.ok(SCF_DOCUMENTED_ERROR_CODES.has(wire) || undocumented.has(wire), `${code} → ${wire} is not a documented SCF code`);
      }
    }
    // The exceptions are live: a stale entry would hide nothing but still reads as a licence.
    const used = new Set(Object.values(SCF_ERROR_CODES).flatMap((entry) => allWires(entry)));
    for (const wire of undocumented) assert.ok(used.has(wire), `${wire} is listed as in use but no longer answered`);
    for (const wire of undocumented) assert.ok(!SCF_DOCUMENTED_ERROR_CODES.has(wire), `${wire} is documented after all: drop it from the exceptions`);
  });

  it("answer only code/status pairs in Huawei's documented FunctionGraph list", () => {
    for (const [code, entry] of Object.entries(FGS_ERRORS)) {
      for (const wire of allWires(entry)) {
        assert.equal(FGS_DOCUMENTED_STATUS.get(wire.code), wire.status, `${code} → ${wire.code} ${wire.status} is not documented so`);
      }
    }
  });

  it("enumerate every answer a choice can give", () => {
    // allWires is what the two tests above trust: each answer actually given must be among them.
    for (const code of ALL_ERROR_CODES) {
      const scfAll = new Set(allWires(SCF_ERROR_CODES[code]));
      const fgsAll = new Set(allWires(FGS_ERRORS[code]).map((w) => `${w.code} ${w.status}`));
      for (const detail of VARIANTS) {
        const error = new QuiverError(code, "message", detail);
        assert.ok(scfAll.has(scfCode(error)), `SCF ${code} ${JSON.stringify(detail)}`);
        const fgs = fgsWireError(error);
        assert.ok(fgsAll.has(`${fgs.code} ${fgs.status}`), `FGS ${code} ${JSON.stringify(detail)}`);
      }
    }
  });

  it("tell apart what the typed details distinguish", () => {
    const scf = (code: ErrorCode, d: ErrorDetails): string => scfCode(new QuiverError(code, "m", d));
    assert.equal(scf("NamespaceProtected", { subject: "namespace", operation: "create" }), "InvalidParameterValue.DefaultNamespace");
    assert.equal(scf("NamespaceProtected", { subject: "namespace", operation: "delete" }), "FailedOperation.DeleteNamespace");
    assert.equal(scf("VersionNotFound", { subject: "aliasVersion" }), "ResourceNotFound.FunctionVersion");
    assert.equal(scf("VersionNotFound", { subject: "qualifier", operation: "invoke" }), "ResourceNotFound.Qualifier");
    assert.equal(scf("VersionNotFound", { subject: "qualifier" }), "ResourceNotFound.Version");
    assert.equal(scf("InvalidParameter", { subject: "routing" }), "InvalidParameterValue.RoutingConfig");
    assert.equal(scf("InvalidParameter", { parameter: "MemorySize" }), "InvalidParameterValue.MemorySize");
    assert.equal(scf("InvalidParameter", { parameter: "__proto__" }), "InvalidParameterValue");
    assert.equal(scf("FunctionStateConflict", { operation: "updateCode" }), "FailedOperation.UpdateFunctionCode");
    assert.equal(scf("QualifierHasTriggers", { subject: "alias" }), "FailedOperation.DeleteAlias");
    assert.equal(scf("QualifierHasTriggers", { subject: "version" }), "UnsupportedOperation");
    assert.equal(scf("InvalidParameter", { parameter: "TriggerDesc" }), "InvalidParameterValue.TriggerDesc");
    const fgs = (code: ErrorCode, d: ErrorDetails): string => fgsWireError(new QuiverError(code, "m", d)).code;
    assert.equal(fgs("CodeTooLarge", { subject: "inlineCode" }), "FSS.1072");
    assert.equal(fgs("CodeTooLarge", { subject: "package" }), "FSS.1071");
    assert.equal(fgs("CodeTooLarge", {}), "FSS.1071");
    assert.equal(fgs("MalformedRequest", {}), "FSS.0406");
    assert.equal(fgs("MalformedRequest", { parameter: "Tags" }), "FSS.0400");
    assert.equal(fgs("MalformedRequest", { parameter: "memory_size" }), "FSS.1007");
    assert.equal(fgs("InvalidParameter", { parameter: "constructor" }), "FSS.0400");
    assert.equal(fgs("InvalidParameter", { parameter: "event_data.path" }), "FSS.1107");
    assert.equal(fgs("TriggerNotFound", { parameter: "trigger_type_code" }), "FSS.1137");
    assert.equal(fgs("TriggerNotFound", { subject: "trigger" }), "FSS.1131");
    assert.equal(fgs("InvalidParameter", { parameter: "event_data.name" }), "FSS.1317");
    assert.equal(fgs("InvalidParameter", { parameter: "event_data.schedule" }), "FSS.1109");
    assert.equal(fgs("MissingParameter", { parameter: "event_data.schedule_type" }), "FSS.1109");
    assert.equal(fgs("InvalidParameter", { parameter: "event_data.timer" }), "FSS.1109");
    assert.equal(fgs("InvalidParameter", { parameter: "event_data" }), "FSS.1107");
  });
});
