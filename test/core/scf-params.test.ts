import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import { unflatten } from "../../src/dialects/scf/params.js";

const flat = (query: string): Map<string, string> => new Map(new URLSearchParams(query));

function assertCode(action: () => unknown, code: string): void {
  assert.throws(action, (error: unknown) => error instanceof QuiverError && error.code === code);
}

void describe("SCF unflatten", () => {
  void test("plain keys stay strings", () => {
    assert.deepEqual(unflatten(flat("FunctionName=f1&MemorySize=256")), { FunctionName: "f1", MemorySize: "256" });
  });

  void test("dotted keys nest, and 0..n-1 indexes become arrays in index order", () => {
    const result = unflatten(
      flat(
        "Environment.Variables.1.Key=B&Environment.Variables.0.Key=A&Environment.Variables.0.Value=1&Environment.Variables.1.Value=2&Code.ZipFile=UEsD",
      ),
    );
    assert.deepEqual(result, { Environment: { Variables: [{ Key: "A", Value: "1" }, { Key: "B", Value: "2" }] }, Code: { ZipFile: "UEsD" } });
  });

  void test("arrays of scalars and of arrays", () => {
    assert.deepEqual(unflatten(flat("Ids.0=a&Ids.1=b&M.0.0=x&M.0.1=y&M.1.0=z")), { Ids: ["a", "b"], M: [["x", "y"], ["z"]] });
    const sorted = unflatten(flat(Array.from({ length: 12 }, (_, i) => `L.${11 - i}=${11 - i}`).join("&")));
    assert.deepEqual(sorted, { L: Array.from({ length: 12 }, (_, i) => String(i)) });
  });

  void test("sparse or non-zero-based indexes stay objects (the schema then refuses them)", () => {
    assert.deepEqual(unflatten(flat("A.1=x")), { A: { "1": "x" } });
    assert.deepEqual(unflatten(flat("A.0=x&A.2=y")), { A: { "0": "x", "2": "y" } });
  });

  void test("values are URL-decoded once, keeping spaces and symbols", () => {
    assert.deepEqual(unflatten(flat("Description=a%20b%26c%3Dd")), { Description: "a b&c=d" });
  });

  void test("empty segments and a value under a scalar are refused", () => {
    assertCode(() => unflatten(flat("A..B=1")), "InvalidParameterType");
    assertCode(() => unflatten(flat(".A=1")), "InvalidParameterType");
    assertCode(() => unflatten(flat("A=1&A.B=2")), "InvalidParameterType");
  });

  void test("prototype keys are refused and nothing leaks into Object.prototype", () => {
    for (const key of ["__proto__.polluted", "constructor.prototype.polluted", "A.__proto__.polluted", "prototype"]) {
      assertCode(() => unflatten(new Map([[key, "yes"]])), "UnknownParameter");
    }
    assert.equal((Object.prototype as Record<string, unknown>)["polluted"], undefined);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  void test("an empty map gives an empty object", () => {
    assert.deepEqual(unflatten(new Map()), {});
  });
});
