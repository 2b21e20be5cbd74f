/**
 * Every core error code reads as a documented-looking vendor code in every dialect: the SCF
 * table gives `Word.Word…` codes (HTTP is always 200 there), the FunctionGraph table an
 * `FSS.nnnn`/`APIGW.nnnn` code with a 4xx/5xx status. User errors never map to internal codes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ALL_ERROR_CODES, QuiverError, USER_ERROR_CODES } from "../../src/core/errors.js";
import { fgsWireError } from "../../src/dialects/fgs/errors.js";
import { scfCode } from "../../src/dialects/scf/errors.js";

const FIELDS = [undefined, "FunctionName", "Qualifier", "FunctionVersion", "InvokeQualifier", "memory_size", "inline"];
const OPERATIONS = [undefined, "publish", "updateCode", "updateConfig", "delete", "invoke"] as const;

function variants(code: (typeof ALL_ERROR_CODES)[number]): QuiverError[] {
  return FIELDS.flatMap((field) => OPERATIONS.map((operation) => new QuiverError(code, "message", { ...(field ? { field } : {}), ...(operation ? { operation } : {}) })));
}

describe("dialect error tables", () => {
  it("map every core code, with any field or operation, to an SCF code", () => {
    for (const code of ALL_ERROR_CODES) {
      for (const error of variants(code)) {
        const scf = scfCode(error);
        assert.match(scf, /^[A-Z][A-Za-z]+(\.[A-Z][A-Za-z0-9]+)*$/, `${code} → ${scf}`);
        const internal = scf === "InternalError";
        assert.equal(internal, code === "Internal", `${code} → ${scf}`);
      }
    }
  });

  it("map every core code to a FunctionGraph code and an error status", () => {
    for (const code of ALL_ERROR_CODES) {
      for (const error of variants(code)) {
        const { status, code: wire } = fgsWireError(error);
        assert.match(wire, /^(FSS|APIGW)\.\d{4}$/, `${code} → ${wire}`);
        assert.ok(status >= 400 && status < 600, `${code} → ${status}`);
        if ((USER_ERROR_CODES as readonly string[]).includes(code)) assert.ok(status < 500, `user error ${code} → ${status}`);
      }
    }
  });
});
