/** Which call a child's output belongs to when its result overtook it (output-attribution.ts, no processes). */
import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { MAX_OWED, OutputAttribution } from "../../src/runtime/output-attribution.js";

/** A stream's attribution that records each piece as "owner:text" ("now" for the current call). */
function recorder(): { attribution: OutputAttribution<string>; pieces: string[]; read(text: string): void } {
  const pieces: string[] = [];
  const attribution = new OutputAttribution<string>((bytes, owed) => pieces.push(`${owed === null ? "now" : owed.owner}:${bytes.toString()}`));
  return { attribution, pieces, read: (text) => attribution.push(Buffer.from(text)) };
}

void describe("output attribution", () => {
  void it("gives output to the current call while no answered call is owed any", () => {
    const r = recorder();
    r.read("abc");
    r.attribution.answered(3, "call-1");
    r.read("def");
    assert.deepEqual(r.pieces, ["now:abc", "now:def"]);
  });

  void it("gives bytes read after a result, below its count, to the call that answered", () => {
    const r = recorder();
    r.read("ab");
    r.attribution.answered(5, "call-1");
    r.read("cdeXY");
    assert.deepEqual(r.pieces, ["now:ab", "call-1:cde", "now:XY"]);
  });

  void it("keeps the calls apart when several answered before their output was read", () => {
    const r = recorder();
    r.attribution.answered(3, "call-1");
    r.attribution.answered(3, "call-2"); // printed nothing
    r.attribution.answered(5, "call-3");
    r.read("a");
    r.read("bcde");
    r.read("f");
    assert.deepEqual(r.pieces, ["call-1:a", "call-1:bc", "call-3:de", "now:f"]);
  });

  void it("counts bytes, not characters", () => {
    const r = recorder();
    r.attribution.answered(Buffer.byteLength("é€"), "call-1");
    r.read("é€z");
    assert.deepEqual(r.pieces, ["call-1:é€", "now:z"]);
    assert.equal(r.attribution.read, 6);
  });

  void it("ignores a count below an earlier one", () => {
    const r = recorder();
    r.attribution.answered(4, "call-1");
    r.attribution.answered(2, "call-2");
    r.read("abcdef");
    assert.deepEqual(r.pieces, ["call-1:abcd", "now:ef"]);
  });

  void it("forgets the oldest owed call past the bound, its bytes going to the next", () => {
    const r = recorder();
    for (let i = 1; i <= MAX_OWED + 1; i++) r.attribution.answered(i, `call-${i}`);
    r.read("x".repeat(MAX_OWED + 2));
    assert.equal(r.pieces[0], "call-2:xx", "call 1 is forgotten: its byte goes to call 2");
    assert.equal(r.pieces.length, MAX_OWED + 1);
    assert.equal(r.pieces.at(-1), "now:x");
  });
});
