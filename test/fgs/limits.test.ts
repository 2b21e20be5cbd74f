import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { scf } from "tencentcloud-sdk-nodejs-scf";
import { ALICE } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip, rawZip } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey } = ALICE.huawei;
const base = `/v2/${projectId}/fgs/functions`;
const urn = (name: string): string => `urn:fss:${region}:${projectId}:function:default:${name}`;
const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

void describe("FunctionGraph limits on everything stored", { timeout: 180_000 }, () => {
  let server: TestQuiver;
  let alice: Caller;
  let zip: Buffer;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    alice = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    zip = await nodeHandlerZip();
    const created = await call(alice, "POST", base, createBody("steady", { xrole: "agency", initializer_handler: "index.init", initializer_timeout: 30 }));
    assert.equal(created.status, 200, created.text);
    assert.equal((await call(alice, "POST", `${base}/${urn("steady")}/versions`, { version: "v1" })).status, 200);
  });
  after(async () => server.stop());

  function createBody(name: string, extra: Record<string, unknown> = {}, code = zip): Record<string, unknown> {
    return { func_name: name, package: "default", runtime: "Node.js18.15", handler: "index.handler", memory_size: 128, timeout: 30, code_type: "zip", code_filename: "index.zip", func_code: { file: code.toString("base64") }, ...extra };
  }

  async function config(name: string): Promise<Record<string, unknown>> {
    const answer = await call(alice, "GET", `${base}/${urn(name)}/config`);
    assert.equal(answer.status, 200, answer.text);
    return answer.json();
  }

  /** The function and its versions are exactly as the `before` hook left them. */
  async function assertUnchanged(): Promise<void> {
    const meta = await config("steady");
    assert.equal(meta["xrole"], "agency");
    assert.equal(meta["initializer_handler"], "index.init");
    assert.equal(meta["initializer_timeout"], 30);
    assert.equal(meta["description"], "");
    assert.equal(meta["code_size"], zip.length);
    assert.equal(meta["code_filename"], "index.zip");
    const versions = (await call(alice, "GET", `${base}/${urn("steady")}/versions`)).json()["versions"] as Array<Record<string, unknown>>;
    assert.deepEqual(versions.map((v) => v["version"]), ["latest", "v1"]);
    assert.equal((await call(alice, "GET", base)).json()["count"], 1);
  }

  async function expectError(method: string, path: string, payload: unknown, status: number, code: string, message: RegExp): Promise<void> {
    const answer = await call(alice, method, path, payload);
    assert.equal(answer.status, status, answer.text);
    assert.equal(answer.json()["error_code"], code, answer.text);
    assert.match(String(answer.json()["error_msg"]), message);
  }

  /** Refused on update and on create alike. */
  async function refused(fields: Record<string, unknown>, code: string, message: RegExp): Promise<void> {
    await expectError("PUT", `${base}/${urn("steady")}/config`, fields, 400, code, message);
    await expectError("POST", base, createBody("never", fields), 400, code, message);
  }

  it("stores the kept settings within their documented limits", async () => {
    const settings = { xrole: "x".repeat(64), app_xrole: "a".repeat(64), enterprise_project_id: "0", initializer_handler: `${"i".repeat(120)}.init`, initializer_timeout: 300 };
    assert.equal((await call(alice, "POST", base, createBody("shaped", settings))).status, 200);
    const meta = await config("shaped");
    for (const [key, value] of Object.entries(settings)) assert.equal(meta[key], value, key);
    // Clients echo an unset initializer back as "" and 0.
    assert.equal((await call(alice, "PUT", `${base}/${urn("shaped")}/config`, { initializer_handler: "", initializer_timeout: 0 })).status, 200);
    assert.equal((await call(alice, "DELETE", `${base}/${urn("shaped")}`)).status, 204);
  });

  it("refuses oversized or malformed kept settings with the documented codes", async () => {
    const huge = "x".repeat(1024 * 1024);
    await refused({ xrole: huge }, "FSS.0400", /xrole is invalid: at most 64 characters/);
    await refused({ app_xrole: "a".repeat(65) }, "FSS.0400", /app_xrole is invalid: at most 64 characters/);
    await refused({ enterprise_project_id: "e".repeat(37) }, "FSS.0400", /enterprise_project_id is invalid: at most 36 characters/);
    await refused({ initializer_handler: huge }, "FSS.1404", /initializer_handler is invalid: 3-128 characters/);
    await refused({ initializer_handler: "no-dot" }, "FSS.1404", /initializer_handler is invalid/);
    for (const value of [-1, 301]) await refused({ initializer_timeout: value }, "FSS.1405", /initializer_timeout is invalid: from 1 to 300 seconds/);
    await refused({ initializer_timeout: 2.5 }, "FSS.1405", /initializer_timeout must be of type int/);
    await refused({ initializer_timeout: "30" }, "FSS.1405", /initializer_timeout must be of type number/);
    await expectError("POST", base, createBody("never", { code_filename: `${"f".repeat(256)}.zip` }), 400, "FSS.1013", /code_filename is invalid: at most 255 characters/);
    await expectError("PUT", `${base}/${urn("steady")}/code`, { code_type: "zip", code_filename: huge, func_code: { file: zip.toString("base64") } }, 400, "FSS.1013", /at most 255/);
    assert.equal((await call(alice, "GET", `${base}/${urn("never")}/config`)).status, 404);
    await assertUnchanged();
  });

  it("answers JSON nested 10,000 levels deep with a parameter error, not an internal one", async () => {
    for (const [method, path] of [["PUT", `${base}/${urn("steady")}/config`], ["POST", base], ["POST", `${base}/${urn("steady")}/versions`]] as const) {
      await expectError(method, path, Buffer.from(`{"tags":${nested(10_000)}}`), 400, "FSS.0400", /tags nests more than 32 levels .*at most 32 levels/);
    }
    // The field a too-deep value sits under keeps its own code.
    await expectError("PUT", `${base}/${urn("steady")}/config`, Buffer.from(`{"description":${nested(100)}}`), 400, "FSS.1019", /description nests more than 32/);
    await expectError("POST", base, Buffer.from('{"func_name": "x",'), 406, "FSS.0406", /not valid JSON/);
    await assertUnchanged();
  });

  it("caps a function's whole configuration at 64 KB, whichever API filled it", async () => {
    const tencent = new scf.v20180416.Client({ credential: ALICE.tencent, region, profile: { httpProfile: { endpoint: `127.0.0.1:${server.port}`, protocol: "http://" } } });
    // SCF tags and file system mounts, each within its own limits: about 62 KB together.
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `${"键".repeat(125)}${String(i).padStart(2, "0")}`, Value: "值".repeat(255) }));
    const mount = { UserId: "10000", UserGroupId: "10000", CfsId: "cfs-1", MountInsId: "cfs-1", LocalMountDir: "目".repeat(255), RemoteMountDir: "远".repeat(255) };
    await tencent.CreateFunction({ FunctionName: "heavy", Runtime: "Nodejs18.15", Handler: "index.handler", Code: { ZipFile: zip.toString("base64") }, Tags: tags, CfsConfig: { CfsInsList: [mount, mount, mount] } });
    // 4 KB of environment is within FunctionGraph's user_data limit, but not within the total.
    const userData = JSON.stringify({ BIG: "v".repeat(4000) });
    await expectError("PUT", `${base}/${urn("heavy")}/config`, { user_data: userData }, 400, "FSS.0400", /would take \d+ bytes; at most 65536 bytes \(64 KB\)/);
    const meta = await config("heavy");
    assert.equal(meta["user_data"], "");
    assert.deepEqual((await tencent.GetFunction({ FunctionName: "heavy" })).Tags, tags);
    assert.equal((await call(alice, "PUT", `${base}/${urn("heavy")}/config`, { description: "fits" })).status, 200);
    assert.equal((await call(alice, "DELETE", `${base}/${urn("heavy")}`)).status, 204);
  });

  it("limits alias header rules to 50, of at most 256 characters each", async () => {
    const strategy = (rules: number, value = "v") => ({ v1: { combine_type: "or", rules: Array.from({ length: rules }, (_, i) => ({ rule_type: "header", param: `h${i}`, op: "=", value })) } });
    const aliases = `${base}/${urn("steady")}/aliases`;
    await expectError("POST", aliases, { name: "many", version: "latest", additional_version_strategy: strategy(51) }, 400, "FSS.0400", /51 routing rules; at most 50/);
    await expectError("POST", aliases, { name: "long", version: "latest", additional_version_strategy: strategy(1, "e".repeat(257)) }, 400, "FSS.0400", /257 characters long; at most 256/);
    // An `in` list counts each value as a rule.
    const manyValues = { v1: { combine_type: "or", rules: [{ rule_type: "header", param: "user", op: "in", value: Array.from({ length: 51 }, (_, i) => `u${i}`).join(",") }] } };
    await expectError("POST", aliases, { name: "list", version: "latest", additional_version_strategy: manyValues }, 400, "FSS.0400", /51 routing rules/);
    const listed = await call(alice, "GET", aliases);
    assert.deepEqual(listed.json(), []);
    await assertUnchanged();
  });

  it("refuses zips with symlinks, lying sizes, too many entries or overlong names at upload", async () => {
    const index = { name: "index.js", content: "exports.handler = async () => 'ok';\n" };
    const cases: Array<[Buffer, number, string, RegExp]> = [
      [rawZip([index, { name: "link", content: "/etc/passwd", unixMode: 0o120777 }]), 400, "FSS.1011", /"link" is a symbolic link/],
      [rawZip([index, { name: "bomb.bin", content: Buffer.alloc(8 * 1024 * 1024), deflate: true, declaredSize: 100 }]), 400, "FSS.1011", /"bomb\.bin" declares 100 bytes but inflates to more/],
      [rawZip([index, ...Array.from({ length: 20_000 }, (_, i) => ({ name: `f/${i}.js`, content: "" }))]), 413, "FSS.1071", /20001 entries; at most 20000/],
      [rawZip([index, { name: "n".repeat(5000), content: "" }]), 400, "FSS.1011", /name of 5000 bytes; at most 1024/],
    ];
    for (const [bad, status, code, message] of cases) {
      await expectError("PUT", `${base}/${urn("steady")}/code`, { code_type: "zip", code_filename: "index.zip", func_code: { file: bad.toString("base64") } }, status, code, message);
      await expectError("POST", base, createBody("zipped", {}, bad), status, code, message);
    }
    assert.equal((await call(alice, "GET", `${base}/${urn("zipped")}/config`)).status, 404);
    await assertUnchanged();
  });
});
