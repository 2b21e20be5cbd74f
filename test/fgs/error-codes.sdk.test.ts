/**
 * Every code the FunctionGraph error table can answer, seen by the official Node SDK with its
 * documented HTTP status. Table-driven: the first test fails when the table
 * (src/dialects/fgs/errors.ts) can answer a code that has no trigger below. The request timeout
 * cannot be provoked through the SDK (it sends each request whole), so it is asserted through
 * plain HTTP, and why is written next to it.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { FGS_ERRORS } from "../../src/dialects/fgs/errors.js";
import { allWires } from "../../src/dialects/shared/error-table.js";
import { createAlias, createBody, createFunction, fg, fgClient, invoke, publishVersion, sdkFailure, showAlias, showConfig, updateCode, urnOf, wire } from "../helpers/fgs-sdk.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { createApigTrigger, createTrigger, showTrigger, updateTrigger } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { exchange, fgsError } from "../helpers/raw-http.js";
import { nodeHandlerZip, rawZip } from "../helpers/zip.js";

interface Ctx {
  /** Default limits; holds "target" (version v1, alias "live" → v1) and "stuck" (Creating). */
  readonly server: TestQuiver;
  readonly client: fg.FunctionGraphClient;
  /** Limits of one: function "only" with version v1 and alias "a1"; short HTTP timeouts; listFunctions at 1/s. */
  readonly tight: TestQuiver;
  readonly tightClient: fg.FunctionGraphClient;
  readonly zip: Buffer;
  /** The id of "target"'s APIG trigger "live_api" (path /target, bound to alias "live"). */
  readonly triggerId: string;
}

const { region, projectId } = ALICE.huawei;

const create = (c: Ctx, body: fg.CreateFunctionRequestBody, client = c.client): Promise<unknown> => client.createFunction(new fg.CreateFunctionRequest().withBody(body));
/** A create body with one wire field set to any value, as a client could send it. */
const withField = (c: Ctx, field: string, value: unknown): fg.CreateFunctionRequestBody => Object.assign(createBody(c.zip, "never-made"), { [field]: value });
const listFunctions = (client: fg.FunctionGraphClient, maxitems?: string): Promise<unknown> => {
  const request = new fg.ListFunctionsRequest();
  if (maxitems !== undefined) request.withMaxitems(maxitems);
  return client.listFunctions(request);
};
const deleteFunction = (c: Ctx, urn: string): Promise<unknown> => c.client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urn));

const dependencyRequest = (c: Ctx, name: string, type = "zip"): fg.CreateDependencyVersionRequest =>
  new fg.CreateDependencyVersionRequest().withBody(new fg.CreateDependencyRequestBody().withDependType(type).withDependFile(c.zip.toString("base64")).withRuntime("Node.js18.15").withName(name));

/** One SDK call per code that the SDK reports with exactly that code (and the table's status). */
const THROUGH_SDK: Readonly<Record<string, (c: Ctx) => Promise<unknown>>> = {
  // A body that is JSON but not an object: the SDK sends what it is given.
  "FSS.0406": (c) => c.client.createFunction(new fg.CreateFunctionRequest().withBody([1, 2] as never)),
  "FSS.0400": (c) => deleteFunction(c, urnOf("target", "latest")),
  "FSS.0413": (c) => create(c, createBody(c.zip, "big", { description: "d".repeat(300 * 1024) }), c.tightClient),
  // An SDK operation Quiver does not serve.
  "FSS.0404": (c) => c.client.listQuotas(new fg.ListQuotasRequest()),
  // Dependencies: an invalid one, an unknown type, one not found, too many on a function, one in use.
  "FSS.1024": (c) => c.client.createDependencyVersion(dependencyRequest(c, "9bad")),
  "FSS.1032": (c) => c.client.createDependencyVersion(dependencyRequest(c, "lib", "tarball")),
  "FSS.1056": (c) => c.client.listDependencyVersion(new fg.ListDependencyVersionRequest().withDependId("ghost")),
  "FSS.1045": async (c) => {
    const dep = wire(await c.client.createDependencyVersion(dependencyRequest(c, "many")));
    return create(c, createBody(c.zip, "never-made").withDependVersionList(Array.from({ length: 21 }, () => String(dep["id"]))));
  },
  "FSS.1033": async (c) => {
    const dep = wire(await c.client.createDependencyVersion(dependencyRequest(c, "used")));
    await create(c, createBody(c.zip, "uses-dep").withDependVersionList([String(dep["id"])]));
    return c.client.deleteDependencyVersion(new fg.DeleteDependencyVersionRequest().withDependId(String(dep["dep_id"])).withVersion("1"));
  },
  "APIGW.0301": (c) => listFunctions(fgClient(c.server.url, { ...ALICE.huawei, secretKey: "not-the-secret-key-000000000000000000000" })),
  "FSS.0403": (c) => listFunctions(fgClient(c.server.url, { ...ALICE.huawei, projectId: BOB.huawei.projectId })),
  "FSS.0429": async (c) => {
    // At 1 request per second, five in a row cannot all pass; the first refused one rejects.
    for (let i = 0; i < 5; i += 1) await listFunctions(c.tightClient);
  },
  "FSS.1051": (c) => showConfig(c.client, urnOf("missing")),
  "FSS.1052": (c) => showConfig(c.client, urnOf("target", "v9")),
  // More reserved instances than the machine runs (test/capacity/fgs.sdk.test.ts covers the rest).
  "FSS.1076": (c) => c.client.updateFunctionReservedInstancesCount(new fg.UpdateFunctionReservedInstancesCountRequest().withFunctionUrn(urnOf("target", "v1")).withBody(new fg.UpdateFunctionReservedInstancesCountRequestBody().withCount(10_000))),
  "FSS.0409": (c) => updateCode(c.client, urnOf("stuck"), c.zip),
  "FSS.1061": (c) => createFunction(c.client, c.zip, "target"),
  "FSS.1062": (c) => publishVersion(c.client, urnOf("target"), { version: "v1" }),
  "FSS.1041": (c) => createFunction(c.tightClient, c.zip, "second"),
  "FSS.1012": (c) => create(c, createBody(c.zip, "never-made").withFuncCode(new fg.FuncCode())),
  "FSS.1011": (c) => create(c, createBody(c.zip, "never-made").withFuncCode(new fg.FuncCode().withFile("***not base64***"))),
  "FSS.1072": (c) => create(c, createBody(c.zip, "never-made").withCodeType("inline").withFuncCode(new fg.FuncCode().withFile(Buffer.alloc(11 * 1024).toString("base64")))),
  // More entries than a package may hold: the code is too large however small the zip is.
  "FSS.1071": (c) => create(c, createBody(rawZip(Array.from({ length: 20_001 }, (_, i) => ({ name: `f${i}`, content: "" }))), "never-made")),
  "FSS.1053": (c) => showAlias(c.client, urnOf("target"), "ghost"),
  "FSS.1063": (c) => createAlias(c.client, urnOf("target"), { name: "live", version: "v1" }),
  "FSS.1043": (c) => createAlias(c.tightClient, urnOf("only"), { name: "a2", version: "v1" }),
  "FSS.1014": (c) => createAlias(c.client, urnOf("target"), { name: "9lives", version: "v1" }),
  "FSS.1015": (c) => createAlias(c.client, urnOf("target"), { name: "bad-main", version: "-v-" }),
  "FSS.1091": (c) => createAlias(c.client, urnOf("target"), { name: "a", version: "v1", weights: { v9: 10 } }),
  "FSS.1092": (c) => createAlias(c.client, urnOf("target"), { name: "a", version: "v1", weights: { latest: 150 } }),
  "FSS.1093": (c) => createAlias(c.client, urnOf("target"), { name: "a", version: "v1", weights: { v1: 10 } }),
  "FSS.1094": (c) => deleteFunction(c, urnOf("target", "v1")),
  "FSS.1201": (c) => invoke(c.client, urnOf("target"), { pad: "x".repeat(6 * 1024 * 1024) }),
  "FSS.0500": async (c) => {
    // A server whose blob directory is a file cannot store code.
    const broken = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    const blobs = join(broken.dataDir, "blobs");
    try {
      rmSync(blobs, { recursive: true, force: true });
      writeFileSync(blobs, "a file where the blob directory should be");
      await createFunction(fgClient(broken.url), c.zip, "unstored");
    } finally {
      // Stopped first: a failed restore must not leave the server (and the test file) running.
      await broken.stop();
    }
  },
  "FSS.1001": (c) => listFunctions(c.client, "many"),
  "FSS.1002": (c) => create(c, createBody(c.zip, "9starts-with-digit")),
  "FSS.1003": (c) => create(c, createBody(c.zip, "never-made", { handler: "nodot" })),
  "FSS.1004": (c) => create(c, createBody(c.zip, "never-made", { package: "bad package" })),
  "FSS.1005": (c) => create(c, createBody(c.zip, "never-made", { runtime: "Cobol" })),
  "FSS.1006": (c) => create(c, createBody(c.zip, "never-made").withCodeType("obs")),
  "FSS.1007": (c) => create(c, createBody(c.zip, "never-made").withMemorySize(100)),
  "FSS.1008": (c) => create(c, createBody(c.zip, "never-made", { timeout: 1 })),
  "FSS.1009": (c) => create(c, createBody(c.zip, "never-made", { userData: "not json" })),
  "FSS.1010": (c) => create(c, withField(c, "code_url", 42)),
  "FSS.1013": (c) => create(c, createBody(c.zip, "never-made").withCodeFilename(`${"f".repeat(256)}.zip`)),
  "FSS.1017": (c) => create(c, createBody(c.zip, "never-made", { userData: JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, "v"]))) })),
  "FSS.1018": (c) => create(c, createBody(c.zip, "never-made", { userData: JSON.stringify({ BIG: "x".repeat(5000) }) })),
  "FSS.1019": (c) => create(c, createBody(c.zip, "never-made", { description: "d".repeat(513) })),
  "FSS.1101": (c) => createTrigger(c.client, urnOf("target"), "OBS", new fg.TriggerEventDataRequestBody().withName("t").withScheduleType("Rate").withSchedule("5m")),
  "FSS.1109": (c) => createTrigger(c.client, urnOf("target"), "TIMER", new fg.TriggerEventDataRequestBody().withName("t").withScheduleType("Rate").withSchedule("61m")),
  "FSS.1107": (c) => createApigTrigger(c.client, urnOf("target"), { name: "app", path: "/app", auth: "APP" }),
  "FSS.1317": (c) => createApigTrigger(c.client, urnOf("target"), { name: `n${"x".repeat(64)}`, path: "/long" }),
  "FSS.1307": (c) => createApigTrigger(c.client, urnOf("target"), { name: "live_api", path: "/elsewhere" }),
  "FSS.1147": (c) => createApigTrigger(c.client, urnOf("target"), { name: "other_api", path: "/target" }),
  "FSS.1306": (c) => createApigTrigger(c.client, urnOf("full"), { name: "eleventh", path: "/full/11" }),
  "FSS.1131": (c) => showTrigger(c.client, urnOf("target"), "APIG", "0".repeat(32)),
  "FSS.1137": (c) => showTrigger(c.client, urnOf("target"), "FOO", c.triggerId),
  "FSS.1318": (c) => updateTrigger(c.client, urnOf("target"), "APIG", c.triggerId, new fg.UpdateTriggerRequestBody().withTriggerStatus("ACTIVE")),
  "FSS.1154": (c) => c.client.deleteVersionAlias(new fg.DeleteVersionAliasRequest().withFunctionUrn(urnOf("target")).withAliasName("live")),
  "FSS.1309": (c) => showConfig(c.client, `urn:xxx:${region}:${projectId}:function:default:target:latest`),
  "FSS.1404": (c) => create(c, withField(c, "initializer_handler", "no-dot")),
  "FSS.1405": (c) => create(c, withField(c, "initializer_timeout", 301)),
};

/** Codes the SDK cannot provoke, with why; each resolves to "status code" of a plain HTTP answer. */
const THROUGH_HTTP: Readonly<Record<string, { readonly why: string; readonly answer: (c: Ctx) => Promise<string> }>> = {
  "FSS.0408": {
    why: "the request timeout: the SDK sends each request whole, so only a client that stalls mid-body is cut off",
    answer: async (c) => {
      const stalled = await exchange(c.tight.port, "PUT /v2/p/fgs/functions/urn/config HTTP/1.1\r\nHost: q\r\nContent-Length: 1000\r\n\r\n{", { end: false });
      return fgsError(stalled.responses[0]);
    },
  },
};

const statusOf = (code: string): number => {
  const wire = Object.values(FGS_ERRORS).flatMap((entry) => allWires(entry)).find((w) => w.code === code);
  assert.ok(wire, code);
  return wire.status;
};

void describe("FunctionGraph: every mapped error code through the official SDK", { timeout: 180_000 }, () => {
  let ctx: Ctx;

  before(async () => {
    const server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    const tight = await startQuiver({
      rateLimits: { enabled: true, overrides: { listFunctions: 1 } },
      limits: { fgsMaxVersions: 1, maxFunctionsPerNamespace: 1, maxAliases: 1, maxBodyBytes: 256 * 1024 },
      http: { headersTimeoutMs: 200, requestTimeoutMs: 500, keepAliveTimeoutMs: 300 },
    });
    const client = fgClient(server.url);
    const tightClient = fgClient(tight.url);
    const zip = await nodeHandlerZip();

    await createFunction(client, zip, "target");
    await publishVersion(client, urnOf("target"), { version: "v1" });
    await createAlias(client, urnOf("target"), { name: "live", version: "v1" });
    const trigger = await createApigTrigger(client, urnOf("target", "!live"), { name: "live_api", path: "/target" });
    ctx = { server, client, tight, tightClient, zip, triggerId: String(trigger["trigger_id"]) };
    await createFunction(client, ctx.zip, "full");
    for (let i = 1; i <= 10; i += 1) await createApigTrigger(client, urnOf("full"), { name: `t${i}`, path: `/full/${i}` });
    await createFunction(client, ctx.zip, "stuck");
    const scope = { accountId: ALICE.name, region };
    const stuck = await server.quiver.store.getFunction(scope, "default", "stuck");
    assert.ok(stuck);
    assert.ok(await server.quiver.store.transitionFunction(stuck.id, ["Active"], { status: "Creating", now: Date.now() }));

    await createFunction(tightClient, ctx.zip, "only");
    await publishVersion(tightClient, urnOf("only"), { version: "v1" });
    await createAlias(tightClient, urnOf("only"), { name: "a1", version: "v1" });
  });
  after(async () => {
    await ctx.server.stop();
    await ctx.tight.stop();
  });

  test("every code the table can answer has exactly one way to be seen here", () => {
    const answerable = new Set(Object.values(FGS_ERRORS).flatMap((entry) => allWires(entry).map((w) => w.code)));
    const covered = [...Object.keys(THROUGH_SDK), ...Object.keys(THROUGH_HTTP)];
    assert.equal(new Set(covered).size, covered.length, "a code is listed twice");
    assert.deepEqual(new Set(covered), answerable);
  });

  for (const [code, trigger] of Object.entries(THROUGH_SDK)) {
    test(`${code} through the SDK`, async () => {
      const failure = await sdkFailure(trigger(ctx));
      assert.equal(failure.errorCode, code, `${failure.httpStatusCode} ${failure.errorCode}: ${failure.errorMsg}`);
      assert.equal(failure.httpStatusCode, statusOf(code));
    });
  }

  for (const [code, { why, answer }] of Object.entries(THROUGH_HTTP)) {
    test(`${code} through plain HTTP (${why})`, async () => {
      assert.equal(await answer(ctx), `${statusOf(code)} ${code}`);
    });
  }
});
