import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { QuiverError } from "../../src/core/errors.js";
import { unflatten } from "../../src/dialects/scf/params.js";
import { MAX_JSON_DEPTH, parseJsonObject, tooDeepPath } from "../../src/dialects/shared/json-body.js";

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

function throwsQuiver(action: () => unknown, code: string, message: RegExp, field?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  });
}

void describe("request nesting depth", { timeout: 30_000 }, () => {
  void test(`bodies nested up to ${MAX_JSON_DEPTH} levels parse; deeper ones are refused naming the parameter`, () => {
    const atLimit = `{"Tags":${nested(MAX_JSON_DEPTH - 1)}}`;
    assert.ok(parseJsonObject(Buffer.from(atLimit)));
    throwsQuiver(() => parseJsonObject(Buffer.from(`{"Tags":${nested(MAX_JSON_DEPTH)}}`)), "MalformedRequest", /Tags nests more than 32 levels/, "Tags");
  });

  void test("10,000 and 1,000,000 levels are refused, not a stack overflow", () => {
    for (const levels of [10_000, 1_000_000]) {
      throwsQuiver(() => parseJsonObject(Buffer.from(`{"VpcConfig":${nested(levels)}}`)), "MalformedRequest", /at most 32 levels/, "VpcConfig");
    }
    const arrays = `{"Layers":${"[".repeat(50_000)}${"]".repeat(50_000)}}`;
    throwsQuiver(() => parseJsonObject(Buffer.from(arrays)), "MalformedRequest", /Layers nests more than 32/, "Layers");
  });

  void test("tooDeepPath reports the path to the first offender", () => {
    assert.equal(tooDeepPath({ a: [1, { b: 2 }] }, 3), null);
    assert.deepEqual(tooDeepPath({ a: [1, { b: { c: 1 } }] }, 3), ["a", "1", "b"]);
  });

  void test("flattened GET/form parameters have the same limit", () => {
    const path = (segments: number): string => Array.from({ length: segments }, (_, i) => `K${i}`).join(".");
    assert.ok(unflatten(new Map([[path(MAX_JSON_DEPTH), "v"]])));
    for (const segments of [MAX_JSON_DEPTH + 1, 10_000]) {
      throwsQuiver(() => unflatten(new Map([[path(segments), "v"]])), "MalformedRequest", /K0 nests more than 32 levels/, "K0");
    }
  });
});
