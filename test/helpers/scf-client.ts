import assert from "node:assert/strict";
import tencentcloud from "tencentcloud-sdk-nodejs-scf";
import { ALICE, type TestAccount } from "./accounts.js";
import { nodeZipBase64, zipBase64 } from "./zip.js";

/** The region test clients name (the server's default). */
export const REGION = "ap-guangzhou";

export type ScfClient = InstanceType<typeof tencentcloud.scf.v20180416.Client>;
export type SignMethod = "TC3-HMAC-SHA256" | "HmacSHA256" | "HmacSHA1";
export type ReqMethod = "POST" | "GET";

export interface ClientOptions {
  readonly signMethod?: SignMethod;
  readonly reqMethod?: ReqMethod;
  /** Region to send; `null` sends none (the server's default applies). */
  readonly region?: string | null;
  /** Overrides the secret key (to test wrong keys). */
  readonly secretKey?: string;
  readonly secretId?: string;
}

/** The official, unmodified Tencent Cloud SCF client pointed at a test server. */
export function scfClient(server: { readonly endpoint: string }, account: Pick<TestAccount, "tencent"> = ALICE, options: ClientOptions = {}): ScfClient {
  const region = options.region === undefined ? REGION : options.region;
  return new tencentcloud.scf.v20180416.Client({
    credential: { secretId: options.secretId ?? account.tencent.secretId, secretKey: options.secretKey ?? account.tencent.secretKey },
    ...(region === null ? {} : { region }),
    profile: {
      signMethod: options.signMethod ?? "TC3-HMAC-SHA256",
      httpProfile: { endpoint: server.endpoint, protocol: "http://", reqMethod: options.reqMethod ?? "POST", reqTimeout: 60 },
    },
  });
}

/** Every combination of signature and HTTP method the SDK supports. */
export const SIGNING_MODES: readonly { readonly signMethod: SignMethod; readonly reqMethod: ReqMethod }[] = [
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST" },
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "GET" },
  { signMethod: "HmacSHA256", reqMethod: "POST" },
  { signMethod: "HmacSHA256", reqMethod: "GET" },
  { signMethod: "HmacSHA1", reqMethod: "POST" },
  { signMethod: "HmacSHA1", reqMethod: "GET" },
];

/** Asserts that a call fails with this SCF error code (as the SDK reports it) and returns the error. */
export async function expectScfError(call: Promise<unknown>, code: string): Promise<{ code?: string; message: string; requestId?: string }> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const e = error as { code?: string; message: string; requestId?: string };
    assert.equal(e.code, code, `expected error ${code}, got ${String(e.code)}: ${e.message}`);
    assert.ok(e.requestId, "an error carries a RequestId");
    return e;
  }
  assert.fail(`expected error ${code}, but the call succeeded: ${JSON.stringify(result)}`);
}

/** Creates a Node.js function through the SDK with sensible defaults. */
export async function createNodeFunction(
  client: ScfClient,
  name: string,
  extra: { Namespace?: string; MemorySize?: number; Timeout?: number; Description?: string; marker?: string; Environment?: { Variables: { Key: string; Value: string }[] } } = {},
): Promise<void> {
  const { marker, ...rest } = extra;
  await client.CreateFunction({
    FunctionName: name,
    Runtime: "Nodejs18.15",
    Handler: "index.main_handler",
    Code: { ZipFile: await nodeZipBase64(marker ?? name) },
    ...rest,
  });
}

/** The error code of a rejected SDK call (`Response.Error.Code`); fails when the call succeeds. */
export async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error("expected the call to fail");
}

export interface CreateSpec {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly runtime?: string;
  readonly handler?: string;
  readonly memory?: number;
  readonly timeout?: number;
  readonly env?: Record<string, string>;
}

export async function createFunction(scf: ScfClient, spec: CreateSpec): Promise<void> {
  await scf.CreateFunction({
    FunctionName: spec.name,
    Runtime: spec.runtime ?? "Nodejs18.15",
    Handler: spec.handler ?? "index.main_handler",
    MemorySize: spec.memory ?? 128,
    Timeout: spec.timeout ?? 3,
    Environment: { Variables: Object.entries(spec.env ?? {}).map(([Key, Value]) => ({ Key, Value })) },
    Code: { ZipFile: await zipBase64(spec.files) },
  });
}

export interface InvokeResult {
  readonly RetMsg: string;
  readonly ErrMsg: string;
  readonly Log: string;
  readonly FunctionRequestId: string;
  readonly InvokeResult: number;
}

/** Synchronous Invoke; returns `Result`. */
export async function invoke(scf: ScfClient, name: string, event: unknown = {}, extra: { Qualifier?: string; LogType?: string; RoutingKey?: string } = {}): Promise<InvokeResult> {
  const r = await scf.Invoke({ FunctionName: name, ClientContext: JSON.stringify(event), ...extra });
  return r.Result as InvokeResult;
}

/**
 * The return value of a successful invoke (fails with the error document otherwise): RetMsg
 * parsed as JSON, or as it is when it is not JSON (a returned string comes back unquoted).
 */
export async function call(scf: ScfClient, name: string, event: unknown = {}, extra: { Qualifier?: string; RoutingKey?: string } = {}): Promise<unknown> {
  const r = await invoke(scf, name, event, extra);
  if (r.InvokeResult !== 0) throw new Error(`invoke of ${name} failed: ${r.ErrMsg}`);
  try {
    return JSON.parse(r.RetMsg) as unknown;
  } catch {
    return r.RetMsg;
  }
}

export interface ErrorDocument {
  readonly errorCode: number;
  readonly errorMessage: string;
  readonly requestId: string;
  readonly stackTrace: string;
  readonly statusCode: number;
}

export function errorDoc(r: InvokeResult): ErrorDocument {
  return JSON.parse(r.ErrMsg) as ErrorDocument;
}

/** Polls GetAsyncEventStatus until the status leaves RUNNING (or the deadline passes). */
export async function waitAsync(scf: ScfClient, id: string, deadlineMs = 30_000): Promise<{ Status: string; StatusCode: number; seen: string[] }> {
  const seen: string[] = [];
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = (await scf.GetAsyncEventStatus({ InvokeRequestId: id })).Result as { Status: string; StatusCode: number };
    if (seen.at(-1) !== r.Status) seen.push(r.Status);
    if (r.Status !== "RUNNING" || Date.now() > end) return { ...r, seen };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
