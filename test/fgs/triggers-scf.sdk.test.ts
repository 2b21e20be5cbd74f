/**
 * One trigger, two APIs, both through their official SDKs: an SCF function URL is listed,
 * switched and deleted by FunctionGraph, and a FunctionGraph APIG trigger is listed by SCF.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { createFunction, fg, fgClient, urnOf } from "../helpers/fgs-sdk.js";
import { createApigTrigger, deleteTrigger, eventDataOf, listTriggers, updateTrigger } from "../helpers/fgs-triggers.js";
import { expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip } from "../helpers/zip.js";

const { region } = ALICE.huawei;

void describe("FunctionGraph and SCF see the same triggers", () => {
  let server: TestQuiver;
  let huawei: fg.FunctionGraphClient;
  let tencent: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    huawei = fgClient(server.url);
    // The Huawei project belongs to the account's region; SCF names the same region to see the same functions.
    tencent = scfClient(server, ALICE, { region });
    await createFunction(huawei, await nodeHandlerZip(), "shared", { timeout: 20 });
  });
  after(async () => server.stop());

  void it("an SCF function URL is listed by FunctionGraph as APIG at / with its SCF URL, and switched and deleted there", async () => {
    await tencent.CreateTrigger({
      FunctionName: "shared",
      TriggerName: "scf_url",
      Type: "http",
      TriggerDesc: JSON.stringify({ AuthType: "CAM", NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
    });
    const [listed, ...others] = await listTriggers(huawei, urnOf("shared"));
    assert.ok(listed);
    assert.deepEqual(others, []);
    assert.equal(listed["trigger_type_code"], "APIG");
    assert.equal(listed["trigger_status"], "ACTIVE");
    const data = eventDataOf(listed);
    assert.equal(data["name"], "scf_url");
    assert.equal(data["auth"], "IAM", "SCF's CAM auth is FunctionGraph's IAM: both are requests signed with the account's keys");
    assert.equal(data["path"], "/");
    assert.equal(data["invoke_url"], `${server.url}/scf/${ALICE.appId}/${region}/default/shared/scf_url`);
    assert.deepEqual(data["func_info"], { function_urn: urnOf("shared"), invocation_type: "sync", timeout: 20_000, version: "$DEFAULT" });

    const id = String(listed["trigger_id"]);
    await updateTrigger(huawei, urnOf("shared"), "APIG", id, new fg.UpdateTriggerRequestBody().withTriggerStatus("DISABLED"));
    const [seen] = (await tencent.ListTriggers({ FunctionName: "shared" })).Triggers ?? [];
    assert.equal(seen?.TriggerName, "scf_url");
    assert.equal(seen?.Type, "http");
    assert.equal(seen?.Enable, 0, "disabled through FunctionGraph, off in SCF");
    await deleteTrigger(huawei, urnOf("shared"), "APIG", id);
    await expectScfError(tencent.DeleteTrigger({ FunctionName: "shared", TriggerName: "scf_url", Type: "http", Qualifier: "$DEFAULT" }), "ResourceNotFound.Trigger");
  });

  void it("a FunctionGraph APIG trigger is listed by SCF as apigw, and deleted there", async () => {
    await createApigTrigger(huawei, urnOf("shared"), { name: "from_fgs", path: "/shared", auth: "NONE" });
    const listed = await tencent.ListTriggers({ FunctionName: "shared" });
    assert.equal(listed.TotalCount, 1);
    const [trigger] = listed.Triggers ?? [];
    assert.equal(trigger?.TriggerName, "from_fgs");
    assert.equal(trigger?.Type, "apigw");
    assert.equal(trigger?.Qualifier, "$LATEST");
    assert.equal(trigger?.Enable, 1);
    assert.match(String(trigger?.TriggerDesc), new RegExp(`/apig/${ALICE.huawei.projectId}/shared`), "its description carries the APIG URL");
    const fromGetFunction = (await tencent.GetFunction({ FunctionName: "shared" })).Triggers ?? [];
    assert.deepEqual(fromGetFunction.map((t) => t.TriggerName), ["from_fgs"]);

    await tencent.DeleteTrigger({ FunctionName: "shared", TriggerName: "from_fgs", Type: "apigw" });
    assert.deepEqual(await listTriggers(huawei, urnOf("shared")), []);
  });
});
