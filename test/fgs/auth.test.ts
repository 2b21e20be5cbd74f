import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { call, type Caller, sdkDate, send, signHeaders } from "../helpers/fgs-http.js";
import { createFunction, fgClient, sdkFailure, showConfig } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey, authToken } = ALICE.huawei;
const base = `/v2/${projectId}/fgs/functions`;
const fullUrn = `urn:fss:${region}:${projectId}:function:default:guarded`;

void describe("FunctionGraph authentication and transport", () => {
  let server: TestQuiver;
  let alice: Caller;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    alice = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    await createFunction(fgClient(server.url), await nodeHandlerZip(), "guarded");
  });
  after(async () => server.stop());

  void it("accepts a correctly signed raw request and answers with X-Request-Id", async () => {
    const answer = await call(alice, "GET", `${base}/${fullUrn}/config`);
    assert.equal(answer.status, 200);
    assert.ok(answer.headers["x-request-id"]);
    assert.equal(answer.json()["func_name"], "guarded");
  });

  void it("accepts a percent-encoded URN and a trailing slash", async () => {
    const encoded = `${base}/${encodeURIComponent(`${fullUrn}:latest`)}/config/`;
    const answer = await call(alice, "GET", encoded);
    assert.equal(answer.status, 200, answer.text);
  });

  void it("refuses a wrong secret key with 401 and the API Gateway error body", async () => {
    const answer = await call({ ...alice, sk: "wrong" }, "GET", `${base}/${fullUrn}/config`);
    assert.equal(answer.status, 401);
    assert.equal(answer.json()["error_code"], "APIGW.0301");
    assert.match(String(answer.json()["error_msg"]), /^Incorrect IAM authentication information/);
    assert.ok(answer.headers["x-request-id"]);
  });

  void it("refuses an unknown access key through the SDK", async () => {
    const client = fgClient(server.url, { accessKey: "NOPE", secretKey, projectId });
    const failure = await sdkFailure(showConfig(client, fullUrn));
    assert.equal(failure.httpStatusCode, 401);
    assert.equal(failure.errorCode, "APIGW.0301");
  });

  void it("refuses an X-Sdk-Date more than 15 minutes off, accepts 14 minutes", async () => {
    const skewed = await call(alice, "GET", `${base}/${fullUrn}/config`, undefined, { date: sdkDate(Date.now() - 16 * 60_000) });
    assert.equal(skewed.status, 401);
    const near = await call(alice, "GET", `${base}/${fullUrn}/config`, undefined, { date: sdkDate(Date.now() + 14 * 60_000) });
    assert.equal(near.status, 200);
  });

  void it("refuses another account's project with 403, and a mismatching X-Project-Id", async () => {
    const other = BOB.huawei.projectId;
    const wrongPath = await call(alice, "GET", `/v2/${other}/fgs/functions`);
    assert.equal(wrongPath.status, 403);
    assert.equal(wrongPath.json()["error_code"], "FSS.0403");
    const wrongHeader = await call(alice, "GET", base, undefined, { headers: { "x-project-id": other } });
    assert.equal(wrongHeader.status, 403);
    const client = fgClient(server.url, { accessKey, secretKey, projectId: other });
    assert.equal((await sdkFailure(showConfig(client, "guarded"))).httpStatusCode, 403);
  });

  void it("refuses a signed body swapped for another, with or without X-Sdk-Content-Sha256", async () => {
    const path = `${base}/${fullUrn}/config`;
    const signedBody = Buffer.from(JSON.stringify({ description: "signed" }));
    const swapped = Buffer.from(JSON.stringify({ description: "swapped" }));
    const sign = (headers: Record<string, string>, payloadHash?: string): Record<string, string> =>
      signHeaders({ method: "PUT", host: `127.0.0.1:${server.port}`, path, headers: { "content-type": "application/json", "x-project-id": projectId, ...headers }, body: signedBody, ak: accessKey, sk: secretKey, date: sdkDate(), ...(payloadHash ? { payloadHash } : {}) });
    const bodyHash = createHash("sha256").update(signedBody).digest("hex");
    for (const headers of [sign({}), sign({ "x-sdk-content-sha256": bodyHash })]) {
      const answer = await send(server.port, "PUT", path, headers, swapped);
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.json()["error_code"], "APIGW.0301");
    }
    // The header alone, naming the signed body, does not make the swapped body acceptable either.
    const claimed = await send(server.port, "PUT", path, { ...sign({}), "x-sdk-content-sha256": bodyHash }, swapped);
    assert.equal(claimed.status, 401);
    assert.equal((await call(alice, "GET", path)).json()["description"], "", "nothing was changed");
  });

  void it("accepts the documented UNSIGNED-PAYLOAD form", async () => {
    const path = `${base}/${fullUrn}/config`;
    const headers = signHeaders({ method: "GET", host: `127.0.0.1:${server.port}`, path, headers: { "content-type": "application/json", "x-project-id": projectId, "x-sdk-content-sha256": "UNSIGNED-PAYLOAD" }, body: Buffer.alloc(0), ak: accessKey, sk: secretKey, date: sdkDate(), payloadHash: "UNSIGNED-PAYLOAD" });
    const answer = await send(server.port, "GET", path, headers);
    assert.equal(answer.status, 200, answer.text);
  });

  void it("accepts a configured X-Auth-Token and refuses an unknown one", async () => {
    const good = await send(server.port, "GET", `${base}/guarded/config`, { "x-auth-token": authToken });
    assert.equal(good.status, 200, good.text);
    const bad = await send(server.port, "GET", `${base}/guarded/config`, { "x-auth-token": "not-a-token-at-all" });
    assert.equal(bad.status, 401);
    const none = await send(server.port, "GET", `${base}/guarded/config`, {});
    assert.equal(none.status, 401);
  });

  void it("verifies whatever headers SignedHeaders lists (the Go SDK also signs user-agent)", async () => {
    // Signing with a different header set than the Node SDK: content-type;user-agent;x-project-id;x-sdk-date.
    const answer = await call(alice, "GET", `${base}/guarded/config`, undefined, { headers: { "user-agent": "huaweicloud-usdk-go/3.0" } });
    assert.equal(answer.status, 200);
  });

  void it("answers unknown operations with 404 FSS.0404 in the FunctionGraph format", async () => {
    const answer = await call(alice, "GET", `${base}/guarded/nothing-here`);
    assert.equal(answer.status, 404);
    assert.equal(answer.json()["error_code"], "FSS.0404");
  });

  void it("rate-limits per account with 429 FSS.0429", async () => {
    const limited = await startQuiver({ rateLimits: { enabled: true, overrides: { listFunctions: 2 } } });
    try {
      const caller = { ...alice, port: limited.port };
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await call(caller, "GET", base)).status);
      assert.deepEqual(statuses.slice(0, 2), [200, 200]);
      const refused = await call(caller, "GET", base);
      assert.equal(refused.status, 429);
      assert.equal(refused.json()["error_code"], "FSS.0429");
    } finally {
      await limited.stop();
    }
  });
});
