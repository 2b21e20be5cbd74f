import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError, type ErrorCode } from "../../src/core/errors.js";
import { checkEvent, logTail, returnedText } from "../../src/core/invocation-text.js";

function refused(action: () => unknown, code: ErrorCode, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError, `expected a QuiverError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

void describe("checkEvent", () => {
  test("no event, an empty one or one of only whitespace is the empty object", () => {
    assert.equal(checkEvent(undefined, 10, "Event"), "{}");
    assert.equal(checkEvent("", 10, "Event"), "{}");
    assert.equal(checkEvent(" \n\t", 10, "Event"), "{}");
    assert.equal(checkEvent(Buffer.alloc(0), 10, "Event"), "{}");
  });

  test("a JSON document comes back as it was sent, whatever its top-level type", () => {
    for (const text of ['{"a":1}', " [1, 2] ", '"text"', "42", "null"]) assert.equal(checkEvent(text, 100, "Event"), text);
    assert.equal(checkEvent(Buffer.from('{"é":"ü"}'), 100, "Event"), '{"é":"ü"}');
  });

  test("anything that is not JSON is EventInvalid, named by the label", () => {
    refused(() => checkEvent("not json", 100, "ClientContext"), "EventInvalid", /^ClientContext is not a JSON document\.$/);
    refused(() => checkEvent(Buffer.from("{oops"), 100, "The request body"), "EventInvalid", /^The request body /);
  });

  test("the limit counts bytes as sent, and is checked before the JSON", () => {
    const text = `"${"é".repeat(5)}"`; // 12 bytes, 7 characters
    assert.equal(checkEvent(text, 12, "Event"), text);
    refused(() => checkEvent(text, 11, "Event"), "EventTooLarge", /^Event is 12 bytes; at most 11 are allowed\.$/);
    refused(() => checkEvent(Buffer.from("x".repeat(20)), 19, "Event"), "EventTooLarge", /20 bytes/);
    refused(() => checkEvent(" ".repeat(20), 19, "Event"), "EventTooLarge", /20 bytes/);
  });
});

void describe("returnedText", () => {
  test("a returned string reads without its quotes; other values as their JSON", () => {
    assert.equal(returnedText('"hello"'), "hello");
    assert.equal(returnedText('"line\\nbreak"'), "line\nbreak");
    assert.equal(returnedText('{"a":1}'), '{"a":1}');
    assert.equal(returnedText("42"), "42");
    assert.equal(returnedText(""), "");
  });

  test("text that only looks like a string is kept as it is", () => {
    assert.equal(returnedText('"unterminated'), '"unterminated');
  });
});

void describe("logTail", () => {
  test("a log within the limit is kept whole", () => {
    assert.equal(logTail("abc\n", 4), "abc\n");
    assert.equal(logTail("", 0), "");
  });

  test("a longer log keeps its last bytes", () => {
    assert.equal(logTail("0123456789", 4), "6789");
    assert.equal(logTail("0123456789", 0), "");
    assert.equal(logTail("0123456789", -5), "");
  });

  test("the cut never splits a character, so the tail is within the limit and valid UTF-8", () => {
    const text = `a${"é".repeat(10)}`; // 21 bytes: each é is 2
    for (let max = 0; max <= 22; max += 1) {
      const tail = logTail(text, max);
      assert.ok(Buffer.byteLength(tail) <= max, `at most ${max} bytes`);
      assert.ok(text.endsWith(tail), "a suffix of the log");
      assert.ok(Buffer.byteLength(tail) >= max - 1, "loses at most the split character");
    }
    assert.equal(logTail("x€", 2), "", "a 3-byte character that does not fit is left out whole");
  });

  test("replacement characters left by an earlier cut are dropped from the start", () => {
    assert.equal(logTail("\uFFFD\uFFFDrest", 100), "rest");
    assert.equal(logTail("\uFFFDabc\uFFFD", 100), "abc\uFFFD", "only leading ones");
  });
});
