/**
 * Every code the SCF error table can answer, seen by the official Node SDK. Table-driven: the
 * first test fails when the table (src/dialects/scf/errors.ts) can answer a code that has no
 * trigger below, so a new mapping cannot go untested. A few codes cannot be provoked through the
 * SDK (it always signs well-formed, current requests for API version 2018-04-16 and sends them
 * whole); those are asserted through plain HTTP, and the reason is written next to each. Codes
 * the table maps only to stay total, which no SCF request can reach, are listed with why.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { SCF_ERROR_CODES } from "../../src/dialects/scf/errors.js";
import { allWires } from "../../src/dialects/shared/error-table.js";
import { exchange, scfErrorCode } from "../helpers/raw-http.js";
import { createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { sendRaw, sendTc3 } from "../helpers/tc3.js";
import { ALICE } from "../helpers/accounts.js";
import { nodeZip, nodeZipBase64, zipBase64 } from "../helpers/zip.js";

const SCOPE = { accountId: ALICE.name, region: "ap-guangzhou" };

interface Ctx {
  /** Default limits; holds "target" (version 1, alias "live" → 1, trigger "site"), "stuck" (Creating), "nocode", and the trigger fixtures "crowded" and "hooked". */
  readonly server: TestQuiver;
  readonly scf: ScfClient;
  /** Limits of one: namespace "first", function "only" with version 1 and alias "a1"; short HTTP timeouts; ListNamespaces at 1/s. */
  readonly tight: TestQuiver;
  readonly tightScf: ScfClient;
  readonly zip: string;
}

const nested = (levels: number): unknown => (levels === 0 ? "leaf" : { deeper: nested(levels - 1) });
const create = (c: Ctx, params: Record<string, unknown>): Promise<unknown> =>
  c.scf.request("CreateFunction", { FunctionName: "never-made", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: c.zip }, ...params });
const OPEN_URL = JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } });
const urlTrigger = (c: Ctx, params: Record<string, unknown>): Promise<unknown> =>
  c.scf.request("CreateTrigger", { FunctionName: "target", TriggerName: "never-made", Type: "http", Qualifier: "$LATEST", TriggerDesc: OPEN_URL, ...params });
const provision = (c: Ctx, actions: unknown[]): Promise<unknown> =>
  c.scf.PutProvisionedConcurrencyConfig({ FunctionName: "target", Qualifier: "1", VersionProvisionedConcurrencyNum: 1, TriggerActions: actions as never });
const routingRules = (count: number) => Array.from({ length: count }, (_, i) => ({ Version: "1", Key: `invoke.headers.H${i}`, Method: "exact", Expression: "v" }));

/** One SDK call per code that the SDK reports with exactly that code. */
const THROUGH_SDK: Readonly<Record<string, (c: Ctx) => Promise<unknown>>> = {
  "InvalidParameter.Payload": (c) => scfClient(c.server, ALICE, { reqMethod: "GET" }).UpdateFunctionConfiguration({ FunctionName: "target", VpcConfig: nested(40) } as never),
  RequestSizeLimitExceeded: (c) => c.tightScf.CreateNamespace({ Namespace: "big", Description: "x".repeat(300 * 1024) }),
  MissingParameter: (c) => c.scf.GetFunction({}),
  "MissingParameter.Code": (c) => c.scf.CreateFunction({ FunctionName: "nocode2", Runtime: "Nodejs18.15", Code: {} }),
  "MissingParameter.Runtime": (c) => c.scf.CreateFunction({ FunctionName: "noruntime", Code: { ZipFile: c.zip } }),
  UnknownParameter: (c) => c.scf.request("GetFunction", { FunctionName: "target", Bogus: "1" }),
  InvalidParameterValue: (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", PublicNetConfig: { PublicNetStatus: "MAYBE" } }),
  InvalidParameter: (c) => c.scf.request("GetFunction", { FunctionName: 42 }),
  InvalidAction: (c) => c.scf.request("FlyToTheMoon", {}),
  "AuthFailure.SecretIdNotFound": (c) => scfClient(c.server, ALICE, { secretId: "AKIDnobody" }).ListFunctions({}),
  "AuthFailure.SignatureFailure": (c) => scfClient(c.server, ALICE, { secretKey: "not-the-key" }).ListFunctions({}),
  RequestLimitExceeded: async (c) => {
    // At 1 request per second, five in a row cannot all pass; the first refused one rejects.
    for (let i = 0; i < 5; i += 1) await c.tightScf.ListNamespaces({});
  },
  "ResourceNotFound.Namespace": (c) => c.scf.GetFunction({ FunctionName: "target", Namespace: "ghost" }),
  "ResourceNotFound.Function": (c) => c.scf.GetFunction({ FunctionName: "missing" }),
  "ResourceNotFound.FunctionVersion": (c) => c.scf.CreateAlias({ FunctionName: "target", Name: "nowhere", FunctionVersion: "9" }),
  "ResourceNotFound.Qualifier": (c) => c.scf.Invoke({ FunctionName: "target", Qualifier: "9" }),
  "ResourceNotFound.Version": (c) => c.scf.GetFunction({ FunctionName: "target", Qualifier: "9" }),
  "ResourceInUse.Namespace": (c) => c.scf.CreateNamespace({ Namespace: "taken" }),
  "ResourceInUse.Function": (c) => createNodeFunction(c.scf, "target"),
  "LimitExceeded.Namespace": (c) => c.tightScf.CreateNamespace({ Namespace: "second" }),
  "LimitExceeded.Function": (c) => createNodeFunction(c.tightScf, "second"),
  "LimitExceeded.FunctionVersions": (c) => c.tightScf.PublishVersion({ FunctionName: "only" }),
  "InvalidParameterValue.DefaultNamespace": (c) => c.scf.CreateNamespace({ Namespace: "default" }),
  "FailedOperation.DeleteNamespace": (c) => c.scf.DeleteNamespace({ Namespace: "default" }),
  "InvalidParameterValue.Qualifier": (c) => c.scf.DeleteFunction({ FunctionName: "target", Qualifier: "$LATEST" }),
  "FailedOperation.PublishVersion": (c) => c.scf.PublishVersion({ FunctionName: "stuck" }),
  "FailedOperation.UpdateFunctionCode": (c) => c.scf.UpdateFunctionCode({ FunctionName: "stuck", ZipFile: c.zip }),
  "FailedOperation.UpdateFunctionConfiguration": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "stuck", Timeout: 9 }),
  "FailedOperation.FunctionStatusError": (c) => c.scf.Invoke({ FunctionName: "nocode" }),
  "InvalidParameterValue.ZipFileBase64BinasciiError": (c) => create(c, { Code: { ZipFile: "not base64!" } }),
  "InvalidParameterValue.ZipFile": (c) => create(c, { Code: { ZipFile: Buffer.from("not a zip").toString("base64") } }),
  "ResourceNotFound.Alias": (c) => c.scf.GetAlias({ FunctionName: "target", Name: "ghost" }),
  "ResourceInUse.Alias": (c) => c.scf.CreateAlias({ FunctionName: "target", Name: "live", FunctionVersion: "1" }),
  "LimitExceeded.Alias": (c) => c.tightScf.CreateAlias({ FunctionName: "only", Name: "a2", FunctionVersion: "1" }),
  "InvalidParameterValue.Alias": (c) => c.scf.DeleteAlias({ FunctionName: "target", Name: "$DEFAULT" }),
  "UnsupportedOperation.AliasBind": (c) => c.scf.DeleteFunctionVersion({ FunctionName: "target", Qualifier: "1" }),
  "ResourceNotFound.AsyncEvent": (c) => c.scf.GetAsyncEventStatus({ InvokeRequestId: "00000000-0000-0000-0000-000000000000" }),
  "InvalidParameterValue.Param": (c) => c.scf.Invoke({ FunctionName: "target", ClientContext: "not json" }),
  // SCF: a web function "cannot be triggered through the function API".
  "InvalidParameterValue.FunctionType": async (c) => {
    await c.scf.CreateFunction({ FunctionName: "web", Runtime: "Nodejs18.15", Type: "HTTP", Code: { ZipFile: await zipBase64({ scf_bootstrap: "#!/bin/sh\nexit 1\n" }) } });
    return c.scf.Invoke({ FunctionName: "web" });
  },
  "InvalidParameter.RequestTooLarge": (c) => c.scf.Invoke({ FunctionName: "target", InvocationType: "Event", ClientContext: JSON.stringify({ pad: "x".repeat(130 * 1024) }) }),
  InternalError: async () => {
    // A server whose blob directory is a file cannot store code.
    const broken = await startQuiver({ rateLimits: { enabled: false } });
    try {
      const blobs = join(broken.dataDir, "blobs");
      rmSync(blobs, { recursive: true, force: true });
      writeFileSync(blobs, "a file where the blob directory should be");
      await scfClient(broken, ALICE).CreateFunction({ FunctionName: "unstored", Runtime: "Nodejs18.15", Code: { ZipFile: (await nodeZip()).toString("base64") } });
    } finally {
      rmSync(join(broken.dataDir, "blobs"), { force: true });
      mkdirSync(join(broken.dataDir, "blobs"));
      await broken.stop();
    }
  },
  "InvalidParameterValue.FunctionName": (c) => c.scf.GetFunction({ FunctionName: "has space!" }),
  "InvalidParameterValue.Namespace": (c) => c.scf.GetFunction({ FunctionName: "target", Namespace: "bad/ns" }),
  "InvalidParameterValue.Handler": (c) => c.scf.UpdateFunctionCode({ FunctionName: "target", ZipFile: c.zip, Handler: "nodot" }),
  "InvalidParameterValue.Runtime": (c) => create(c, { Runtime: "Cobol85" }),
  "InvalidParameterValue.MemorySize": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", MemorySize: 300 }),
  "LimitExceeded.Timeout": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", Timeout: 1000 }),
  "InvalidParameterValue.Description": (c) => c.scf.PublishVersion({ FunctionName: "target", Description: "d".repeat(1001) }),
  "InvalidParameterValue.Environment": (c) => create(c, { Environment: { Variables: [{ Key: "1ABC", Value: "v" }] } }),
  "InvalidParameterValue.EnvironmentExceededLimit": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", Environment: { Variables: [{ Key: "BIG", Value: "x".repeat(4100) }] } }),
  "InvalidParameterValue.EnvironmentSystemProtect": (c) => create(c, { Environment: { Variables: [{ Key: "SCF_RUNTIME", Value: "v" }] } }),
  "InvalidParameterValue.Order": (c) => c.scf.ListFunctions({ Order: "SIDEWAYS" }),
  "InvalidParameterValue.OrderBy": (c) => c.scf.ListVersionByFunction({ FunctionName: "target", OrderBy: "Size" }),
  "InvalidParameterValue.Offset": (c) => c.scf.ListFunctions({ Offset: -1 }),
  "InvalidParameterValue.Limit": (c) => c.scf.ListFunctions({ Limit: 0 }),
  "InvalidParameterValue.Type": (c) => create(c, { Type: "Cron" }),
  "InvalidParameterValue.Code": (c) => create(c, { Code: { CosBucketName: "bucket" } }),
  "InvalidParameterValue.NamespaceInvalid": (c) => c.scf.CreateNamespace({ Namespace: "has space" }),
  "InvalidParameterValue.Name": (c) => c.scf.CreateAlias({ FunctionName: "target", Name: "1bad", FunctionVersion: "1" }),
  "LimitExceeded.InitTimeout": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", InitTimeout: 1000 }),
  "InvalidParameterValue.SearchKey": (c) => c.scf.ListNamespaces({ SearchKey: [{ Key: "Colour", Value: "x" }] }),
  "ResourceNotFound.Trigger": (c) => c.scf.DeleteTrigger({ FunctionName: "target", TriggerName: "ghost", Type: "http" }),
  "ResourceInUse.TriggerName": (c) => c.scf.CreateTrigger({ FunctionName: "target", TriggerName: "site", Type: "apigw" }),
  "ResourceInUse.Trigger": (c) => c.scf.CreateTrigger({ FunctionName: "target", TriggerName: "second-site", Type: "http", TriggerDesc: OPEN_URL }),
  "LimitExceeded.Trigger": (c) => c.scf.CreateTrigger({ FunctionName: "crowded", TriggerName: "one-more", Type: "apigw" }),
  "FailedOperation.UpdateTriggerStatus": (c) => c.scf.UpdateTriggerStatus({ FunctionName: "target", TriggerName: "site", Type: "http", Enable: "OPEN" }),
  "FailedOperation.DeleteAlias": (c) => c.scf.DeleteAlias({ FunctionName: "hooked", Name: "gated" }),
  UnsupportedOperation: (c) => c.scf.DeleteFunctionVersion({ FunctionName: "hooked", Qualifier: "1" }),
  // Layers: "tight" allows one layer of one version, and has "only" (version 1).
  "ResourceNotFound.Layer": (c) => c.scf.ListLayerVersions({ LayerName: "ghost-layer" }),
  "ResourceNotFound.LayerVersion": (c) => c.scf.GetLayerVersion({ LayerName: "ghost-layer", LayerVersion: 1 }),
  "LimitExceeded.LayerVersions": (c) => c.tightScf.PublishLayerVersion({ LayerName: "only", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: c.zip } }),
  "LimitExceeded.Layers": (c) => c.tightScf.PublishLayerVersion({ LayerName: "another", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: c.zip } }),
  "InvalidParameterValue.LayerName": (c) => c.scf.PublishLayerVersion({ LayerName: "9lives", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: c.zip } }),
  "InvalidParameterValue.CompatibleRuntimes": (c) => c.scf.PublishLayerVersion({ LayerName: "lib", CompatibleRuntimes: ["Go1"], Content: { ZipFile: c.zip } }),
  "InvalidParameterValue.Content": (c) => c.scf.PublishLayerVersion({ LayerName: "lib", CompatibleRuntimes: ["Nodejs18.15"], Content: { CosBucketName: "b", CosObjectName: "o.zip" } }),
  "InvalidParameterValue.Layers": (c) => c.scf.UpdateFunctionConfiguration({ FunctionName: "target", Layers: [{ LayerName: "lib", LayerVersion: 0 }] }),
  "InvalidParameterValue.TriggerDesc": (c) => urlTrigger(c, { TriggerDesc: "not json" }),
  "InvalidParameterValue.TriggerName": (c) => urlTrigger(c, { TriggerName: "has space" }),
  "InvalidParameterValue.Enable": (c) => urlTrigger(c, { Enable: "MAYBE" }),
  "LimitExceeded.Offset": (c) => c.scf.GetFunctionLogs({ FunctionName: "target", Offset: 9_990, Limit: 20 }),
  "InvalidParameterValue.DateTime": (c) => c.scf.GetFunctionLogs({ FunctionName: "target", StartTime: "2030-02-30 00:00:00", EndTime: "2030-03-01 00:00:00" }),
  "InvalidParameterValue.StartTimeOrEndTime": (c) => c.scf.GetRequestStatus({ FunctionName: "target", FunctionRequestId: "r", StartTime: "2030-01-01 00:00:00" }),
  "InvalidParameterValue.RetCode": (c) => c.scf.GetFunctionLogs({ FunctionName: "target", Filter: { RetCode: "is2" } }),
  "InvalidParameterValue.FunctionRequestId": (c) => c.scf.GetRequestStatus({ FunctionName: "target", FunctionRequestId: "has space" }),
  // Capacity (test/capacity/scf.sdk.test.ts covers what each does).
  "FailedOperation.ProvisionedExceedAvailable": (c) => c.scf.PutProvisionedConcurrencyConfig({ FunctionName: "target", Qualifier: "1", VersionProvisionedConcurrencyNum: 10_000 }),
  "InvalidParameterValue.ProvisionType": (c) => c.scf.PutProvisionedConcurrencyConfig({ FunctionName: "target", Qualifier: "1", VersionProvisionedConcurrencyNum: 1, ProvisionedType: "Elastic" }),
  "InvalidParameterValue.TriggerCronConfig": (c) => provision(c, [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "every day" }]),
  "InvalidParameterValue.TriggerProvisionedConcurrencyNum": (c) => provision(c, [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: -1, TriggerCronConfig: "0 0 9 * * * *" }]),
  "InvalidParameterValue.ProvisionTriggerName": (c) => provision(c, [{ TriggerName: "has space", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "0 0 9 * * * *" }]),
  "InvalidParameterValue.ProvisionTriggerNameDuplicate": (c) => provision(c, [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "0 0 9 * * * *" }, { TriggerName: "a", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "0 0 10 * * * *" }]),
  "InvalidParameterValue.ProvisionTriggerCronConfigDuplicate": (c) => provision(c, [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "0 0 9 * * * *" }, { TriggerName: "b", TriggerProvisionedConcurrencyNum: 1, TriggerCronConfig: "0 0 9 * * * *" }]),
  "FailedOperation.ProvisionedExceedReserved": async (c) => {
    // No reserved memory at all: one provisioned instance is already more.
    await c.scf.PutReservedConcurrencyConfig({ FunctionName: "target", ReservedConcurrencyMem: 0 });
    try {
      await c.scf.PutProvisionedConcurrencyConfig({ FunctionName: "target", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
    } finally {
      await c.scf.DeleteReservedConcurrencyConfig({ FunctionName: "target" });
    }
  },
  "LimitExceeded.FunctionReservedConcurrencyMemory": (c) => c.scf.PutReservedConcurrencyConfig({ FunctionName: "target", ReservedConcurrencyMem: 10_000_000 }),
  "FailedOperation.ReservedExceedTotal": async (c) => {
    await c.scf.PutReservedConcurrencyConfig({ FunctionName: "target", ReservedConcurrencyMem: 1024 });
    try {
      await c.scf.PutTotalConcurrencyConfig({ TotalConcurrencyMem: 512 });
    } finally {
      await c.scf.DeleteReservedConcurrencyConfig({ FunctionName: "target" });
    }
  },
  "InvalidParameterValue.CustomArgument": (c) => urlTrigger(c, { CustomArgument: "x".repeat(5000) }),
  "InvalidParameterValue.Cors": (c) => urlTrigger(c, { TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true }, CorsConfig: { Enable: true, Origins: "*" } }) }),
  "InvalidParameterValue.Filters": (c) => c.scf.ListTriggers({ FunctionName: "target", Filters: [{ Name: "Colour", Values: ["red"] }] }),
  "InvalidParameterValue.RoutingConfig": (c) => c.scf.CreateAlias({ FunctionName: "target", Name: "many", FunctionVersion: "$LATEST", RoutingConfig: { AddtionVersionMatchs: routingRules(51) } }),
};

const tc3 = (c: Ctx, action: string, extra: { version?: string; timestamp?: number } = {}) =>
  sendTc3(c.server.url, { action, body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey, ...extra });

/** Codes the SDK cannot provoke, with why; each resolves to the code a plain HTTP request got. */
const THROUGH_HTTP: Readonly<Record<string, { readonly why: string; readonly code: (c: Ctx) => Promise<string | undefined> }>> = {
  InvalidRequest: {
    why: "the request timeout: the SDK sends each request whole, so only a client that stalls mid-body is cut off",
    code: async (c) => {
      const port = Number(new URL(c.tight.url).port);
      const stalled = await exchange(port, "POST / HTTP/1.1\r\nHost: q\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Fun", { end: false });
      return scfErrorCode(stalled.responses[0]);
    },
  },
  NoSuchVersion: {
    why: "the SDK always sends X-TC-Version 2018-04-16",
    code: async (c) => (await tc3(c, "ListFunctions", { version: "2017-01-01" })).body.Response.Error?.Code,
  },
  "AuthFailure.InvalidAuthorization": {
    why: "the SDK always sends a well-formed Authorization header",
    code: async (c) => (await sendRaw(c.server.url, { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer abc", "X-TC-Action": "ListFunctions", "X-TC-Version": "2018-04-16", "X-TC-Timestamp": String(Math.floor(Date.now() / 1000)) }, body: "{}" })).body.Response.Error?.Code,
  },
  "AuthFailure.SignatureExpire": {
    why: "the SDK always stamps the current time",
    code: async (c) => (await tc3(c, "ListFunctions", { timestamp: Math.floor(Date.now() / 1000) - 400 })).body.Response.Error?.Code,
  },
};

/** Codes the table maps only because it must map every core code; no SCF request reaches them. */
const NOT_ANSWERED: Readonly<Record<string, string>> = {
  "AuthFailure.UnauthorizedOperation": "AuthForbidden is raised only by FunctionGraph's project checks; SCF has no projects",
  "FailedOperation.DeleteFunction": "no function status refuses a delete (store-rules/statuses.ts)",
  FailedOperation: "every FunctionStateConflict names its operation; this is the fallback for one that would not",
  ResourceInUse: "VersionAlreadyExists needs a chosen version name; SCF numbers versions itself, skipping taken names",
  "ResourceInUse.LayerVersion": "SCF lets a layer version in use be deleted (functions keep its files); LayerInUse is FunctionGraph's refusal",
};

void describe("SCF: every mapped error code through the official SDK", { timeout: 120_000 }, () => {
  let ctx: Ctx;

  before(async () => {
    const server = await startQuiver({ rateLimits: { enabled: false } });
    const tight = await startQuiver({
      rateLimits: { enabled: true, overrides: { ListNamespaces: 1 } },
      limits: { scfMaxVersions: 1, maxNamespaces: 1, maxFunctionsPerNamespace: 1, maxAliases: 1, maxBodyBytes: 256 * 1024, maxLayers: 1, maxLayerVersions: 1 },
      http: { headersTimeoutMs: 200, requestTimeoutMs: 500, keepAliveTimeoutMs: 300 },
    });
    const scf = scfClient(server, ALICE);
    const tightScf = scfClient(tight, ALICE);
    ctx = { server, scf, tight, tightScf, zip: await nodeZipBase64() };

    await createNodeFunction(scf, "target");
    await tightScf.PublishLayerVersion({ LayerName: "only", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: ctx.zip } });
    await scf.PublishVersion({ FunctionName: "target" });
    await scf.CreateAlias({ FunctionName: "target", Name: "live", FunctionVersion: "1" });
    await scf.CreateNamespace({ Namespace: "taken" });
    await createNodeFunction(scf, "stuck");
    const stuck = await server.quiver.store.getFunction(SCOPE, "default", "stuck");
    assert.ok(stuck);
    assert.ok(await server.quiver.store.transitionFunction(stuck.id, ["Active"], { status: "Creating", now: Date.now() }));
    // A function whose creation never stored code (as after a crash mid-create).
    await server.quiver.store.insertFunction({ id: randomUUID(), scope: stuck.scope, namespace: "default", name: "nocode", config: stuck.config, now: Date.now(), maxFunctions: 50 });

    // Triggers: "site" is target's function URL on $DEFAULT; "crowded" has the most HTTP
    // triggers a function may have; "hooked" has triggers on version 1 and on alias "gated".
    await scf.CreateTrigger({ FunctionName: "target", TriggerName: "site", Type: "http", TriggerDesc: OPEN_URL });
    await createNodeFunction(scf, "crowded");
    for (let i = 0; i < 10; i += 1) await scf.CreateTrigger({ FunctionName: "crowded", TriggerName: `gw${i}`, Type: "apigw" });
    await createNodeFunction(scf, "hooked");
    await scf.PublishVersion({ FunctionName: "hooked" });
    await scf.CreateAlias({ FunctionName: "hooked", Name: "gated", FunctionVersion: "$LATEST" });
    await scf.CreateTrigger({ FunctionName: "hooked", TriggerName: "on-version", Type: "apigw", Qualifier: "1" });
    await scf.CreateTrigger({ FunctionName: "hooked", TriggerName: "on-alias", Type: "apigw", Qualifier: "gated" });

    await tightScf.CreateNamespace({ Namespace: "first" });
    await createNodeFunction(tightScf, "only");
    await tightScf.PublishVersion({ FunctionName: "only" });
    await tightScf.CreateAlias({ FunctionName: "only", Name: "a1", FunctionVersion: "1" });
  });
  after(async () => {
    await ctx.server.stop();
    await ctx.tight.stop();
  });

  test("every code the table can answer has exactly one way to be seen here", () => {
    const answerable = new Set(Object.values(SCF_ERROR_CODES).flatMap((entry) => allWires(entry)));
    const covered = [...Object.keys(THROUGH_SDK), ...Object.keys(THROUGH_HTTP), ...Object.keys(NOT_ANSWERED)];
    assert.equal(new Set(covered).size, covered.length, "a code is listed twice");
    assert.deepEqual(new Set(covered), answerable);
  });

  for (const [code, trigger] of Object.entries(THROUGH_SDK)) {
    test(`${code} through the SDK`, async () => {
      await expectScfError(trigger(ctx), code);
    });
  }

  for (const [code, { why, code: seen }] of Object.entries(THROUGH_HTTP)) {
    test(`${code} through plain HTTP (${why})`, async () => {
      assert.equal(await seen(ctx), code);
    });
  }
});
