import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { ALL_ERROR_CODES, QuiverError } from "../../src/core/errors.js";
import { fgsErrorBody } from "../../src/dialects/fgs/errors.js";

void describe("FunctionGraph error table", () => {
  void it("gives every core code an HTTP error status and an FSS or APIGW code", () => {
    for (const code of ALL_ERROR_CODES) {
      const { status, body } = fgsErrorBody(new QuiverError(code, "m"), "rid");
      assert.ok(status >= 400 && status < 600, code);
      assert.match(String(body["error_code"]), /^(FSS|APIGW)\.\d{4}$/, code);
      assert.ok(body["error_msg"], code);
    }
  });

  void it("uses the documented messages where the vendor fixes them", () => {
    assert.deepEqual(fgsErrorBody(new QuiverError("FunctionNotFound", "x"), "r"), { status: 404, body: { error_code: "FSS.1051", error_msg: "Not found the function" } });
    assert.equal(fgsErrorBody(new QuiverError("FunctionAlreadyExists", "x"), "r").body["error_msg"], "The function has existed");
  });
});
