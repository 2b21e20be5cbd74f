import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import * as fg from "@huaweicloud/huaweicloud-sdk-functiongraph";
import { ALICE } from "./accounts.js";

export { fg };

/** The official FunctionGraph client pointed at a test server. */
export function fgClient(url: string, keys: { accessKey: string; secretKey: string; projectId: string } = ALICE.huawei): fg.FunctionGraphClient {
  const credentials = new BasicCredentials().withAk(keys.accessKey).withSk(keys.secretKey).withProjectId(keys.projectId);
  return fg.FunctionGraphClient.newBuilder().withCredential(credentials).withEndpoint(url).build();
}

/** The SDK returns the raw JSON body; tests read it as a plain record. */
export type Wire = Record<string, unknown>;
export const wire = (value: unknown): Wire => value as Wire;

export interface SdkFailure {
  readonly httpStatusCode: number;
  readonly errorCode: string;
  readonly errorMsg: string;
  readonly requestId: string;
}

/** Awaits a call that must fail and returns the SDK's exception fields. */
export async function sdkFailure(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (error) {
    return error as SdkFailure;
  }
  throw new Error("the call was expected to fail but succeeded");
}

export function createBody(zip: Buffer, name: string, extra: { package?: string; runtime?: string; userData?: string; description?: string; handler?: string; timeout?: number } = {}): fg.CreateFunctionRequestBody {
  const body = new fg.CreateFunctionRequestBody()
    .withFuncName(name)
    .withPackage(extra.package ?? "default")
    .withRuntime(extra.runtime ?? "Node.js18.15")
    .withHandler(extra.handler ?? "index.handler")
    .withMemorySize(256)
    .withTimeout(extra.timeout ?? 30)
    .withCodeType("zip")
    .withCodeFilename("index.zip")
    .withFuncCode(new fg.FuncCode().withFile(zip.toString("base64")));
  if (extra.userData !== undefined) body.withUserData(extra.userData);
  if (extra.description !== undefined) body.withDescription(extra.description);
  return body;
}

export async function createFunction(client: fg.FunctionGraphClient, zip: Buffer, name: string, extra: Parameters<typeof createBody>[2] = {}): Promise<Wire> {
  return wire(await client.createFunction(new fg.CreateFunctionRequest().withBody(createBody(zip, name, extra))));
}

export async function publishVersion(client: fg.FunctionGraphClient, urn: string, body: { version?: string; description?: string; digest?: string } = {}): Promise<Wire> {
  const b = new fg.CreateFunctionVersionRequestBody();
  if (body.version !== undefined) b.withVersion(body.version);
  if (body.description !== undefined) b.withDescription(body.description);
  if (body.digest !== undefined) b.withDigest(body.digest);
  return wire(await client.createFunctionVersion(new fg.CreateFunctionVersionRequest().withFunctionUrn(urn).withBody(b)));
}

export async function listVersions(client: fg.FunctionGraphClient, urn: string, marker?: string, maxitems?: string): Promise<Wire> {
  const request = new fg.ListFunctionVersionsRequest().withFunctionUrn(urn);
  if (marker !== undefined) request.withMarker(marker);
  if (maxitems !== undefined) request.withMaxitems(maxitems);
  return wire(await client.listFunctionVersions(request));
}

export async function showConfig(client: fg.FunctionGraphClient, urn: string): Promise<Wire> {
  return wire(await client.showFunctionConfig(new fg.ShowFunctionConfigRequest().withFunctionUrn(urn)));
}

export function versionNames(list: Wire): string[] {
  return (list["versions"] as Wire[]).map((v) => String(v["version"]));
}

export const urnOf = (name: string, qualifier?: string, pkg = "default"): string =>
  `urn:fss:${ALICE.huawei.region}:${ALICE.huawei.projectId}:function:${pkg}:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;

/** Sync invoke through the SDK: the v1 envelope, with `X-Cff-Request-Id` copied in by the SDK. */
export async function invoke(client: fg.FunctionGraphClient, urn: string, event: Record<string, unknown> = {}, opts: { tail?: boolean } = {}): Promise<Wire> {
  const request = new fg.InvokeFunctionRequest().withFunctionUrn(urn).withXCFFRequestVersion("v1").withBody(event as Record<string, object>);
  if (opts.tail) request.withXCffLogType("tail");
  return wire(await client.invokeFunction(request));
}

/** The `result` of a v1 envelope, parsed as JSON. */
export function resultOf(envelope: Wire): Wire {
  return JSON.parse(String(envelope["result"])) as Wire;
}

export async function asyncInvoke(client: fg.FunctionGraphClient, urn: string, event: Record<string, unknown> = {}): Promise<string> {
  const answer = wire(await client.asyncInvokeFunction(new fg.AsyncInvokeFunctionRequest().withFunctionUrn(urn).withBody(event as Record<string, object>)));
  return String(answer["request_id"]);
}

/** Polls `listAsyncInvocations?request_id=` until the invocation is no longer RUNNING. */
export async function awaitAsync(client: fg.FunctionGraphClient, urn: string, requestId: string, timeoutMs = 30_000): Promise<Wire> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = wire(await client.listAsyncInvocations(new fg.ListAsyncInvocationsRequest().withFunctionUrn(urn).withRequestId(requestId)));
    const item = (list["invocations"] as Wire[])[0];
    if (item && item["status"] !== "RUNNING") return item;
    if (Date.now() > deadline) throw new Error(`async invocation ${requestId} did not finish: ${JSON.stringify(list)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface AliasSpec {
  readonly name?: string;
  readonly version: string;
  readonly description?: string;
  readonly weights?: Record<string, number>;
  readonly strategy?: Record<string, { combine_type?: string; rules: Array<{ rule_type?: string; param: string; op: string; value: string }> }>;
}

/** Builds the alias body through the SDK's own models (wire names come from their toJSON). */
function strategyModel(strategy: NonNullable<AliasSpec["strategy"]>): Record<string, fg.VersionStrategy> {
  return Object.fromEntries(
    Object.entries(strategy).map(([version, s]) => {
      const model = new fg.VersionStrategy().withRules(
        s.rules.map((r) => {
          const rule = new fg.VersionStrategyRules().withParam(r.param).withOp(r.op).withValue(r.value);
          return r.rule_type === undefined ? rule : rule.withRuleType(r.rule_type);
        }),
      );
      return [version, s.combine_type === undefined ? model : model.withCombineType(s.combine_type)];
    }),
  );
}

export async function createAlias(client: fg.FunctionGraphClient, urn: string, spec: AliasSpec & { name: string }): Promise<Wire> {
  const body = new fg.CreateVersionAliasRequestBody().withName(spec.name).withVersion(spec.version);
  if (spec.description !== undefined) body.withDescription(spec.description);
  if (spec.weights) body.withAdditionalVersionWeights(spec.weights);
  if (spec.strategy) body.withAdditionalVersionStrategy(strategyModel(spec.strategy));
  return wire(await client.createVersionAlias(new fg.CreateVersionAliasRequest().withFunctionUrn(urn).withBody(body)));
}

export async function updateAlias(client: fg.FunctionGraphClient, urn: string, name: string, spec: AliasSpec): Promise<Wire> {
  const body = new fg.UpdateVersionAliasRequestBody().withVersion(spec.version);
  if (spec.description !== undefined) body.withDescription(spec.description);
  if (spec.weights) body.withAdditionalVersionWeights(spec.weights);
  if (spec.strategy) body.withAdditionalVersionStrategy(strategyModel(spec.strategy));
  return wire(await client.updateVersionAlias(new fg.UpdateVersionAliasRequest().withFunctionUrn(urn).withAliasName(name).withBody(body)));
}

export async function showAlias(client: fg.FunctionGraphClient, urn: string, name: string): Promise<Wire> {
  return wire(await client.showVersionAlias(new fg.ShowVersionAliasRequest().withFunctionUrn(urn).withAliasName(name)));
}

export async function listAliases(client: fg.FunctionGraphClient, urn: string): Promise<Wire[]> {
  const answer = (await client.listVersionAliases(new fg.ListVersionAliasesRequest().withFunctionUrn(urn))) as unknown;
  // The SDK returns a top-level array as it is, with httpStatusCode attached.
  return Array.from(answer as Wire[]);
}

export async function deleteAlias(client: fg.FunctionGraphClient, urn: string, name: string): Promise<unknown> {
  return client.deleteVersionAlias(new fg.DeleteVersionAliasRequest().withFunctionUrn(urn).withAliasName(name));
}

export async function updateCode(client: fg.FunctionGraphClient, urn: string, zip: Buffer): Promise<Wire> {
  const body = new fg.UpdateFunctionCodeRequestBody().withCodeType("zip").withCodeFilename("index.zip").withFuncCode(new fg.FuncCode().withFile(zip.toString("base64")));
  return wire(await client.updateFunctionCode(new fg.UpdateFunctionCodeRequest().withFunctionUrn(urn).withBody(body)));
}
