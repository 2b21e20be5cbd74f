import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { additionalVersionProblem, aliasTargetProblem, weightProblem, type AliasRouting } from "../../src/core/aliases.js";

void describe("alias invariants", () => {
  test("the additional version must differ from the main one", () => {
    assert.match(additionalVersionProblem("1", "1") ?? "", /additional version "1" must differ from the alias's version/);
    assert.match(additionalVersionProblem("$LATEST", "$LATEST") ?? "", /must differ/);
    assert.equal(additionalVersionProblem("1", "2"), null);
    assert.equal(additionalVersionProblem("$LATEST", "1"), null);
  });

  test("a weight is a share of traffic from 0 to 1", () => {
    for (const weight of [0, 0.1, 0.5, 1]) assert.equal(weightProblem(weight), null, String(weight));
    for (const weight of [-0.01, 1.01, 100, Number.NaN]) assert.match(weightProblem(weight) ?? "", /not a share of traffic from 0 to 1/, String(weight));
  });

  test("a target is checked for both, whichever kind of routing it has", () => {
    const rules = (version: string): AliasRouting => ({ kind: "rules", version, combine: "or", rules: [{ key: "User", method: "exact", expression: "a" }] });
    assert.equal(aliasTargetProblem({ version: "1", routing: { kind: "none" } }), null);
    assert.equal(aliasTargetProblem({ version: "1", routing: { kind: "weighted", version: "2", weight: 0.3 } }), null);
    assert.equal(aliasTargetProblem({ version: "1", routing: rules("2") }), null);
    assert.match(aliasTargetProblem({ version: "1", routing: { kind: "weighted", version: "1", weight: 0.3 } }) ?? "", /must differ/);
    assert.match(aliasTargetProblem({ version: "1", routing: rules("1") }) ?? "", /must differ/);
    assert.match(aliasTargetProblem({ version: "1", routing: { kind: "weighted", version: "2", weight: 2 } }) ?? "", /share of traffic/);
    // The same version with a bad weight: the version is the first problem reported.
    assert.match(aliasTargetProblem({ version: "1", routing: { kind: "weighted", version: "1", weight: 2 } }) ?? "", /must differ/);
  });
});
