/**
 * The official SDK configured with a region and no project id asks IAM for the project first
 * (`GET /v3/projects?name=<region>`); with its IAM endpoint pointed at Quiver, that works too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { BasicCredentials, Region } from "@huaweicloud/huaweicloud-sdk-core";
import { ALICE } from "../helpers/accounts.js";
import { fg, sdkFailure, wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";

void describe("IAM project lookup for SDKs configured with a region", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver();
  });
  after(async () => server.stop());

  function regionClient(secretKey: string = ALICE.huawei.secretKey): fg.FunctionGraphClient {
    const credentials = new BasicCredentials().withAk(ALICE.huawei.accessKey).withSk(secretKey).withIamEndpoint(server.url);
    return fg.FunctionGraphClient.newBuilder().withCredential(credentials).withRegion(new Region(ALICE.huawei.region, [server.url])).build();
  }

  void it("finds the caller's project, then serves FunctionGraph calls in it", async () => {
    const listed = wire(await regionClient().listFunctions(new fg.ListFunctionsRequest()));
    assert.ok(Array.isArray(listed["functions"]), JSON.stringify(listed));
  });

  void it("answers the Keystone shape, an empty list for another region, and 401 for a wrong key", async () => {
    const { send, signHeaders, sdkDate } = await import("../helpers/fgs-http.js");
    const { accessKey: ak, region } = ALICE.huawei;
    const sk: string = ALICE.huawei.secretKey;
    const get = async (name: string, key: string = sk): Promise<{ status: number; body: string }> => {
      const headers = signHeaders({ method: "GET", host: `127.0.0.1:${server.port}`, path: "/v3/projects", query: { name }, headers: { "content-type": "application/json" }, body: Buffer.alloc(0), ak, sk: key, date: sdkDate() });
      const answer = await send(server.port, "GET", `/v3/projects?name=${encodeURIComponent(name)}`, headers);
      return { status: answer.status, body: answer.text };
    };
    const mine = await get(region);
    assert.equal(mine.status, 200);
    assert.deepEqual((JSON.parse(mine.body) as { projects: { id: string }[] }).projects.map((p) => p.id), [ALICE.huawei.projectId]);
    assert.deepEqual((JSON.parse((await get("eu-west-0")).body) as { projects: unknown[] }).projects, []);
    const wrong = await get(region, "not-the-secret");
    assert.equal(wrong.status, 401);
    assert.equal((JSON.parse(wrong.body) as { error: { code: number } }).error.code, 401);
    const failure = await sdkFailure(regionClient("not-the-secret").listFunctions(new fg.ListFunctionsRequest()));
    assert.ok(failure.httpStatusCode === 401 || /project/i.test(String((failure as unknown as Error).message)), JSON.stringify(failure));
  });
});
