import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import * as fg from "@huaweicloud/huaweicloud-sdk-functiongraph";
import { FGS_ACCOUNT } from "./fgs-server.js";

export { fg };

/** The official FunctionGraph client pointed at a test server. */
export function fgClient(url: string, keys: { accessKey: string; secretKey: string; projectId: string } = FGS_ACCOUNT.huawei): fg.FunctionGraphClient {
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

export function createBody(zip: Buffer, name: string, extra: { package?: string; runtime?: string; userData?: string; description?: string } = {}): fg.CreateFunctionRequestBody {
  const body = new fg.CreateFunctionRequestBody()
    .withFuncName(name)
    .withPackage(extra.package ?? "default")
    .withRuntime(extra.runtime ?? "Node.js18.15")
    .withHandler("index.handler")
    .withMemorySize(256)
    .withTimeout(30)
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
