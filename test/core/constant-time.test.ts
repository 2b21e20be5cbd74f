import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { constantTimeEqual } from "../../src/core/constant-time.js";

void describe("constantTimeEqual", () => {
  test("equal strings are equal", () => {
    assert.equal(constantTimeEqual("", ""), true);
    assert.equal(constantTimeEqual("a1b2c3", "a1b2c3"), true);
    assert.equal(constantTimeEqual("é€", "é€"), true);
  });

  test("any difference, in content or length, is a mismatch (and does not throw)", () => {
    assert.equal(constantTimeEqual("a1b2c3", "a1b2c4"), false);
    assert.equal(constantTimeEqual("a1b2c3", "A1b2c3"), false);
    assert.equal(constantTimeEqual("a1b2c3", "a1b2c"), false);
    assert.equal(constantTimeEqual("a1b2c3", ""), false);
    assert.equal(constantTimeEqual("", "x"), false);
  });

  test("strings of equal length in characters but not in bytes are a mismatch", () => {
    assert.equal(constantTimeEqual("ab", "é"), false);
    assert.equal(constantTimeEqual("aé", "éa"), false);
  });
});
