import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";

/** Names every plain object answers to, whatever it holds. */
const BUILT_IN_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "prototype"];

void describe("SCF parameter values that are built-in property names", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
    await createNodeFunction(scf, "protos");
  });
  after(async () => server.stop());

  void test("are refused as an invalid Orderby, never an internal error", async () => {
    for (const name of BUILT_IN_NAMES) {
      await expectScfError(scf.ListFunctions({ Orderby: name }), "InvalidParameterValue.OrderBy");
    }
  });

  void test("are ordinary environment variable names", async () => {
    const variables = ["constructor", "toString", "valueOf", "hasOwnProperty"].map((Key, i) => ({ Key, Value: String(i) }));
    await scf.UpdateFunctionConfiguration({ FunctionName: "protos", Environment: { Variables: variables } });
    const fn = await scf.GetFunction({ FunctionName: "protos" });
    assert.deepEqual(fn.Environment?.Variables?.map((v) => [v.Key, v.Value]), variables.map((v) => [v.Key, v.Value]));
  });
});
