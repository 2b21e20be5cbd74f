import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { tailQualifier, tailSees, type TailFilter } from "../../src/core/live-tail.js";

const scope = { accountId: "alice", region: "ap-guangzhou" };
const filter = (qualifier: string | null): TailFilter => ({ scope, functionId: "fn-1", qualifier });
const call = { scope, functionId: "fn-1", qualifier: "prod", versionName: "2" };

describe("which invocations a live tail sees", () => {
  it("without a qualifier, every invocation of its function in its scope, and nothing else", () => {
    assert.equal(tailSees(filter(null), call), true);
    assert.equal(tailSees(filter(null), { ...call, functionId: "fn-2" }), false);
    assert.equal(tailSees(filter(null), { ...call, scope: { ...scope, accountId: "bob" } }), false);
    assert.equal(tailSees(filter(null), { ...call, scope: { ...scope, region: "ap-shanghai" } }), false);
  });

  it("with a qualifier, the calls that asked for it or ran it", () => {
    assert.equal(tailSees(filter("prod"), call), true, "the alias asked for");
    assert.equal(tailSees(filter("2"), call), true, "the version that ran through the alias");
    assert.equal(tailSees(filter("1"), call), false);
    assert.equal(tailSees(filter("$LATEST"), { ...call, qualifier: undefined, versionName: "$LATEST" }), true);
  });

  it("takes FunctionGraph's spelling of the head, and no qualifier for an empty one", () => {
    assert.equal(tailQualifier("latest"), "$LATEST");
    assert.equal(tailQualifier("$LATEST"), "$LATEST");
    assert.equal(tailQualifier(""), null);
    assert.equal(tailQualifier(undefined), null);
  });
});
