import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import { MAX_CONFIG_BYTES, MAX_ROUTING_EXPRESSION_CHARS, MAX_ROUTING_RULES, checkConfigSize, routingProblem } from "../../src/core/limits.js";
import type { FunctionConfig } from "../../src/core/model.js";
import { unflatten } from "../../src/dialects/scf/params.js";
import { MAX_JSON_DEPTH, parseJsonObject, tooDeepPath } from "../../src/dialects/shared/json-body.js";
import { NODE_FUNCTION_CONFIG } from "../helpers/function-config.js";

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

function throwsQuiver(action: () => unknown, code: string, message: RegExp, parameter?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    if (parameter !== undefined) assert.equal(error.parameter, parameter);
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

const CONFIG = NODE_FUNCTION_CONFIG;
const withExtra = (bytes: number): FunctionConfig => ({ ...CONFIG, extras: { scf: { Blob: "x".repeat(bytes) } } });

void describe("function configuration size", { timeout: 30_000 }, () => {
  void test(`configurations up to ${MAX_CONFIG_BYTES} bytes pass; larger ones are refused naming the limit`, () => {
    const overhead = Buffer.byteLength(JSON.stringify(withExtra(0)));
    checkConfigSize(withExtra(MAX_CONFIG_BYTES - overhead));
    throwsQuiver(() => checkConfigSize(withExtra(MAX_CONFIG_BYTES - overhead + 1)), "InvalidParameter", /would take 65537 bytes; at most 65536 bytes \(64 KB\)/);
  });

  void test("multi-byte characters count as the bytes they take", () => {
    throwsQuiver(() => checkConfigSize({ ...CONFIG, description: "字".repeat(22_000) }), "InvalidParameter", /at most 65536 bytes/);
  });

  void test("a change that does not grow an oversized (older) configuration passes, so it can be trimmed", () => {
    const oversized = withExtra(200_000);
    checkConfigSize({ ...oversized, memoryMb: 256 }, oversized);
    checkConfigSize(withExtra(100_000), oversized);
    throwsQuiver(() => checkConfigSize(withExtra(200_001), oversized), "InvalidParameter", /at most 65536/);
  });
});

void describe("alias routing limits", { timeout: 10_000 }, () => {
  const rules = (count: number, expression = "v") => ({ kind: "rules" as const, version: "2", combine: "or" as const, rules: Array.from({ length: count }, (_, i) => ({ key: `H${i}`, method: "exact" as const, expression })) });

  void test(`at most ${MAX_ROUTING_RULES} rules of ${MAX_ROUTING_EXPRESSION_CHARS} characters`, () => {
    assert.equal(routingProblem({ kind: "none" }), null);
    assert.equal(routingProblem(rules(MAX_ROUTING_RULES, "e".repeat(MAX_ROUTING_EXPRESSION_CHARS))), null);
    assert.match(routingProblem(rules(MAX_ROUTING_RULES + 1)) ?? "", /51 routing rules; at most 50/);
    assert.match(routingProblem(rules(1, "e".repeat(MAX_ROUTING_EXPRESSION_CHARS + 1))) ?? "", /"H0" is 257 characters long; at most 256/);
  });
});
