import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip, nodeHandlerZip, zipSlipZip } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey } = ALICE.huawei;
const base = `/v2/${projectId}/fgs/functions`;

function body(zip: Buffer, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    func_name: "bad",
    package: "default",
    runtime: "Node.js18.15",
    handler: "index.handler",
    memory_size: 128,
    timeout: 30,
    code_type: "zip",
    func_code: { file: zip.toString("base64") },
    ...overrides,
  };
}

void describe("FunctionGraph bad input", () => {
  let server: TestQuiver;
  let alice: Caller;
  let zip: Buffer;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, limits: { maxBodyBytes: 80 * 1024 * 1024 } });
    alice = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    zip = await nodeHandlerZip();
  });
  after(async () => server.stop());

  async function expectError(payload: unknown, status: number, code: string, path = base, method = "POST"): Promise<void> {
    const answer = await call(alice, method, path, payload);
    assert.equal(answer.status, status, `${JSON.stringify(payload).slice(0, 120)} → ${answer.text}`);
    assert.equal(answer.json()["error_code"], code, answer.text);
    assert.ok(answer.headers["x-request-id"]);
  }

  void it("maps each invalid field to its documented FSS code", async () => {
    await expectError(body(zip, { func_name: "9starts-with-digit" }), 400, "FSS.1002");
    await expectError(body(zip, { func_name: "a".repeat(61) }), 400, "FSS.1002");
    await expectError(body(zip, { handler: "nodot" }), 400, "FSS.1003");
    await expectError(body(zip, { package: "bad package" }), 400, "FSS.1004");
    await expectError(body(zip, { runtime: "Java8" }), 400, "FSS.1005");
    await expectError(body(zip, { runtime: "Cobol" }), 400, "FSS.1005");
    await expectError(body(zip, { code_type: "obs" }), 400, "FSS.1006");
    await expectError(body(zip, { memory_size: 100 }), 400, "FSS.1007");
    await expectError(body(zip, { timeout: 1 }), 400, "FSS.1008");
    await expectError(body(zip, { user_data: "not json" }), 400, "FSS.1009");
    await expectError(body(zip, { user_data: JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, "v"]))) }), 400, "FSS.1017");
    await expectError(body(zip, { user_data: JSON.stringify({ BIG: "x".repeat(5000) }) }), 400, "FSS.1018");
    await expectError(body(zip, { description: "d".repeat(513) }), 400, "FSS.1019");
    await expectError(body(zip, { func_code: {} }), 400, "FSS.1012");
  });

  void it("refuses wrong JSON types and malformed JSON", async () => {
    await expectError(body(zip, { memory_size: "128" }), 400, "FSS.1007");
    await expectError(body(zip, { func_name: 42 }), 400, "FSS.1002");
    await expectError(Buffer.from('{"func_name": "x",'), 406, "FSS.0406");
    await expectError(Buffer.from("[1,2]"), 406, "FSS.0406");
  });

  void it("refuses invalid URNs with FSS.1309", async () => {
    await expectError({}, 400, "FSS.1309", `${base}/urn:fss:${region}:${projectId}:function:default/versions`);
    await expectError({}, 400, "FSS.1309", `${base}/urn:xxx:${region}:${projectId}:function:default:f:latest/versions`);
    await expectError({}, 400, "FSS.1309", `${base}/a::b/versions`);
    await expectError({}, 400, "FSS.1309", `${base}/urn:fss:other-region:${projectId}:function:default:f/versions`);
  });

  void it("refuses corrupt zips, zip-slip and zips over 50 MB, and writes nothing", async () => {
    await expectError(body(Buffer.from("PK\u0003\u0004 not really a zip"), { package: "never-made" }), 400, "FSS.1011");
    await expectError(body(await zipSlipZip(), { package: "never-made" }), 400, "FSS.1011");
    await expectError(body(zip, { func_code: { file: "***not base64***" } }), 400, "FSS.1011");
    const big = Buffer.alloc(50 * 1024 * 1024 + 1);
    await expectError(body(big, { package: "never-made" }), 413, "FSS.1071");
    const listed = await call(alice, "GET", base, undefined, { query: { package_name: "never-made" } });
    assert.equal(listed.json()["count"], 0);
    const namespaces = await server.quiver.service.namespaces.list({ accountId: ALICE.name, region }, { offset: 0, limit: 100, order: "ASC", orderBy: "name" });
    assert.ok(!namespaces.items.some((ns) => ns.name === "never-made"), "refused code creates no package");
  });

  void it("answers a body over the server's limit with 413 in the FunctionGraph format", async () => {
    const small = await startQuiver({ limits: { maxBodyBytes: 1024 } });
    try {
      const answer = await call({ ...alice, port: small.port }, "POST", base, body(await buildZip({ "index.js": randomBytes(4096).toString("base64") })));
      assert.equal(answer.status, 413);
      assert.equal(answer.json()["error_code"], "FSS.0413");
      assert.ok(answer.headers["x-request-id"]);
    } finally {
      await small.stop();
    }
  });

  void it("keeps serving after all of that", async () => {
    const created = await call(alice, "POST", base, body(zip, { func_name: "survivor" }));
    assert.equal(created.status, 200, created.text);
  });
});
